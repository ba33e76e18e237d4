// The SQLite study store: schema, round trips, refusals that leave the file untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/store/trial_row.hpp"
#include "store/objectives_support.hpp"
#include "store/store_test_support.hpp"

using namespace greentune;
using store_test::TempDir;
using ::testing::HasSubstr;

namespace {

tune::StudyInfo study_info(const std::string& name) {
  tune::StudyInfo info;
  info.name = name;
  info.direction = tune::Direction::minimize;
  info.strategy = "grid";
  info.objective = "branin";
  info.space_json = R"({"x1":{"type":"float","low":-5,"high":10}})";
  info.config_json = R"({"rounds":4})";
  info.group = "rq1";
  return info;
}

tune::TrialOwner owner(const std::string& host) {
  return {host, 4242, "pid:[1]"};
}

auto propose_params(tune::Params params) {
  return [params](const std::vector<tune::Trial>&) { return std::optional<tune::Params>(params); };
}

// A store with one study and one finished trial, closed again.
void make_store(const std::string& path) {
  store::SqliteStorage storage(path);
  auto study = storage.create_or_open_study(study_info("s"));
  auto trial = storage.claim_trial(study.id, owner("h"), propose_params({{"x1", 1.5}}));
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.values = {3.0};
  storage.finish_trial(trial->id, result);
}

TEST(SqliteStorage, CreatesSchemaWithVersionAndWal) {
  TempDir dir;
  std::string path = dir.file("new.db");
  { store::SqliteStorage storage(path); }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(store_test::read_bytes(path).substr(0, 16), std::string("SQLite format 3\0", 16));
  // Reopening a store this version wrote works and sees an empty study list.
  store::SqliteStorage again(path);
  EXPECT_TRUE(again.studies().empty());
  // WAL mode leaves its marker in the header (file format bytes 18-19 = 2).
  auto bytes = store_test::read_bytes(path);
  EXPECT_EQ(bytes[18], 2);
  EXPECT_EQ(bytes[19], 2);
}

TEST(SqliteStorage, StudyRoundTripAndReopen) {
  TempDir dir;
  std::string path = dir.file("s.db");
  store::SqliteStorage storage(path);
  auto created = storage.create_or_open_study(study_info("alpha"));
  EXPECT_GT(created.id, 0);
  auto reopened = storage.create_or_open_study(study_info("alpha"));
  EXPECT_EQ(reopened.id, created.id);
  auto found = storage.find_study("alpha");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->direction, tune::Direction::minimize);
  EXPECT_EQ(found->strategy, "grid");
  EXPECT_EQ(found->objective, "branin");
  EXPECT_EQ(found->config_json, R"({"rounds":4})");
  EXPECT_EQ(found->group, "rq1");
  EXPECT_FALSE(storage.find_study("beta"));
  storage.create_or_open_study(study_info("beta"));
  ASSERT_EQ(storage.studies().size(), 2u);
  EXPECT_EQ(storage.studies()[1].name, "beta");
}

