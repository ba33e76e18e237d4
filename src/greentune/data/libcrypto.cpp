#include "greentune/data/libcrypto.hpp"

#include <openssl/opensslv.h>

#include <string>

#include "greentune/common/shared_library.hpp"

namespace greentune::data {
namespace {

LibCrypto load() {
  // The soname of the OpenSSL whose headers greentune was built with (libcrypto.so.3).
  static const SharedLibrary library(
      "libcrypto.so." + std::to_string(OPENSSL_SHLIB_VERSION),
      "libssl" + std::to_string(OPENSSL_SHLIB_VERSION) + " (libssl3t64 on Ubuntu 24.04)",
      "verifying a download's checksum (`greentune data fetch`)");
  LibCrypto api{};
  // The member and the symbol are one name, so they cannot drift apart.
#define GREENTUNE_BIND(function) library.bind(api.function, #function)
  GREENTUNE_BIND(EVP_md5);
  GREENTUNE_BIND(EVP_sha256);
  GREENTUNE_BIND(EVP_MD_CTX_new);
  GREENTUNE_BIND(EVP_MD_CTX_free);
  GREENTUNE_BIND(EVP_DigestInit_ex);
  GREENTUNE_BIND(EVP_DigestUpdate);
  GREENTUNE_BIND(EVP_DigestFinal_ex);
#undef GREENTUNE_BIND
  return api;
}

}  // namespace

const LibCrypto& libcrypto() {
  static const LibCrypto api = load();
  return api;
}

}  // namespace greentune::data
