#include "greentune/store/open_storage.hpp"

#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/store/postgres_storage.hpp"
#include "greentune/store/sqlite_storage.hpp"

namespace greentune::store {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::unique_ptr<tune::Storage> open_sqlite(const std::string& path, bool writable) {
  SqliteOptions options;
  options.read_only = !writable;
  return std::make_unique<SqliteStorage>(path, options);
}

}  // namespace

std::unique_ptr<tune::Storage> open_storage(const std::string& url, bool writable) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    // sqlite:///abs/path and sqlite://rel are accepted as the URL spellings of a path.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    return open_sqlite(path, writable);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return std::make_unique<PostgresStorage>(url, writable);
  }
  if (ends_with(url, ".db") || ends_with(url, ".sqlite") || ends_with(url, ".sqlite3")) {
    return open_sqlite(url, writable);
  }
  throw InputError(fmt::format(
      "storage '{}': expected sqlite:PATH, a path ending in .db or .sqlite, or postgresql://...",
      url));
}

}  // namespace greentune::store