TEST(SqliteStorage, EveryTrialFieldRoundTrips) {
  TempDir dir;
  std::string path = dir.file("s.db");
  int64_t trial_id = 0;
  {
    store::SqliteStorage storage(path);
    auto study = storage.create_or_open_study(study_info("s"));
    tune::Params params{
        {"lr", 0.001}, {"epochs", int64_t{3}}, {"opt", std::string("adam")}, {"whole", 2.0}};
    auto trial = storage.claim_trial(study.id, owner("node-7"), propose_params(params));
    ASSERT_TRUE(trial);
    trial_id = trial->id;
    EXPECT_EQ(trial->number, 1);
    EXPECT_EQ(trial->state, tune::TrialState::running);
    storage.report_intermediate(trial->id, {2, {0.75}, 8.0, 80.0});
    storage.report_intermediate(trial->id, {1, {0.5}, 4.0, 40.0});
    storage.report_intermediate(trial->id, {1, {0.55}, 4.5, 45.0});  // replaces step 1
    tune::Trial result;
    result.state = tune::TrialState::complete;
    result.values = {0.8125, 1.5};
    result.seconds = 12.5;
    result.energy = {{"package-0", "measured", "powercap", 100.25},
                     {"gpu-0", "estimated", "estimate", 20.5}};
    result.conditions.load_average_start = 0.5;
    result.training = tune::TrainingFigures{};
    result.training->test_accuracy = 0.8;
    result.training->layer_joules = {{"conv", 60.0}};
    result.attributes = {{"note", "mine"}};
    storage.finish_trial(trial->id, result);
  }
  store::SqliteStorage storage(path);
  auto study = storage.find_study("s");
  ASSERT_TRUE(study);
  auto trials = storage.trials(study->id);
  ASSERT_EQ(trials.size(), 1u);
  const auto& t = trials[0];
  EXPECT_EQ(t.id, trial_id);
  EXPECT_EQ(t.number, 1);
  EXPECT_EQ(t.state, tune::TrialState::complete);
  ASSERT_TRUE(t.value());
  EXPECT_DOUBLE_EQ(*t.value(), 0.8125);
  EXPECT_EQ(t.values, (std::vector<double>{0.8125, 1.5}));
  EXPECT_EQ(std::get<double>(t.params.at("lr")), 0.001);
  EXPECT_EQ(std::get<int64_t>(t.params.at("epochs")), 3);
  EXPECT_EQ(std::get<std::string>(t.params.at("opt")), "adam");
  EXPECT_EQ(std::get<double>(t.params.at("whole")), 2.0);  // stays a double
  EXPECT_DOUBLE_EQ(t.seconds, 12.5);
  EXPECT_DOUBLE_EQ(t.joules, 120.75);  // the sum of the domains when no total was given
  ASSERT_EQ(t.energy.size(), 2u);
  EXPECT_EQ(t.energy[0].name, "package-0");
  EXPECT_EQ(t.energy[0].source, "powercap");
  EXPECT_EQ(t.energy[0].kind, "measured");
  EXPECT_DOUBLE_EQ(t.energy[0].joules, 100.25);
  EXPECT_EQ(t.energy[1].kind, "estimated");
  ASSERT_EQ(t.intermediate.size(), 2u);
  EXPECT_EQ(t.intermediate[0].step, 1);
  EXPECT_EQ(t.intermediate[0].values, std::vector<double>{0.55});
  EXPECT_DOUBLE_EQ(t.intermediate[0].joules, 45.0);
  EXPECT_EQ(t.intermediate[1].step, 2);
  EXPECT_DOUBLE_EQ(t.intermediate[1].seconds, 8.0);
  EXPECT_EQ(t.host, "node-7");
  EXPECT_EQ(t.pid, 4242);
  EXPECT_EQ(t.pid_namespace, "pid:[1]");
  EXPECT_EQ(t.conditions.load_average_start, 0.5);
  ASSERT_TRUE(t.training);
  EXPECT_EQ(t.training->test_accuracy, 0.8);
  EXPECT_EQ(t.training->layer_joules.at("conv"), 60.0);
  EXPECT_EQ(t.attributes, nlohmann::json({{"note", "mine"}}));
  EXPECT_GT(t.started_at, 1.6e9);
  EXPECT_GE(t.finished_at, t.started_at);
  EXPECT_GE(t.heartbeat_at, t.started_at);
}

