#pragma once
// Seeded subsets and the validation split. Only mt19937_64 (whose output the standard fixes) and
// our own shuffle are used, so a seed gives the same images on every compiler and library.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "greentune/data/dataset.hpp"

namespace greentune::data {

// A permutation of 0..count-1 that depends only on `seed`.
std::vector<size_t> seeded_permutation(size_t count, uint64_t seed);

// The images at `indices`, in that order, named `name`.
Dataset select(const Dataset& dataset, const std::vector<size_t>& indices, const std::string& name);

// `size` images drawn without replacement (kept in their original order). InputError when `size`
// exceeds the dataset.
Dataset random_subset(const Dataset& dataset, size_t size, uint64_t seed);

// Splits off round(fraction x count) images as validation; fraction in [0, 1). The two parts are
// disjoint and together are the whole set. Returns {train, validation}.
std::pair<Dataset, Dataset> carve_validation(const Dataset& dataset, double fraction, uint64_t seed,
                                             const std::string& train_name,
                                             const std::string& validation_name);
// The same split, reusing `dataset`'s buffers for the training part (no second copy of the set).
std::pair<Dataset, Dataset> carve_validation(Dataset&& dataset, double fraction, uint64_t seed,
                                             const std::string& train_name,
                                             const std::string& validation_name);

}  // namespace greentune::data
