#pragma once
// Opens the study store a URL names: the engines behind tune's Storage port.
#include <memory>
#include <string>

#include "greentune/tune/storage.hpp"

namespace greentune::store {

// "sqlite:PATH" (or a bare path ending in .db/.sqlite), "postgresql://..." ; InputError otherwise.
// With create_if_missing false (listing commands), a missing SQLite file is an InputError.
// A store written by an older greentune is upgraded in place (see schema.hpp).
std::unique_ptr<tune::Storage> open_storage(const std::string& url, bool create_if_missing = true);

}  // namespace greentune::store
