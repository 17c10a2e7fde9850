// Small helpers every method's fit shares: the regressors' log-latency target space, the
// median, and a kernel's bytes as the divisor of its ms-per-byte ratio.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "nnlat/features/kernel_features.hpp"

namespace nnlat::predictors {

// The regressors' target space: log latency, so that a 10 µs and a 10 ms kernel weigh the
// same in relative terms. A copy kernel can time at 0 ms (below the clock's resolution):
// clamped to 1 ns so that its log is finite.
inline double to_target(double ms) { return std::log(std::max(ms, 1e-6)); }
inline double from_target(double t) { return std::exp(t); }

inline double bytes_of(const features::KernelFeatures& f) { return static_cast<double>(std::max<int64_t>(f.bytes, 1)); }

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace nnlat::predictors
