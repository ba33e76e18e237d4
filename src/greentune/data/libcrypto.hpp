#pragma once
// OpenSSL's libcrypto, opened on the first checksum rather than linked (see
// common/shared_library.hpp): only `data fetch` verifies downloads.
#include <openssl/evp.h>

namespace greentune::data {

// The libcrypto functions greentune calls, typed from openssl/evp.h.
struct LibCrypto {
  decltype(&::EVP_md5) EVP_md5;
  decltype(&::EVP_sha256) EVP_sha256;
  decltype(&::EVP_MD_CTX_new) EVP_MD_CTX_new;
  decltype(&::EVP_MD_CTX_free) EVP_MD_CTX_free;
  decltype(&::EVP_DigestInit_ex) EVP_DigestInit_ex;
  decltype(&::EVP_DigestUpdate) EVP_DigestUpdate;
  decltype(&::EVP_DigestFinal_ex) EVP_DigestFinal_ex;
};

// Loads libcrypto on the first call. Error naming the library and the Debian package to install
// when it is missing.
const LibCrypto& libcrypto();

}  // namespace greentune::data