// The claim and who runs it are one transaction: a process killed right after claim_trial
// returns leaves a trial whose dead owner is known.
TEST(SqliteStorage, ClaimedTrialHasItsPidAsSoonAsClaimReturns) {
  TempDir dir;
  std::string path = dir.file("s.db");
  store::SqliteStorage storage(path);
  auto study = storage.create_or_open_study(study_info("s"));
  auto trial = storage.claim_trial(study.id, {"node-3", 31337, "pid:[4026531836]"},
                                   propose_params({{"x1", 1.0}}));
  ASSERT_TRUE(trial);
  EXPECT_EQ(trial->pid, 31337);
  // Read back through another connection, as another process would.
  store::SqliteStorage other(path);
  auto stored = other.trials(study.id);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].state, tune::TrialState::running);
  EXPECT_EQ(stored[0].host, "node-3");
  EXPECT_EQ(stored[0].pid, 31337);
  EXPECT_EQ(stored[0].pid_namespace, "pid:[4026531836]");
}

// An abandoned trial keeps the time and joules its last report says it used, not 0 J / 0 s.
TEST(SqliteStorage, AStaleTrialKeepsTheEnergyOfItsLastReport) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto study = storage.create_or_open_study(study_info("s"));
  auto trial = storage.claim_trial(study.id, owner("gone"), propose_params({{"x1", 1.0}}));
  storage.report_intermediate(trial->id, {1, {0.4}, 30.0, 300.0});
  storage.report_intermediate(trial->id, {2, {0.5}, 61.0, 610.0});
  auto stale = storage.fail_stale_trials(study.id, -1);  // every running trial is stale
  ASSERT_EQ(stale.size(), 1u);
  auto stored = storage.trials(study.id).at(0);
  EXPECT_EQ(stored.state, tune::TrialState::failed);
  EXPECT_TRUE(stored.retry);
  EXPECT_DOUBLE_EQ(stored.seconds, 61.0);
  EXPECT_DOUBLE_EQ(stored.joules, 610.0);
  EXPECT_EQ(stored.intermediate.size(), 2u);
}

TEST(SqliteStorage, ClaimNumbersTrialsAndStoresNothingWhenExhausted) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto study = storage.create_or_open_study(study_info("s"));
  size_t seen = 99;
  for (int i = 0; i < 3; ++i) {
    auto t =
        storage.claim_trial(study.id, owner("h"), [&](const std::vector<tune::Trial>& history) {
          seen = history.size();
          return std::optional<tune::Params>(tune::Params{{"i", int64_t{i}}});
        });
    ASSERT_TRUE(t);
    EXPECT_EQ(t->number, i + 1);              // 1-based
    EXPECT_EQ(seen, static_cast<size_t>(i));  // running trials are in the history
  }
  auto none = storage.claim_trial(study.id, owner("h"), [](const std::vector<tune::Trial>&) {
    return std::optional<tune::Params>();
  });
  EXPECT_FALSE(none);
  EXPECT_EQ(storage.trials(study.id).size(), 3u);
  // A propose that throws rolls the claim back.
  EXPECT_THROW(
      storage.claim_trial(study.id, owner("h"),
                          [](const std::vector<tune::Trial>&) -> std::optional<tune::Params> {
                            throw InputError("no");
                          }),
      InputError);
  EXPECT_EQ(storage.trials(study.id).size(), 3u);
}

TEST(SqliteStorage, ChangedSpaceDirectionOrObjectiveIsRefusedAndNothingChanges) {
  TempDir dir;
  std::string path = dir.file("s.db");
  store::SqliteStorage storage(path);
  storage.create_or_open_study(study_info("s"));
  auto changed = study_info("s");
  changed.space_json = R"({"x1":{"type":"float","low":-5,"high":12}})";
  try {
    storage.create_or_open_study(changed);
    FAIL() << "a changed space was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("search space"));
    EXPECT_THAT(e.what(), HasSubstr("\"high\":12"));
    EXPECT_THAT(e.what(), HasSubstr("'s'"));
  }
  auto other_direction = study_info("s");
  other_direction.direction = tune::Direction::maximize;
  EXPECT_THROW(storage.create_or_open_study(other_direction), InputError);
  auto other_objective = study_info("s");
  other_objective.objective = "hartmann6";
  try {
    storage.create_or_open_study(other_objective);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("objective branin, not hartmann6"));
  }
  ASSERT_EQ(storage.studies().size(), 1u);
  EXPECT_EQ(storage.studies()[0].space_json, study_info("s").space_json);
  // Formatting is not a difference.
  auto spaced = study_info("s");
  spaced.space_json = R"({ "x1": {"high": 10, "low": -5, "type": "float"} })";
  EXPECT_NO_THROW(storage.create_or_open_study(spaced));
}

