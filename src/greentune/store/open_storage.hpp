#pragma once
// Opens the study store a URL names: the engines behind tune's Storage port.
#include <memory>
#include <string>

#include "greentune/tune/storage.hpp"

namespace greentune::store {

// "sqlite:PATH" (or a bare path ending in .db/.sqlite), "postgresql://..." ; InputError otherwise.
// A new SQLite store is created only in a folder that exists, and a store written by an older
// greentune is upgraded in place (see schema.hpp).
// `writable` false is for commands that only list or report: the store must already exist (a
// missing or empty file, or a database without greentune's tables, is an InputError), and nothing
// is ever created, upgraded or written, in a file or a PostgreSQL database.
std::unique_ptr<tune::Storage> open_storage(const std::string& url, bool writable = true);

}  // namespace greentune::store
