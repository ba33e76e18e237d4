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

#include "greentune/common/error.hpp"
#include "greentune/store/postgres_storage.hpp"

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

store::StudyInfo study_info(const std::string& name) {
  store::StudyInfo info;
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
  auto trial = storage.claim_trial(study.id, "node-1", [&](const std::vector<tune::Trial>&) {
    return std::optional<tune::Params>(params);
  });
  ASSERT_TRUE(trial);
  storage.report_intermediate(trial->id, 1, 0.5);
  tune::Trial result;
  result.state = tune::TrialState::complete;
  result.value = 0.875;
  result.values = {2.5};
  result.seconds = 3.25;
  result.energy = {{"package-0", "powercap", "measured", 10.5},
                   {"dram-0", "powercap", "measured", 1}};
  result.attrs_json = R"({"test_accuracy":0.86})";
  storage.finish_trial(trial->id, result);

  store::PostgresStorage again(url());
  auto trials = again.trials(again.find_study("s")->id);
  ASSERT_EQ(trials.size(), 1u);
  const auto& t = trials[0];
  EXPECT_EQ(t.state, tune::TrialState::complete);
  EXPECT_DOUBLE_EQ(*t.value, 0.875);
  EXPECT_EQ(t.values, std::vector<double>{2.5});
  EXPECT_EQ(std::get<double>(t.params.at("lr")), 0.001);
  EXPECT_EQ(std::get<int64_t>(t.params.at("epochs")), 3);
  EXPECT_EQ(std::get<std::string>(t.params.at("opt")), "sgd");
  EXPECT_DOUBLE_EQ(t.seconds, 3.25);
  EXPECT_DOUBLE_EQ(t.joules, 11.5);
  ASSERT_EQ(t.energy.size(), 2u);
  EXPECT_EQ(t.energy[1].domain, "dram-0");
  ASSERT_EQ(t.intermediate.size(), 1u);
  EXPECT_DOUBLE_EQ(t.intermediate[0].value, 0.5);
  EXPECT_EQ(t.host, "node-1");
  EXPECT_EQ(t.attrs_json, R"({"test_accuracy":0.86})");
  EXPECT_THROW(again.finish_trial(t.id, result), store::TrialNotRunningError);
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
        auto trial =
            storage.claim_trial(study_id, host, [](const std::vector<tune::Trial>& history) {
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
        result.value = static_cast<double>(std::get<int64_t>(trial->params.at("x")));
        storage.finish_trial(trial->id, result);
      }
    });
  }
  for (auto& w : workers) w.join();
  store::PostgresStorage storage(url());
  auto trials = storage.trials(study_id);
  ASSERT_EQ(trials.size(), 40u);
  std::set<int64_t> points;
  for (const auto& t : trials) {
    EXPECT_EQ(t.state, tune::TrialState::complete);
    points.insert(std::get<int64_t>(t.params.at("x")));
  }
  EXPECT_EQ(points.size(), 40u);
}

TEST_F(PostgresStorageTest, StaleTrialsAndOtherSchemaVersions) {
  {
    store::PostgresStorage storage(url());
    auto study = storage.create_or_open_study(study_info("s"));
    auto trial = storage.claim_trial(study.id, "gone", [](const std::vector<tune::Trial>&) {
      return std::optional<tune::Params>({{"x", 1.0}});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto stale = storage.fail_stale_trials(study.id, 0.1);
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(storage.trials(study.id)[0].state, tune::TrialState::failed);
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
    EXPECT_THAT(e.what(), HasSubstr("schema version 1"));
  }
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
