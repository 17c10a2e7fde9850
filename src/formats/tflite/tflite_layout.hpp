// NHWC (TFLite) <-> NCHW (nnlat IR) conversions shared by the TFLite importer and writer.
// Only rank-4 tensors are image activations and change layout; every other rank keeps its
// dimension order.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "nnlat/ir/types.hpp"

namespace nnlat::formats::tflite_layout {

// IR (NCHW) dimension i is TFLite (NHWC) dimension kNhwcDimOfNchw[i].
inline constexpr std::array<int64_t, 4> kNhwcDimOfNchw = {0, 3, 1, 2};
// TFLite (NHWC) dimension k is IR (NCHW) dimension kNchwDimOfNhwc[k].
inline constexpr std::array<int64_t, 4> kNchwDimOfNhwc = {0, 2, 3, 1};

// Transpose permutations written in the "output dim i reads input dim perm[i]" convention.
inline const std::vector<int64_t> kPermNchwToNhwc = {0, 2, 3, 1};
inline const std::vector<int64_t> kPermNhwcToNchw = {0, 3, 1, 2};

inline ir::Shape nhwc_to_nchw(const ir::Shape& s) {
  if (s.size() != 4) return s;
  return {s[0], s[3], s[1], s[2]};
}
inline ir::Shape nchw_to_nhwc(const ir::Shape& s) {
  if (s.size() != 4) return s;
  return {s[0], s[2], s[3], s[1]};
}

// Axis of a rank-`rank` TFLite tensor as an IR axis (and back); `axis` must be normalised
// (0 <= axis < rank).
inline int64_t nhwc_axis_to_nchw(int64_t axis, size_t rank) {
  return rank == 4 ? kNchwDimOfNhwc[static_cast<size_t>(axis)] : axis;
}
inline int64_t nchw_axis_to_nhwc(int64_t axis, size_t rank) {
  return rank == 4 ? kNhwcDimOfNchw[static_cast<size_t>(axis)] : axis;
}

// True when transposing `shape` by `perm` leaves the element order in memory unchanged
// (the dimensions larger than 1 keep their relative order), so the transpose is a no-op.
inline bool transpose_is_noop(const ir::Shape& shape, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (shape[static_cast<size_t>(p)] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

}  // namespace nnlat::formats::tflite_layout
