// The PostgreSQL engine against a private server started for these tests (initdb + pg_ctl in a
// temp dir, Unix socket only); skipped where the PostgreSQL server binaries are not installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/store/postgres_storage.hpp"
#include "store/objectives_support.hpp"
#include "store/v1_store_support.hpp"

using namespace greentune;
using ::testing::HasSubstr;

namespace {

std::string find_pg_bin() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = entry.path() / "bin";
    if (std::filesystem::exists(bin / "initdb") && std::filesystem::exists(bin / "pg_ctl")) {
      return bin.string();
    }
  }
  return {};
}

class PostgresStorageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string bin = find_pg_bin();
    if (bin.empty()) return;
    dir_ = std::filesystem::temp_directory_path() / ("greentune-pg-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // PostgreSQL refuses to run as root: run it as the postgres user then.
    std::string as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (geteuid() == 0) {
      if (std::system(("chown postgres " + dir_.string()).c_str()) != 0) return;
    }
    int port = 20000 + getpid() % 20000;
    std::string data = (dir_ / "data").string();
    std::string init = as + bin + "/initdb -D " + data + " -U greentune -A trust --no-sync >" +
                       (dir_ / "initdb.log").string() + " 2>&1";
    if (std::system(init.c_str()) != 0) return;
    std::string start = as + bin + "/pg_ctl -D " + data + " -w -l " + (dir_ / "pg.log").string() +
                        " -o \"-c listen_addresses='' -k " + dir_.string() + " -p " +
                        std::to_string(port) + " -c fsync=off\" start >/dev/null 2>&1";
    if (std::system(start.c_str()) != 0) return;
    stop_ = as + bin + "/pg_ctl -D " + data + " -m immediate stop >/dev/null 2>&1";
    url_ = "postgresql:///postgres?host=" + dir_.string() + "&port=" + std::to_string(port) +
           "&user=greentune";
  }
  static void TearDownTestSuite() {
    if (!stop_.empty() && std::system(stop_.c_str()) != 0) {
      std::fprintf(stderr, "could not stop the test PostgreSQL server\n");
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    if (url_.empty()) GTEST_SKIP() << "no PostgreSQL server could be started (initdb/pg_ctl)";
    // A fresh database per test.
    db_ = "t_";
    db_ += ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : db_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    run_sql_admin("DROP DATABASE IF EXISTS " + db_);
    run_sql_admin("CREATE DATABASE " + db_);
  }
  std::string url() const { return "postgresql:///" + db_ + url_.substr(url_.find('?')); }
  // psql is in /usr/bin on Debian (a wrapper that picks the cluster's version).
  void run_sql_admin(const std::string& sql) {
    std::string host = url_.substr(url_.find("host=") + 5);
    host = host.substr(0, host.find('&'));
    std::string port = url_.substr(url_.find("port=") + 5);
    port = port.substr(0, port.find('&'));
    std::string command = "psql -q -h " + host + " -p " + port + " -U greentune -d postgres -c \"" +
                          sql + "\" >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  static std::filesystem::path dir_;
  static std::string url_, stop_;
  std::string db_;
};

std::filesystem::path PostgresStorageTest::dir_;
std::string PostgresStorageTest::url_;
std::string PostgresStorageTest::stop_;

tune::StudyInfo study_info(const std::string& name) {
  tune::StudyInfo info;
  info.name = name;
  info.direction = tune::Direction::maximize;
  info.strategy = "grid";
  info.objective = "train";
  info.space_json = R"({"lr":{"type":"float","low":0.001,"high":0.1}})";
  return info;
}

TEST_F(PostgresStorageTest, EveryTrialFieldRoundTripsAndAChangedSpaceIsRefused) {
  store::PostgresStorage storage(url());
  auto study = storage.create_or_open_study(study_info("s"));
  EXPECT_EQ(storage.create_or_open_study(study_info("s")).id, study.id);
  tune::Params params{{"lr", 0.001}, {"epochs", int64_t{3}}, {"opt", std::string("sgd")}};
  auto trial = storage.claim_trial(
      study.id, {"node-1", 4242, "pid:[7]"},
      [&](const std::vector<tune::Trial>&) { return std::optional<tune::Params>(params); });
  ASSERT_TRUE(trial);
  EXPECT_EQ(trial->number, 1);
  storage.report_intermediate(trial->id, {1, {0.5}, 1.5, 5.0});
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.values = {0.875, 2.5};
  result.seconds = 3.25;
  result.energy = {{"package-0", "measured", "powercap", 10.5},
                   {"dram-0", "measured", "powercap", 1}};
  result.training = tune::TrainingFigures{};
  result.training->test_accuracy = 0.86;
  storage.finish_trial(trial->id, result);

  store::PostgresStorage again(url());
  auto trials = again.trials(again.find_study("s")->id);
  ASSERT_EQ(trials.size(), 1u);
  const auto& t = trials[0];
  EXPECT_EQ(t.state, tune::TrialState::complete);
  EXPECT_DOUBLE_EQ(*t.value(), 0.875);
  EXPECT_EQ(t.values, (std::vector<double>{0.875, 2.5}));
  EXPECT_EQ(std::get<double>(t.params.at("lr")), 0.001);
  EXPECT_EQ(std::get<int64_t>(t.params.at("epochs")), 3);
  EXPECT_EQ(std::get<std::string>(t.params.at("opt")), "sgd");
  EXPECT_DOUBLE_EQ(t.seconds, 3.25);
  EXPECT_DOUBLE_EQ(t.joules, 11.5);
  ASSERT_EQ(t.energy.size(), 2u);
  EXPECT_EQ(t.energy[1].name, "dram-0");
  ASSERT_EQ(t.intermediate.size(), 1u);
  EXPECT_EQ(t.intermediate[0].values, std::vector<double>{0.5});
  EXPECT_DOUBLE_EQ(t.intermediate[0].joules, 5.0);
  EXPECT_EQ(t.host, "node-1");
  EXPECT_EQ(t.pid, 4242);
  EXPECT_EQ(t.pid_namespace, "pid:[7]");
  ASSERT_TRUE(t.training);
  EXPECT_EQ(t.training->test_accuracy, 0.86);
  EXPECT_THROW(again.finish_trial(t.id, result), tune::TrialNotRunningError);
  EXPECT_EQ(again.studies().size(), 1u);

  auto changed = study_info("s");
  changed.space_json = R"({"lr":{"type":"float","low":0.01,"high":0.1}})";
  try {
    again.create_or_open_study(changed);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("search space"));
  }
  EXPECT_EQ(again.studies()[0].space_json, study_info("s").space_json);
}

