#include "store/objectives_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"

using namespace greentune;
using ::testing::HasSubstr;

namespace store_test {

// Tables as greentune wrote them at version 2 (store/schema.cpp at main c4a0030).
const char* const kVersion2SqliteStore = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE studies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  direction   TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  strategy    TEXT NOT NULL,
  objective   TEXT NOT NULL,
  space_json  TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  group_name  TEXT NOT NULL DEFAULT '',
  created_at  REAL NOT NULL
);
CREATE TABLE trials (
  id           INTEGER PRIMARY KEY,
  study_id     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  host         TEXT NOT NULL DEFAULT '',
  started_at   REAL NOT NULL,
  finished_at  REAL NOT NULL DEFAULT 0,
  heartbeat_at REAL NOT NULL,
  record_json  TEXT NOT NULL DEFAULT '{}',
  UNIQUE (study_id, number)
);
INSERT INTO schema_version (version) VALUES (2);
INSERT INTO studies (id, name, direction, strategy, objective, space_json, created_at)
  VALUES (1, 'old', 'minimize', 'random', 'branin',
          '[{"name":"x1","type":"float","low":-5,"high":10,"log":false,"step":0}]', 1700000000);
INSERT INTO trials (id, study_id, number, state, host, started_at, finished_at, heartbeat_at,
                    record_json)
  VALUES (1, 1, 1, 'complete', 'vm', 1700000001, 1700000002, 1700000002,
          '{"values":[3.5],"params":{"x1":1.25},"joules":2.0,"seconds":1.0}');
)sql";

const char* const kVersion2PostgresStore = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE studies (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  direction   TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  strategy    TEXT NOT NULL,
  objective   TEXT NOT NULL,
  space_json  TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  group_name  TEXT NOT NULL DEFAULT '',
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE TABLE trials (
  id           BIGSERIAL PRIMARY KEY,
  study_id     BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  state        TEXT NOT NULL
               CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  host         TEXT NOT NULL DEFAULT '',
  started_at   DOUBLE PRECISION NOT NULL,
  finished_at  DOUBLE PRECISION NOT NULL DEFAULT 0,
  heartbeat_at DOUBLE PRECISION NOT NULL,
  record_json  TEXT NOT NULL DEFAULT '{}',
  UNIQUE (study_id, number)
);
INSERT INTO schema_version (version) VALUES (2);
INSERT INTO studies (name, direction, strategy, objective, space_json, created_at)
  VALUES ('old', 'minimize', 'random', 'branin',
          '[{"name":"x1","type":"float","low":-5,"high":10,"log":false,"step":0}]', 1700000000);
INSERT INTO trials (study_id, number, state, host, started_at, finished_at, heartbeat_at,
                    record_json)
  VALUES (1, 1, 'complete', 'vm', 1700000001, 1700000002, 1700000002,
          '{"values":[3.5],"params":{"x1":1.25},"joules":2.0,"seconds":1.0}');
)sql";

namespace {

tune::StudyInfo old_study() {
  tune::StudyInfo info;
  info.name = "old";
  info.direction = tune::Direction::minimize;
  info.strategy = "random";
  info.objective = "branin";
  info.space_json = R"([{"name":"x1","type":"float","low":-5,"high":10,"log":false,"step":0}])";
  return info;
}

tune::StudyInfo two_objectives() {
  tune::StudyInfo info;
  info.name = "trade-off";
  info.direction = tune::Direction::maximize;
  info.directions = {tune::Direction::maximize, tune::Direction::minimize};
  info.metrics = {"accuracy", "joules"};
  info.strategy = "bayes";
  info.objective = "train";
  info.space_json = R"([{"name":"lr","type":"float","low":0.001,"high":0.1,"log":true}])";
  return info;
}

}  // namespace

void expect_upgraded_version2_study(tune::Storage& storage) {
  auto found = storage.find_study("old");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->direction, tune::Direction::minimize);
  EXPECT_EQ(found->directions, std::vector<tune::Direction>{tune::Direction::minimize});
  EXPECT_TRUE(found->metrics.empty());
  auto trials = storage.trials(found->id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].values, std::vector<double>{3.5});
  EXPECT_DOUBLE_EQ(trials[0].joules, 2.0);
  // The configured study written without directions (as before) is the same one ...
  EXPECT_EQ(storage.create_or_open_study(old_study()).id, found->id);
  // ... and so is one that spells its one direction out as a list.
  auto listed = old_study();
  listed.directions = {tune::Direction::minimize};
  EXPECT_EQ(storage.create_or_open_study(listed).id, found->id);
  // A second objective is another study.
  listed.directions.push_back(tune::Direction::minimize);
  EXPECT_THROW(storage.create_or_open_study(listed), InputError);
}

void expect_objectives_kept_and_checked(tune::Storage& storage, const std::string& store_label) {
  const auto created = storage.create_or_open_study(two_objectives());
  for (const auto& read : {*storage.find_study("trade-off"), storage.studies().front(),
                           storage.create_or_open_study(two_objectives())}) {
    EXPECT_EQ(read.id, created.id);
    EXPECT_EQ(read.direction, tune::Direction::maximize);
    EXPECT_EQ(read.directions, two_objectives().directions);
    EXPECT_EQ(read.metrics, two_objectives().metrics);
  }

  auto flipped = two_objectives();
  flipped.directions = {tune::Direction::maximize, tune::Direction::maximize};
  try {
    storage.create_or_open_study(flipped);
    ADD_FAILURE() << "reopened with other directions";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("study 'trade-off' in " + store_label));
    EXPECT_THAT(e.what(), HasSubstr("[maximize, minimize], not [maximize, maximize]"));
  }
  auto one = two_objectives();
  one.directions = {tune::Direction::maximize};
  one.metrics = {};
  EXPECT_THROW(storage.create_or_open_study(one), InputError);
  auto other_metric = two_objectives();
  other_metric.metrics = {"accuracy", "seconds"};
  try {
    storage.create_or_open_study(other_metric);
    ADD_FAILURE() << "reopened with other metrics";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("metrics [accuracy, joules], not [accuracy, seconds]"));
  }
  EXPECT_EQ(storage.studies().size(), 1u);
}

}  // namespace store_test
