#include <fmt/format.h>

#include "greentune/common/error.hpp"
#include "greentune/store/sqlite_storage.hpp"
#include "greentune/store/storage.hpp"

namespace greentune::store {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::unique_ptr<Storage> open_storage(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    // sqlite:///abs/path and sqlite://rel are accepted as the URL spellings of a path.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    return std::make_unique<SqliteStorage>(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    throw InputError(fmt::format(
        "storage '{}': the PostgreSQL engine is not built yet; use sqlite:PATH for now", url));
  }
  if (ends_with(url, ".db") || ends_with(url, ".sqlite") || ends_with(url, ".sqlite3")) {
    return std::make_unique<SqliteStorage>(url);
  }
  throw InputError(fmt::format(
      "storage '{}': expected sqlite:PATH, a path ending in .db or .sqlite, or postgresql://...",
      url));
}

}  // namespace greentune::store
