#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements with bound values
// (SQL text is always a constant; user strings only ever travel as bound parameters) and a
// transaction guard that rolls back unless committed. Errors become StoreError naming the file.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace greentune::store::sqlite {

class Db;

class Statement {
 public:
  Statement(Db& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const std::optional<double>& value);
  Statement& bind_null(int index);

  // true: a row is ready; false: done.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  bool is_null(int column) const;
  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens an existing database or creates it (`create`); never creates when `create` is false.
  // `read_only`: SQLite itself refuses every write (and `create` is ignored).
  Db(const std::string& path, bool create, bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // For constant SQL without parameters (pragmas, schema).
  void exec(const char* sql);
  int64_t last_insert_id() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  // A private in-memory copy of this database, named like it in messages; what is written to the
  // copy never reaches the file.
  std::unique_ptr<Db> copy_in_memory();

  // Throws StoreError naming the file, what was being done and SQLite's message.
  [[noreturn]] void fail(const std::string& doing, int code) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE takes the write lock at once, so a transaction that reads and then writes never
// hits a lock upgrade failure (SQLITE_BUSY_SNAPSHOT under WAL); other writers wait on busy_timeout.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace greentune::store::sqlite
