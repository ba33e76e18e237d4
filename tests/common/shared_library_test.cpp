#include "greentune/common/shared_library.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "greentune/common/error.hpp"

namespace greentune {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(SharedLibrary, BindsFunctionsTypedFromTheirHeader) {
  const SharedLibrary libc("libc.so.6", "libc6", "this test");
  decltype(&::strlen) length = nullptr;
  libc.bind(length, "strlen");
  ASSERT_NE(length, nullptr);
  EXPECT_EQ(length("four"), 4u);
}

TEST(SharedLibrary, AMissingLibraryNamesItWhatNeedsItAndThePackage) {
  try {
    SharedLibrary("libgreentune-absent.so.7", "libgreentune-absent7", "`greentune data fetch`");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("`greentune data fetch` needs libgreentune-absent.so.7"),
                                HasSubstr("cannot open shared object file"),  // the loader's reason
                                HasSubstr("Debian package libgreentune-absent7")));
  }
}

TEST(SharedLibrary, AMissingFunctionNamesItAndTheLibrary) {
  const SharedLibrary libc("libc.so.6", "libc6", "this test");
  int (*absent)() = nullptr;
  try {
    libc.bind(absent, "greentune_no_such_function");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("greentune_no_such_function"), HasSubstr("libc.so.6"),
                                HasSubstr("newer Debian package libc6")));
  }
  EXPECT_EQ(absent, nullptr);
}

}  // namespace
}  // namespace greentune