TEST(SqliteStorage, DirectionsAndMetricsAreKeptAndAChangeIsRefused) {
  TempDir dir;
  std::string path = dir.file("s.db");
  store::SqliteStorage storage(path);
  store_test::expect_objectives_kept_and_checked(storage, path);
}

// Store contents are untrusted: directions no greentune wrote are a clear error, not a guess.
TEST(SqliteStorage, UnreadableDirectionsAreAClearError) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_store(path);
  for (const char* bad : {"'[\"sideways\"]'", "'[]'", "'[\"maximize\"]'", "'not json'"}) {
    store_test::raw_sql(path, std::string("UPDATE studies SET directions_json = ") + bad);
    store::SqliteStorage storage(path);
    try {
      storage.find_study("s");
      ADD_FAILURE() << bad << " was read";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path));
      EXPECT_THAT(e.what(), HasSubstr("study 's': directions_json"));
    }
  }
}

TEST(SqliteStorage, OtherSchemaVersionIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_store(path);
  store_test::raw_sql(path, "UPDATE schema_version SET version = 7");
  std::string before = store_test::read_bytes(path);
  try {
    store::SqliteStorage storage(path);
    FAIL() << "a store of schema version 7 was opened";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("schema version 7"));
    EXPECT_THAT(e.what(), HasSubstr("schema versions 1 to 3"));
  }
  EXPECT_EQ(store_test::read_bytes(path), before);
}

TEST(SqliteStorage, NonSqliteFileIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.file("notes.db");
  std::string text = "these are my notes, not a database\n";
  store_test::write_bytes(path, text);
  try {
    store::SqliteStorage storage(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("not a SQLite database"));
  }
  EXPECT_EQ(store_test::read_bytes(path), text);
}

TEST(SqliteStorage, CorruptFileIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_store(path);
  {
    // Fold the WAL into the main file so the damage below hits the real pages.
    store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
  }
  std::string bytes = store_test::read_bytes(path);
  ASSERT_GT(bytes.size(), 8192u);
  // Overwrite the second page (a table's b-tree page) with garbage, keeping the header intact.
  for (size_t i = 4096; i < 8192; ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  store_test::write_bytes(path, bytes);
  try {
    store::SqliteStorage storage(path);
    FAIL() << "a corrupt store was opened";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("corrupt"), HasSubstr("not a readable")));
  }
  EXPECT_EQ(store_test::read_bytes(path), bytes);
}

TEST(SqliteStorage, ForeignSqliteDatabaseIsRefused) {
  TempDir dir;
  std::string path = dir.file("other.db");
  store_test::raw_sql(path, "CREATE TABLE accounts (id INTEGER)");
  std::string before = store_test::read_bytes(path);
  try {
    store::SqliteStorage storage(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a greentune study store"));
  }
  EXPECT_EQ(store_test::read_bytes(path), before);
}

TEST(SqliteStorage, FinishingATrialThatIsNotRunningIsRefused) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto study = storage.create_or_open_study(study_info("s"));
  auto trial = storage.claim_trial(study.id, owner("h"), propose_params({{"x", 1.0}}));
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.values = {1.0};
  storage.finish_trial(trial->id, result);
  result.values = {2.0};
  EXPECT_THROW(storage.finish_trial(trial->id, result), tune::TrialNotRunningError);
  EXPECT_THROW(storage.report_intermediate(trial->id, {1, {0.5}, 1, 1}), StoreError);
  EXPECT_THROW(storage.finish_trial(trial->id + 100, result), StoreError);
  auto trials = storage.trials(study.id);
  EXPECT_DOUBLE_EQ(*trials[0].value(), 1.0);  // the first result stands
}

