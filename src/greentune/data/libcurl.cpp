#include "greentune/data/libcurl.hpp"

#include "greentune/common/error.hpp"
#include "greentune/common/shared_library.hpp"

namespace greentune::data {
namespace {

LibCurl load() {
  static const SharedLibrary library("libcurl.so.4", "libcurl4 (libcurl4t64 on Ubuntu 24.04)",
                                     "downloading a dataset (`greentune data fetch`)");
  LibCurl api{};
  // The member and the symbol are one name, so they cannot drift apart.
#define GREENTUNE_BIND(function) library.bind(api.function, #function)
  GREENTUNE_BIND(curl_global_init);
  GREENTUNE_BIND(curl_easy_init);
  GREENTUNE_BIND(curl_easy_cleanup);
  GREENTUNE_BIND(curl_easy_setopt);
  GREENTUNE_BIND(curl_easy_perform);
  GREENTUNE_BIND(curl_easy_getinfo);
  GREENTUNE_BIND(curl_easy_strerror);
#undef GREENTUNE_BIND
  if (api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error("libcurl failed to start");
  return api;
}

}  // namespace

const LibCurl& libcurl() {
  static const LibCurl api = load();
  return api;
}

}  // namespace greentune::data
