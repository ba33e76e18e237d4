// A store written by greentune 0.1 (schema version 1, checked in as test data) opens and is
// upgraded in place to the typed trial record and on to a study's list of directions (version
// 3); an upgraded store opens unchanged; a store newer than this greentune is refused untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "greentune/common/error.hpp"
#include "greentune/store/open_storage.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "store/objectives_support.hpp"
#include "store/store_test_support.hpp"
#include "store/v1_store_support.hpp"

using namespace greentune;
using store_test::TempDir;
using ::testing::HasSubstr;

namespace {

std::string copy_of_v1_store(const TempDir& dir) {
  std::string path = dir.file("v1.db");
  std::filesystem::copy_file(store_test::v1_store_path(), path);
  return path;
}

int64_t schema_version(const std::string& path) {
  store::sqlite::Db db(path, false);
  store::sqlite::Statement query(db, "SELECT version FROM schema_version");
  query.step();
  return query.int64(0);
}

TEST(SqliteMigration, VersionOneStoreIsUpgradedInPlaceToTypedRecords) {
  TempDir dir;
  std::string path = copy_of_v1_store(dir);
  ASSERT_EQ(schema_version(path), 1);
  {
    store::SqliteStorage storage(path);
    store_test::expect_migrated_v1_store(storage);
  }
  EXPECT_EQ(schema_version(path), 3);  // 1 -> 2 -> 3 in one open
  // The old tables and columns are gone: nothing reads them any more.
  store::sqlite::Db db(path, false);
  store::sqlite::Statement tables(
      db,
      "SELECT count(*) FROM sqlite_master WHERE name IN ('trial_energy', 'trial_intermediate')");
  tables.step();
  EXPECT_EQ(tables.int64(0), 0);
  EXPECT_THROW(store::sqlite::Statement(db, "SELECT attrs_json FROM trials"), StoreError);
}

TEST(SqliteMigration, UpgradedStoreOpensAsItIsAndKeepsWorking) {
  TempDir dir;
  std::string path = copy_of_v1_store(dir);
  { store::SqliteStorage storage(path); }
  // Fold the WAL in, so the bytes compared below are the whole store.
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string upgraded = store_test::read_bytes(path);
  {
    store::SqliteStorage storage(path);
    store_test::expect_migrated_v1_store(storage);
  }
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(store_test::read_bytes(path), upgraded) << "a second open changed the store";

  // A migrated study continues with the next number.
  auto storage = store::open_storage("sqlite:" + path);
  auto branin = storage->find_study("branin");
  ASSERT_TRUE(branin);
  auto next = storage->claim_trial(branin->id, {"h", 1, ""}, [](const auto&) {
    return std::optional<tune::Params>(tune::Params{{"x1", 0.5}, {"x2", 0.5}});
  });
  ASSERT_TRUE(next);
  EXPECT_EQ(next->number, 13);
}

TEST(SqliteMigration, ReadOnlyOpenReadsAVersionOneStoreWithoutUpgradingIt) {
  TempDir dir;
  std::string path = copy_of_v1_store(dir);
  std::string before = store_test::read_bytes(path);
  {
    auto storage = store::open_storage("sqlite:" + path, /*writable=*/false);
    store_test::expect_migrated_v1_store(*storage);
  }
  // Listing upgraded a copy in memory: the file is byte for byte what it was, still version 1.
  EXPECT_EQ(store_test::read_bytes(path), before);
  EXPECT_EQ(schema_version(path), 1);
}

TEST(SqliteMigration, NewerStoreIsRefusedUnchanged) {
  TempDir dir;
  std::string path = copy_of_v1_store(dir);
  store_test::raw_sql(path, "UPDATE schema_version SET version = 4");
  std::string before = store_test::read_bytes(path);
  try {
    store::SqliteStorage storage(path);
    FAIL() << "a store of a newer schema was opened";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr("schema version 4"));
    EXPECT_THAT(e.what(), HasSubstr("reads schema versions 1 to 3"));
  }
  EXPECT_EQ(store_test::read_bytes(path), before);
}

// A failure half-way (here: a parameter blob no greentune wrote) leaves the version-1 store as
// it was, not half-upgraded.
TEST(SqliteMigration, AFailedUpgradeChangesNothing) {
  TempDir dir;
  std::string path = copy_of_v1_store(dir);
  store_test::raw_sql(path, "UPDATE trials SET params_json = '[1, 2]' WHERE id = 19");
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string before = store_test::read_bytes(path);
  try {
    store::SqliteStorage storage(path);
    FAIL() << "a trial with array parameters was migrated";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("trial id 19"));
    EXPECT_THAT(e.what(), HasSubstr("params_json"));
  }
  EXPECT_EQ(schema_version(path), 1);
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(store_test::read_bytes(path), before);
}

// Version 2 -> 3: a study's one direction becomes its list of directions, in place, once.
TEST(SqliteMigration, VersionTwoStudiesGetTheirDirectionAsAList) {
  TempDir dir;
  std::string path = dir.file("v2.db");
  store_test::raw_sql(path, store_test::kVersion2SqliteStore);
  ASSERT_EQ(schema_version(path), 2);
  {
    store::SqliteStorage storage(path);
    store_test::expect_upgraded_version2_study(storage);
  }
  EXPECT_EQ(schema_version(path), 3);
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string upgraded = store_test::read_bytes(path);
  {
    store::SqliteStorage storage(path);
    EXPECT_EQ(storage.find_study("old")->directions.size(), 1u);
  }
  store_test::raw_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(store_test::read_bytes(path), upgraded) << "a second open changed the store";
}

}  // namespace
