#include "greentune/common/openmp_spin.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "support/scoped_env.hpp"

namespace greentune {
namespace {

using test_support::ScopedEnv;

TEST(OpenmpSpin, SetsTheShortSpinWhenTheUserChoseNothing) {
  ScopedEnv spin("GOMP_SPINCOUNT", std::nullopt);
  ScopedEnv policy("OMP_WAIT_POLICY", std::nullopt);
  EXPECT_TRUE(set_short_openmp_spin());
  ASSERT_NE(std::getenv("GOMP_SPINCOUNT"), nullptr);
  EXPECT_EQ(std::string(std::getenv("GOMP_SPINCOUNT")), kShortOpenmpSpinCount);
}

TEST(OpenmpSpin, LeavesTheUsersSpinAlone) {
  ScopedEnv spin("GOMP_SPINCOUNT", "5000");
  ScopedEnv policy("OMP_WAIT_POLICY", std::nullopt);
  EXPECT_FALSE(set_short_openmp_spin());
  EXPECT_EQ(std::string(std::getenv("GOMP_SPINCOUNT")), "5000");
}

TEST(OpenmpSpin, AWaitPolicyIsTheUsersChoiceToo) {
  ScopedEnv spin("GOMP_SPINCOUNT", std::nullopt);
  ScopedEnv policy("OMP_WAIT_POLICY", "active");
  EXPECT_FALSE(set_short_openmp_spin());
  EXPECT_EQ(std::getenv("GOMP_SPINCOUNT"), nullptr);
}

}  // namespace
}  // namespace greentune