TEST(SqliteStorage, StaleTrialsAreFailedOnceAndTheirResultRefused) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto study = storage.create_or_open_study(study_info("s"));
  auto old_trial = storage.claim_trial(study.id, owner("dead-host"), propose_params({{"x", 1.0}}));
  auto fresh = storage.claim_trial(study.id, owner("live-host"), propose_params({{"x", 2.0}}));
  EXPECT_TRUE(storage.fail_stale_trials(study.id, 60).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  storage.heartbeat(fresh->id);
  auto stale = storage.fail_stale_trials(study.id, 0.2);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].id, old_trial->id);
  EXPECT_THAT(stale[0].error, HasSubstr("dead-host"));
  EXPECT_TRUE(stale[0].retry);
  EXPECT_TRUE(storage.fail_stale_trials(study.id, 0.2).empty());
  auto trials = storage.trials(study.id);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_EQ(trials[1].state, tune::TrialState::running);
  tune::Trial late;
  late.state = tune::TrialState::complete;
  late.values = {5};
  EXPECT_THROW(storage.finish_trial(old_trial->id, late), tune::TrialNotRunningError);
}

TEST(OpenStorage, UrlForms) {
  TempDir dir;
  EXPECT_NO_THROW(store::open_storage("sqlite:" + dir.file("a.any")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("a.any")));
  EXPECT_NO_THROW(store::open_storage(dir.file("b.db")));
  EXPECT_NO_THROW(store::open_storage("sqlite://" + dir.file("c.sqlite")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("c.sqlite")));
  EXPECT_THROW(store::open_storage("mysql://x"), InputError);
}

TEST(OpenStorage, ANewStoreNeedsAnExistingFolder) {
  TempDir dir;
  // A typo in a store path must not make folders: the folder is named and nothing is created.
  try {
    store::open_storage("sqlite:" + dir.file("new/dir/x.db"));
    ADD_FAILURE() << "a store in a missing folder was made";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir.file("new/dir") + " does not exist"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("new")));
  { std::ofstream(dir.file("plain-file")) << "not a folder"; }
  try {
    store::open_storage("sqlite:" + dir.file("plain-file/x.db"));
    ADD_FAILURE() << "a store below a plain file was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plain-file"));
  }
  EXPECT_THROW(store::open_storage("sqlite:" + dir.path().string()), InputError);  // a folder
  // A device or FIFO is refused by name (it was "disk I/O error", exit 1, after trying).
  ASSERT_EQ(mkfifo(dir.file("fifo.db").c_str(), 0600), 0);
  for (std::string path : {dir.file("fifo.db"), std::string("/dev/null")}) {
    try {
      store::open_storage("sqlite:" + path);
      ADD_FAILURE() << path << " was opened as a store";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
    }
  }
}

TEST(OpenStorage, ReadOnlyNeverCreatesOrChangesAFile) {
  TempDir dir;
  // An empty file (e.g. from touch or mktemp) is not a store and stays 0 bytes.
  store_test::write_bytes(dir.file("empty.db"), "");
  try {
    store::open_storage(dir.file("empty.db"), /*writable=*/false);
    ADD_FAILURE() << "an empty file was opened as a store";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("empty file"));
  }
  EXPECT_EQ(std::filesystem::file_size(dir.file("empty.db")), 0u);
  EXPECT_THROW(store::open_storage(dir.file("absent.db"), false), InputError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));
  // A SQLite database without greentune's tables is not made into a store either.
  store_test::raw_sql(dir.file("other.db"), "CREATE TABLE t (x INTEGER)");
  std::string other = store_test::read_bytes(dir.file("other.db"));
  EXPECT_THROW(store::open_storage(dir.file("other.db"), false), InputError);
  EXPECT_EQ(store_test::read_bytes(dir.file("other.db")), other);

  make_store(dir.file("s.db"));
  std::string before = store_test::read_bytes(dir.file("s.db"));
  {
    auto storage = store::open_storage(dir.file("s.db"), false);
    ASSERT_EQ(storage->studies().size(), 1u);
    EXPECT_EQ(storage->trials(storage->studies()[0].id).size(), 1u);
    // Writes are refused by SQLite itself.
    EXPECT_THROW(storage->create_or_open_study(study_info("t")), StoreError);
  }
  EXPECT_EQ(store_test::read_bytes(dir.file("s.db")), before);
}

