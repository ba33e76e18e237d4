#pragma once
// What the SQLite and PostgreSQL stores share when a study is created or reopened.
#include <string>

#include "greentune/tune/storage.hpp"

namespace greentune::store {

// "minimize" or "maximize", as the studies table stores it.
const char* direction_text(tune::Direction direction);

// An existing study is reopened only as the one configured: InputError naming the study and
// `store` when its directions, metrics, objective or search space (compared as parsed JSON)
// differ.
void check_study_matches(const tune::StudyInfo& existing, const tune::StudyInfo& wanted,
                         const std::string& store);

}  // namespace greentune::store