TEST_F(PostgresStorageTest, ConcurrentClaimsFromManyConnectionsNeverShareAPoint) {
  int64_t study_id = store::PostgresStorage(url()).create_or_open_study(study_info("s")).id;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      store::PostgresStorage storage(url());  // one connection per worker, like separate hosts
      const std::string host = fmt::format("w{}", w);
      for (;;) {
        auto trial = storage.claim_trial(study_id, {host, 1, ""},
                                         [](const std::vector<tune::Trial>& history) {
                                           if (history.size() >= 40) {
                                             return std::optional<tune::Params>();
                                           }
                                           std::set<int64_t> taken;
                                           for (const auto& t : history) {
                                             taken.insert(std::get<int64_t>(t.params.at("x")));
                                           }
                                           int64_t x = 0;
                                           while (taken.count(x)) ++x;
                                           return std::optional<tune::Params>({{"x", x}});
                                         });
        if (!trial) break;
        tune::Trial result;
        result.state = tune::TrialState::complete;
        result.values = {static_cast<double>(std::get<int64_t>(trial->params.at("x")))};
        storage.finish_trial(trial->id, result);
      }
    });
  }
  for (auto& w : workers) w.join();
  store::PostgresStorage storage(url());
  auto trials = storage.trials(study_id);
  ASSERT_EQ(trials.size(), 40u);
  std::set<int64_t> points;
  std::set<int> numbers;
  for (const auto& t : trials) {
    EXPECT_EQ(t.state, tune::TrialState::complete);
    points.insert(std::get<int64_t>(t.params.at("x")));
    numbers.insert(t.number);
  }
  EXPECT_EQ(points.size(), 40u);
  EXPECT_EQ(numbers.size(), 40u);
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), 40);
}