TEST(SqliteStorage, ADamagedTrialIsListedAsFailedAndTheRestStillReads) {
  TempDir dir;
  std::string path = dir.file("s.db");
  store::SqliteStorage storage(path);
  auto study = storage.create_or_open_study(study_info("s"));
  for (double x : {1.0, 2.0, 3.0}) {
    auto trial = storage.claim_trial(study.id, owner("h"), propose_params({{"x1", x}}));
    tune::Trial result;
    result.state = tune::TrialState::complete;
    result.values = {x};
    storage.finish_trial(trial->id, result);
  }
  // Trial 1: a null parameter, as bounds of +-1e308 once stored; trial 2: not a record at all.
  store_test::raw_sql(path,
                      "UPDATE trials SET record_json = json_set(record_json, '$.params.x1', "
                      "json('null')) WHERE number = 1;"
                      "UPDATE trials SET record_json = '{\"params\": [' WHERE number = 2;");
  std::vector<tune::Trial> trials;
  ASSERT_NO_THROW(trials = storage.trials(study.id));
  ASSERT_EQ(trials.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_EQ(trials[i].number, i + 1);
    EXPECT_EQ(trials[i].state, tune::TrialState::failed);
    EXPECT_FALSE(trials[i].retry);
    EXPECT_FALSE(trials[i].value().has_value());
    EXPECT_TRUE(store::has_unreadable_record(trials[i]));
    EXPECT_THAT(trials[i].error, HasSubstr("trial id " + std::to_string(trials[i].id)));
  }
  EXPECT_THAT(trials[0].error, HasSubstr("params.x1"));
  EXPECT_THAT(trials[1].error, HasSubstr("not JSON"));
  EXPECT_EQ(trials[2].state, tune::TrialState::complete);
  EXPECT_FALSE(store::has_unreadable_record(trials[2]));
  EXPECT_EQ(trials[2].value(), 3.0);
  // Claims go on: the damaged trials are history like any failed one.
  auto next = storage.claim_trial(study.id, owner("h"), [](const std::vector<tune::Trial>& h) {
    EXPECT_EQ(h.size(), 3u);
    return std::optional<tune::Params>(tune::Params{{"x1", 4.0}});
  });
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->number, 4);
}

TEST(SqliteStorage, StudyNamesWithControlCharactersAreRefused) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  auto info = study_info(std::string("a\0b", 3));
  EXPECT_THROW(storage.create_or_open_study(info), InputError);
  info = study_info("fine");
  info.group = "tab\there";
  EXPECT_THROW(storage.create_or_open_study(info), InputError);
  EXPECT_TRUE(storage.studies().empty());
}

TEST(SqliteStorage, ReopeningWithAnotherStrategyIsRefused) {
  TempDir dir;
  store::SqliteStorage storage(dir.file("s.db"));
  storage.create_or_open_study(study_info("s"));
  auto other = study_info("s");
  other.strategy = "random";
  try {
    storage.create_or_open_study(other);
    ADD_FAILURE() << "a grid study was reopened as random";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("strategy grid, not random"));
  }
}

}  // namespace
