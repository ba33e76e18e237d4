#pragma once
// What both engines must do with a study's objectives (schema version 3): keep its directions
// and metrics, refuse to reopen it with others, and upgrade a version-2 store's studies.
#include <string>

#include "greentune/tune/storage.hpp"

namespace store_test {

// The tables greentune wrote at schema version 2 (before a study had several directions), for
// forging version-2 stores; one study "old" (branin, minimized) with one complete trial follows.
extern const char* const kVersion2SqliteStore;
extern const char* const kVersion2PostgresStore;

// Asserts (gtest) that the forged version-2 study reads as one objective, minimised, with the
// objective's default metrics, and that its trial is intact.
void expect_upgraded_version2_study(greentune::tune::Storage& storage);

// Creates a study with directions [maximize, minimize] and metrics [accuracy, joules], reads it
// back (find_study, studies, create_or_open_study), and asserts that other directions or metrics
// are refused naming both.
void expect_objectives_kept_and_checked(greentune::tune::Storage& storage,
                                        const std::string& store_label);

}  // namespace store_test
