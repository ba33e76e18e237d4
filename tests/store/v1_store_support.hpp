#pragma once
// The version-1 store checked in as test data (tests/store/data/README.md) and what its trials
// must read as once upgraded, for the SQLite and PostgreSQL migration tests alike.
#include <optional>
#include <string>
#include <vector>

#include "greentune/tune/storage.hpp"

namespace store_test {

// Path of tests/store/data/v1-store.db (read-only: tests copy it first).
std::string v1_store_path();

// Asserts (gtest) that `storage` holds the v1 store's four studies with their trials turned into
// typed records: 1-based numbers, values, errors and retry flags, pids, training figures,
// repetitions, layer joules and intermediate reports with cumulative time and joules.
void expect_migrated_v1_store(greentune::tune::Storage& storage);

// Every row of the v1 store's tables, as "table" -> rows of column texts (NULL as nullopt), for
// copying it into another engine.
struct V1Table {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};
std::vector<V1Table> read_v1_tables();

}  // namespace store_test
