#include "store/v1_store_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <stdexcept>

using namespace greentune;

namespace store_test {

std::string v1_store_path() {
  return std::string(STORE_TEST_DATA) + "/v1-store.db";
}

namespace {

const tune::StudyInfo& study_named(const std::vector<tune::StudyInfo>& studies,
                                   const std::string& name) {
  for (const auto& s : studies)
    if (s.name == name) return s;
  throw std::runtime_error("no study " + name);
}

void expect_numbered_from_one(const std::vector<tune::Trial>& trials) {
  for (size_t i = 0; i < trials.size(); ++i) EXPECT_EQ(trials[i].number, static_cast<int>(i + 1));
}

}  // namespace

void expect_migrated_v1_store(tune::Storage& storage) {
  auto studies = storage.studies();
  ASSERT_EQ(studies.size(), 4u);
  // Version 3: each study's one direction became its list; no metric list (the default ones).
  for (const auto& s : studies) {
    EXPECT_EQ(s.directions, std::vector<tune::Direction>{s.direction}) << s.name;
    EXPECT_TRUE(s.metrics.empty()) << s.name;
  }
  EXPECT_EQ(study_named(studies, "branin").direction, tune::Direction::minimize);
  EXPECT_EQ(study_named(studies, "train-tiny").direction, tune::Direction::maximize);

  // branin: 11 complete trials and the one SIGTERM interrupted; was "best: trial 7", now 8.
  auto branin = storage.trials(study_named(studies, "branin").id);
  ASSERT_EQ(branin.size(), 12u);
  expect_numbered_from_one(branin);
  const auto& best = branin[7];
  EXPECT_EQ(best.number, 8);
  EXPECT_EQ(best.state, tune::TrialState::complete);
  ASSERT_EQ(best.values.size(), 1u);
  EXPECT_NEAR(best.values[0], 1.51452122867144, 1e-12);
  EXPECT_DOUBLE_EQ(best.joules, 9.3e-05);
  ASSERT_EQ(best.energy.size(), 2u);
  EXPECT_EQ(best.energy[0].name, "cpu");
  EXPECT_EQ(best.energy[0].kind, "estimated");
  EXPECT_EQ(best.energy[0].source, "estimate");
  EXPECT_DOUBLE_EQ(best.energy[0].joules, 9.2e-05);
  EXPECT_EQ(best.host, "vm");
  EXPECT_FALSE(best.retry);
  EXPECT_TRUE(best.error.empty());
  EXPECT_FALSE(best.training);
  EXPECT_TRUE(best.attributes.empty());
  const auto& interrupted = branin[11];
  EXPECT_EQ(interrupted.state, tune::TrialState::failed);
  EXPECT_EQ(interrupted.error, "interrupted by SIGTERM");
  EXPECT_TRUE(interrupted.retry);
  EXPECT_TRUE(interrupted.values.empty());
  EXPECT_TRUE(interrupted.attributes.empty());

  // train-tiny: the train objective's blob, and a trial left running by a SIGKILLed process.
  auto train = storage.trials(study_named(studies, "train-tiny").id);
  ASSERT_EQ(train.size(), 3u);
  expect_numbered_from_one(train);
  const auto& first = train[0];
  EXPECT_NEAR(*first.value(), 0.4666666666666667, 1e-12);
  ASSERT_TRUE(first.training);
  EXPECT_EQ(first.training->model_spec, "simplecnn:conv=1,linear=2,relu=1,bn=1,act=none");
  EXPECT_EQ(first.training->parameter_count, 234854);
  EXPECT_EQ(first.training->test_accuracy, 0.49);
  EXPECT_TRUE(first.training->layer_joules.empty());  // not profiled
  EXPECT_TRUE(first.training->repetitions.empty());
  ASSERT_EQ(first.intermediate.size(), 1u);
  EXPECT_EQ(first.intermediate[0].step, 1);
  EXPECT_NEAR(first.intermediate[0].values.at(0), 0.4666666666666667, 1e-12);
  EXPECT_NEAR(first.intermediate[0].seconds, 0.311363726, 1e-9);
  EXPECT_NEAR(first.intermediate[0].joules, 0.446862, 1e-9);
  EXPECT_TRUE(first.error.empty());
  // The per-epoch detail no typed field holds is kept, the typed keys are gone.
  EXPECT_TRUE(first.attributes.contains("epochs"));
  EXPECT_FALSE(first.attributes.contains("test_accuracy"));
  EXPECT_FALSE(first.attributes.contains("pid"));
  const auto& orphan = train[2];
  EXPECT_EQ(orphan.state, tune::TrialState::running);
  EXPECT_EQ(orphan.pid, 7745);
  EXPECT_EQ(orphan.pid_namespace, "pid:[4026531836]");
  EXPECT_TRUE(orphan.attributes.empty());

  // exp/random: two repetitions per round; the value is their mean.
  auto repeated = storage.trials(study_named(studies, "exp/random").id);
  ASSERT_EQ(repeated.size(), 2u);
  expect_numbered_from_one(repeated);
  const auto& round = repeated[0];
  EXPECT_NEAR(*round.value(), 0.35, 1e-12);
  ASSERT_TRUE(round.training);
  ASSERT_EQ(round.training->repetitions.size(), 2u);
  EXPECT_EQ(round.training->repetitions[0].seed, 1234u);
  EXPECT_EQ(round.training->repetitions[1].seed, 1235u);
  EXPECT_NEAR(round.training->repetitions[1].value, 0.23333333333333334, 1e-12);
  EXPECT_NEAR(round.training->repetitions[0].joules, 0.493416, 1e-9);
  EXPECT_EQ(round.training->repetitions[1].test_accuracy, 0.24);
  EXPECT_FALSE(round.training->repetitions[1].diverged);
  EXPECT_EQ(round.training->test_accuracy, 0.38);
  EXPECT_NEAR(round.training->layer_joules.at("conv"),
              (0.3391569864759624 + 0.06397481072747155) / 2, 1e-12);
  ASSERT_EQ(round.intermediate.size(), 1u);  // the first repetition's epoch
  EXPECT_NEAR(round.intermediate[0].joules, 0.493416, 1e-9);
  EXPECT_FALSE(round.attributes.contains("value_sd"));

  // exp/sweep: one run per cell, layers profiled.
  auto sweep = storage.trials(study_named(studies, "exp/sweep").id);
  ASSERT_EQ(sweep.size(), 2u);
  ASSERT_TRUE(sweep[0].training);
  EXPECT_NEAR(sweep[0].training->layer_joules.at("conv"), 0.07459777422501952, 1e-12);
  EXPECT_EQ(sweep[0].training->test_accuracy, 0.57);
  EXPECT_EQ(std::get<std::string>(sweep[0].params.at("relu")), "0");  // the sweep's grid is text
  EXPECT_EQ(std::get<std::string>(sweep[1].params.at("relu")), "1");
}

std::vector<V1Table> read_v1_tables() {
  sqlite3* db = nullptr;
  // immutable: a read-only open of a WAL-mode file still made -shm and -wal files beside the
  // checked-in store, in the source tree.
  const std::string uri = "file:" + v1_store_path() + "?immutable=1";
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
      SQLITE_OK)
    throw std::runtime_error("cannot open " + v1_store_path());
  std::vector<V1Table> tables;
  for (const char* name :
       {"schema_version", "studies", "trials", "trial_energy", "trial_intermediate"}) {
    V1Table table;
    table.name = name;
    sqlite3_stmt* stmt = nullptr;
    std::string sql = std::string("SELECT * FROM ") + name + " ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql);
    for (int c = 0; c < sqlite3_column_count(stmt); ++c)
      table.columns.emplace_back(sqlite3_column_name(stmt, c));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back();
        } else if (sqlite3_column_type(stmt, c) == SQLITE_FLOAT) {
          char text[64];
          std::snprintf(text, sizeof text, "%.17g", sqlite3_column_double(stmt, c));
          row.emplace_back(text);
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
        }
      }
      table.rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    tables.push_back(std::move(table));
  }
  sqlite3_close(db);
  return tables;
}

}  // namespace store_test
