#pragma once
// What the SQLite and PostgreSQL stores share when a study is created or reopened.
#include <string>

#include "greentune/tune/storage.hpp"

namespace greentune::store {

// "minimize" or "maximize", as the studies table stores it.
const char* direction_text(tune::Direction direction);

// What both engines refuse to store, before any SQL runs: a study or group name (or strategy or
// objective) that is not a printable name (tune/names.hpp; PostgreSQL would cut it at a NUL byte
// and merge it with another study). InputError naming the field and `store`.
void check_study_names(const tune::StudyInfo& wanted, const std::string& store);

// An existing study is reopened only as the one configured: InputError naming the study and
// `store` when its directions, metrics, strategy, objective or search space (compared as parsed
// JSON) differ. A changed strategy would run rounds of one sampler under the other's name.
void check_study_matches(const tune::StudyInfo& existing, const tune::StudyInfo& wanted,
                         const std::string& store);

}  // namespace greentune::store
