#pragma once
// libpq, opened when a postgresql:// study store is first opened rather than linked (see
// common/shared_library.hpp): SQLite stores, the common case, never load it.
#include <libpq-fe.h>

namespace greentune::store {

// The libpq functions greentune calls, typed from libpq-fe.h.
struct LibPq {
  decltype(&::PQconnectdb) PQconnectdb;
  decltype(&::PQstatus) PQstatus;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQdb) PQdb;
  decltype(&::PQhost) PQhost;
  decltype(&::PQexec) PQexec;
  decltype(&::PQexecParams) PQexecParams;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQclear) PQclear;
};

// Loads libpq on the first call. Error naming the library and the Debian package to install when
// it is missing.
const LibPq& libpq();

}  // namespace greentune::store
