#include "greentune/store/libpq.hpp"

#include "greentune/common/shared_library.hpp"

namespace greentune::store {
namespace {

LibPq load() {
  static const SharedLibrary library("libpq.so.5", "libpq5",
                                     "a PostgreSQL study store (postgresql://...)");
  LibPq api{};
  // The member and the symbol are one name, so they cannot drift apart.
#define GREENTUNE_BIND(function) library.bind(api.function, #function)
  GREENTUNE_BIND(PQconnectdb);
  GREENTUNE_BIND(PQstatus);
  GREENTUNE_BIND(PQerrorMessage);
  GREENTUNE_BIND(PQfinish);
  GREENTUNE_BIND(PQdb);
  GREENTUNE_BIND(PQhost);
  GREENTUNE_BIND(PQexec);
  GREENTUNE_BIND(PQexecParams);
  GREENTUNE_BIND(PQresultStatus);
  GREENTUNE_BIND(PQresultErrorMessage);
  GREENTUNE_BIND(PQntuples);
  GREENTUNE_BIND(PQgetisnull);
  GREENTUNE_BIND(PQgetvalue);
  GREENTUNE_BIND(PQclear);
#undef GREENTUNE_BIND
  return api;
}

}  // namespace

const LibPq& libpq() {
  static const LibPq api = load();
  return api;
}

}  // namespace greentune::store
