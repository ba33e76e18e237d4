#pragma once
// What greentune's own CPU kernels (conv3x3, batch norm, max pool, ReLU) share:
// an 8-float vector type that GCC maps onto whatever instruction set a function is compiled for,
// and a second build of each kernel for AVX2+FMA machines. The build targets baseline x86-64
// (SSE2) so the binary runs anywhere; the kernel picks the wide instructions at run time, as
// LibTorch's and OpenBLAS's own dispatch does.
#include <cstdint>
#include <cstring>

#if !defined(__GNUC__) || defined(__clang__)
#error "greentune's CPU kernels use GCC vector extensions (__builtin_shuffle...): build with g++"
#endif

namespace greentune::nn::kernels {

#if defined(__x86_64__)
inline bool cpu_has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
// Defines `void name params` running name##_body, built twice: for AVX2+FMA, taken where the CPU
// has both, and for baseline x86-64. (GCC's target_clones("arch=x86-64-v3") would also require
// LZCNT, which virtual machines often hide: the baseline clone ran there.)
#define GREENTUNE_SIMD_DISPATCH(name, params, args)                    \
  __attribute__((target("avx2,fma"))) static void name##_avx2 params { \
    name##_body args;                                                  \
  }                                                                    \
  static void name##_baseline params {                                 \
    name##_body args;                                                  \
  }                                                                    \
  void name params {                                                   \
    if (cpu_has_avx2_fma()) {                                          \
      name##_avx2 args;                                                \
    } else {                                                           \
      name##_baseline args;                                            \
    }                                                                  \
  }
#else
#define GREENTUNE_SIMD_DISPATCH(name, params, args) \
  void name params {                                \
    name##_body args;                               \
  }
#endif

// Inlined into each build of a kernel, so they compile to its instructions.
#define GREENTUNE_SIMD_INLINE inline __attribute__((always_inline))

// Only the kernel files include this. Their vector helpers are always inlined into each build, so
// no vector value crosses a call between code built for different instruction sets, and GCC's
// note about that ABI difference does not apply to them.
#pragma GCC diagnostic ignored "-Wpsabi"

using f8 = float __attribute__((vector_size(32)));
constexpr int kLanes = 8;

GREENTUNE_SIMD_INLINE f8 load8(const float* p) {
  f8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

GREENTUNE_SIMD_INLINE void store8(float* p, f8 v) {
  std::memcpy(p, &v, sizeof v);
}

GREENTUNE_SIMD_INLINE float sum_lanes(f8 v) {
  // A fixed order, so results do not depend on the instruction set.
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

// Rows here are short (7 to 32 floats): an inlined vector copy, not a call to memcpy, which took
// 8% of a SimpleCNN step copying them.
GREENTUNE_SIMD_INLINE void copy_row(const float* from, int64_t count, float* to) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) store8(to + i, load8(from + i));
  for (; i < count; ++i) to[i] = from[i];
}

// Whole vectors only: reads and writes up to kLanes - 1 floats past count. For rows of at least
// kLanes floats followed by another row of the same array, copied in ascending order, so the
// excess stays inside the array and the next row's copy rewrites it.
GREENTUNE_SIMD_INLINE void copy_row_overrunning(const float* from, int64_t count, float* to) {
  for (int64_t i = 0; i < count; i += kLanes) store8(to + i, load8(from + i));
}

}  // namespace greentune::nn::kernels
