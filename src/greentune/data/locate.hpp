#pragma once
// Where a dataset's files are: an explicit directory, $GREENTUNE_DATA_DIR/<name>, the system copy
// (Debian's dataset-fashion-mnist), then ./data/<name>. The first directory that holds every file
// wins; when none does, the error lists what was looked for where and how to get it.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace greentune::data {

// The datasets greentune knows by name.
enum class DatasetKind { FashionMnist, Cifar10 };

// "fashion-mnist" / "fashion_mnist" / "fashionmnist", "cifar10" / "cifar-10"; InputError otherwise.
DatasetKind parse_dataset_name(const std::string& name);
std::string dataset_name(DatasetKind kind);  // the canonical name: "fashion-mnist", "cifar10"

struct DatasetFiles {
  std::filesystem::path directory;
  // FashionMNIST: train images, train labels, test images, test labels.
  // CIFAR-10: data_batch_1..5.bin, then test_batch.bin.
  std::vector<std::filesystem::path> files;
};

// The directories searched, in order. `explicit_dir` (--data-dir), when not empty, is the only one;
// it may be the dataset folder itself or a folder holding <name>/ (cifar10: or
// cifar-10-batches-bin/).
std::vector<std::filesystem::path> candidate_directories(DatasetKind kind,
                                                         const std::filesystem::path& explicit_dir);

// Looks in one directory; accepts .gz or uncompressed IDX names (the .gz preferred).
std::optional<DatasetFiles> files_in(DatasetKind kind, const std::filesystem::path& directory);

// The first candidate that holds every file, or InputError naming the files and the directories
// tried, and saying how to get them (greentune data fetch, the Debian package, by hand).
DatasetFiles locate_dataset(DatasetKind kind, const std::filesystem::path& explicit_dir = {});

}  // namespace greentune::data