TEST_F(PostgresStorageTest, StaleTrialsAndOtherSchemaVersions) {
  {
    store::PostgresStorage storage(url());
    auto study = storage.create_or_open_study(study_info("s"));
    auto trial =
        storage.claim_trial(study.id, {"gone", 1, ""}, [](const std::vector<tune::Trial>&) {
          return std::optional<tune::Params>({{"x", 1.0}});
        });
    storage.report_intermediate(trial->id, {1, {0.25}, 12.0, 120.0});
    auto stale = storage.fail_stale_trials(study.id, -1);  // every running trial is stale
    ASSERT_EQ(stale.size(), 1u);
    auto failed = storage.trials(study.id)[0];
    EXPECT_EQ(failed.state, tune::TrialState::failed);
    EXPECT_TRUE(failed.retry);
    EXPECT_THAT(failed.error, HasSubstr("gone"));
    EXPECT_DOUBLE_EQ(failed.joules, 120.0);  // what its last report had used
    EXPECT_DOUBLE_EQ(failed.seconds, 12.0);
  }
  std::string host = url_.substr(url_.find("host=") + 5);
  host = host.substr(0, host.find('&'));
  std::string port = url_.substr(url_.find("port=") + 5);
  port = port.substr(0, port.find('&'));
  std::string command = "psql -q -h " + host + " -p " + port + " -U greentune -d " + db_ +
                        " -c \"UPDATE schema_version SET version = 9\" >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  try {
    store::PostgresStorage storage(url());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 9"));
    EXPECT_THAT(e.what(), HasSubstr("schema versions 1 to 3"));
  }
}

// The claim and who runs it are one transaction: the row has the pid as soon as claim returns.
TEST_F(PostgresStorageTest, ClaimedTrialHasItsPidAsSoonAsClaimReturns) {
  store::PostgresStorage storage(url());
  auto study = storage.create_or_open_study(study_info("s"));
  auto trial = storage.claim_trial(study.id, {"node-9", 31337, "pid:[4026531836]"},
                                   [](const std::vector<tune::Trial>&) {
                                     return std::optional<tune::Params>({{"lr", 0.01}});
                                   });
  ASSERT_TRUE(trial);
  store::PostgresStorage other(url());  // another connection, as another process would read it
  auto stored = other.trials(study.id);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].state, tune::TrialState::running);
  EXPECT_EQ(stored[0].pid, 31337);
  EXPECT_EQ(stored[0].pid_namespace, "pid:[4026531836]");
  EXPECT_EQ(stored[0].host, "node-9");
}

// Schema version 1 as greentune 0.1 created it in PostgreSQL, filled with the rows of the
// checked-in SQLite store of that version.
constexpr const char* kVersion1Tables = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE studies (
  id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  direction TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  strategy TEXT NOT NULL, objective TEXT NOT NULL, space_json TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}', group_name TEXT NOT NULL DEFAULT '',
  created_at DOUBLE PRECISION NOT NULL);
CREATE TABLE trials (
  id BIGSERIAL PRIMARY KEY,
  study_id BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'diverged', 'pruned')),
  value DOUBLE PRECISION, values_json TEXT NOT NULL DEFAULT '[]', params_json TEXT NOT NULL,
  seconds DOUBLE PRECISION NOT NULL DEFAULT 0, joules DOUBLE PRECISION NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT '', attrs_json TEXT NOT NULL DEFAULT '{}',
  started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION NOT NULL DEFAULT 0,
  heartbeat_at DOUBLE PRECISION NOT NULL, UNIQUE (study_id, number));
