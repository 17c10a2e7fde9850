// Counts that saturate instead of overflowing: element counts, MACs, parameters and bytes of
// shapes that an input file declares. A file may declare any shape (a fuzzer's or a broken
// exporter's 10^9 × 10^9 × 10^9 tensor); their products must not be signed overflow, which
// is undefined behaviour and, without a sanitizer, a silent negative count. A saturated count
// (INT64_MAX, or INT64_MIN for a negative product) is then refused where shapes are checked.
#pragma once

#include <cstdint>
#include <limits>

namespace nnlat {

inline constexpr int64_t kSaturatedCount = std::numeric_limits<int64_t>::max();

inline int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min() : kSaturatedCount;
  }
  return r;
}

inline int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return a < 0 ? std::numeric_limits<int64_t>::min() : kSaturatedCount;
  return r;
}

template <class... Rest>
int64_t saturating_product(int64_t first, Rest... rest) {
  int64_t p = first;
  ((p = saturating_mul(p, static_cast<int64_t>(rest))), ...);
  return p;
}

}  // namespace nnlat
