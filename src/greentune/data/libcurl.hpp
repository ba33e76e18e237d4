#pragma once
// libcurl, opened on the first download rather than linked (see common/shared_library.hpp).
#include <curl/curl.h>

namespace greentune::data {

// The libcurl functions greentune calls, typed from curl.h.
struct LibCurl {
  decltype(&::curl_global_init) curl_global_init;
  decltype(&::curl_easy_init) curl_easy_init;
  decltype(&::curl_easy_cleanup) curl_easy_cleanup;
  decltype(&::curl_easy_setopt) curl_easy_setopt;
  decltype(&::curl_easy_perform) curl_easy_perform;
  decltype(&::curl_easy_getinfo) curl_easy_getinfo;
  decltype(&::curl_easy_strerror) curl_easy_strerror;
};

// Loads libcurl and initialises it (curl_global_init) on the first call, once per process. Error
// naming the library and the Debian package to install when it is missing, or when it fails to
// start.
const LibCurl& libcurl();

}  // namespace greentune::data