CREATE TABLE trial_energy (
  id BIGSERIAL PRIMARY KEY, trial_id BIGINT NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  domain TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
  joules DOUBLE PRECISION NOT NULL);
CREATE INDEX trial_energy_by_trial ON trial_energy (trial_id);
CREATE TABLE trial_intermediate (
  trial_id BIGINT NOT NULL REFERENCES trials(id) ON DELETE CASCADE, step INTEGER NOT NULL,
  value DOUBLE PRECISION, PRIMARY KEY (trial_id, step));
)sql";

void create_version1_store(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  auto run = [conn](const std::string& sql, const std::vector<std::optional<std::string>>& args) {
    std::vector<const char*> values;
    for (const auto& a : args) values.push_back(a ? a->c_str() : nullptr);
    PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  };
  PGresult* created = PQexec(conn, kVersion1Tables);
  EXPECT_EQ(PQresultStatus(created), PGRES_COMMAND_OK) << PQresultErrorMessage(created);
  PQclear(created);
  for (const auto& table : store_test::read_v1_tables()) {
    std::string columns, placeholders;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      columns += (c ? ", " : "") + table.columns[c];
      placeholders += fmt::format("{}${}", c ? ", " : "", c + 1);
    }
    for (const auto& row : table.rows)
      run(fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, columns, placeholders), row);
  }
  // The rows came with their ids; the sequences go on after them, as in a store used for real.
  for (const char* table : {"studies", "trials", "trial_energy"})
    run(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT max(id) FROM {0}))",
                    table),
        {});
  PQfinish(conn);
}

TEST_F(PostgresStorageTest, VersionOneStoreIsUpgradedInPlaceOnceAndNewerIsRefused) {
  create_version1_store(url());
  {
    store::PostgresStorage storage(url());
    store_test::expect_migrated_v1_store(storage);
  }
  // Opening again finds version 3: nothing to do, same records; new trials number on.
  store::PostgresStorage storage(url());
  store_test::expect_migrated_v1_store(storage);
  auto branin = storage.find_study("branin");
  ASSERT_TRUE(branin);
  auto next = storage.claim_trial(branin->id, {"h", 1, ""}, [](const auto&) {
    return std::optional<tune::Params>(tune::Params{{"x1", 0.5}, {"x2", 0.5}});
  });
  ASSERT_TRUE(next);
  EXPECT_EQ(next->number, 13);
  EXPECT_GT(next->id, 19);  // the sequence went on after the migrated rows

  run_sql_admin("DROP DATABASE IF EXISTS " + db_ + "_newer");
  run_sql_admin("CREATE DATABASE " + db_ + "_newer");
  std::string newer = url();
  newer.replace(newer.find(db_), db_.size(), db_ + "_newer");
  store::PostgresStorage(newer).create_or_open_study(study_info("kept"));
  PGconn* conn = PQconnectdb(newer.c_str());
  PQclear(PQexec(conn, "UPDATE schema_version SET version = 4"));
  try {
    store::PostgresStorage refused(newer);
    FAIL() << "a store of a newer schema was opened";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 4"));
  }
  PGresult* r = PQexec(conn, "SELECT (SELECT version FROM schema_version), count(*) FROM studies");
  EXPECT_EQ(std::string(PQgetvalue(r, 0, 0)), "4");
  EXPECT_EQ(std::string(PQgetvalue(r, 0, 1)), "1");
  PQclear(r);
  PQfinish(conn);
}

// The result of one SQL statement's first cell, through a connection of its own.
std::string sql_value(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  std::string value = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(conn);
  return value;
}

TEST_F(PostgresStorageTest, NamesWithNulAreRefusedInsteadOfMergedWithAnotherStudy) {
  store::PostgresStorage storage(url());
  auto a = storage.create_or_open_study(study_info("a"));
  // libpq would send "a\0b" as "a": the study "a" would be reopened under another name.
  try {
    storage.create_or_open_study(study_info(std::string("a\0b", 3)));
    FAIL() << "a name with a NUL byte was stored";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("study name \"a\\u0000b\""));
  }
  EXPECT_THROW(storage.find_study(std::string("a\0b", 3)), InputError);
  auto grouped = study_info("b");
  grouped.group = std::string("g\0h", 3);
  EXPECT_THROW(storage.create_or_open_study(grouped), InputError);
  auto other_strategy = study_info("a");
  other_strategy.strategy = "bayes";
  EXPECT_THROW(storage.create_or_open_study(other_strategy), InputError);
  ASSERT_EQ(storage.studies().size(), 1u);
  EXPECT_EQ(storage.studies()[0].id, a.id);
}

TEST_F(PostgresStorageTest, ReadOnlyNeverCreatesTablesOrUpgradesAndDamagedRowsStillList) {
  // An empty database: refused, and still without tables.
  EXPECT_THROW(store::open_storage(url(), /*writable=*/false), InputError);
  EXPECT_EQ(sql_value(url(), "SELECT to_regclass('schema_version') IS NULL"), "t");

  {
    store::PostgresStorage storage(url());
    auto study = storage.create_or_open_study(study_info("s"));
    for (double lr : {0.01, 0.02}) {
      auto trial = storage.claim_trial(study.id, {"h", 1, ""}, [lr](const auto&) {
        return std::optional<tune::Params>(tune::Params{{"lr", lr}});
      });
      tune::Trial result;
      result.state = tune::TrialState::complete;
      result.values = {lr};
      storage.finish_trial(trial->id, result);
    }
  }
  sql_value(url(), "UPDATE trials SET record_json = '{' WHERE number = 1");
  auto reader = store::open_storage(url(), false);
  auto study = reader->find_study("s");
  ASSERT_TRUE(study);
  auto trials = reader->trials(study->id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].state, tune::TrialState::failed);
  EXPECT_THAT(trials[0].error, HasSubstr("not JSON"));
  EXPECT_EQ(trials[1].state, tune::TrialState::complete);
  // The session is read-only on the server's side too.
  EXPECT_THROW(reader->create_or_open_study(study_info("t")), StoreError);
  EXPECT_EQ(sql_value(url(), "SELECT count(*) FROM studies"), "1");
}

TEST_F(PostgresStorageTest, ReadOnlyRefusesAVersionOneStoreAndLeavesItAsItWas) {
  create_version1_store(url());
  try {
    store::open_storage(url(), /*writable=*/false);
    FAIL() << "a listing opened a version-1 store";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 1"));
  }
  EXPECT_EQ(sql_value(url(), "SELECT version FROM schema_version"), "1");
}

TEST_F(PostgresStorageTest, DirectionsAndMetricsAreKeptAndAChangeIsRefused) {
  store::PostgresStorage storage(url());
  store_test::expect_objectives_kept_and_checked(storage, "PostgreSQL database " + db_);
}

TEST_F(PostgresStorageTest, VersionTwoStudiesGetTheirDirectionAsAList) {
  PGconn* conn = PQconnectdb(url().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* created = PQexec(conn, store_test::kVersion2PostgresStore);
  EXPECT_EQ(PQresultStatus(created), PGRES_COMMAND_OK) << PQresultErrorMessage(created);
  PQclear(created);
  {
    store::PostgresStorage storage(url());
    store_test::expect_upgraded_version2_study(storage);
  }
  store::PostgresStorage again(url());
  EXPECT_EQ(again.find_study("old")->directions.size(), 1u);
  PGresult* r = PQexec(conn, "SELECT version FROM schema_version");
  EXPECT_EQ(std::string(PQgetvalue(r, 0, 0)), "3");
  PQclear(r);
  PQfinish(conn);
}

TEST(PostgresStorage, UnreachableServerIsAClearErrorWithoutThePassword) {
  try {
    store::open_storage("postgresql:///nothing?host=/nonexistent-dir&port=1&password=secret");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot connect"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("secret")));
  }
}

}  // namespace
