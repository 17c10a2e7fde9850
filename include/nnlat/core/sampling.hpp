// Seeded, portable splits and order statistics: k-fold assignment, draws without
// replacement, quantiles. Below every layer that estimates something honestly (predictors
// calibrate intervals with them, eval cross-validates with them), so they live in core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat {

// Assigns each of n items to one of k folds (0..k-1), balanced (sizes differ by at most one)
// and shuffled with `seed` (same seed, same folds). Requires 2 <= k <= n.
Result<std::vector<int>> kfold_assignment(size_t n, int k, uint64_t seed);

// A permutation of 0..n-1 drawn with `seed` (same seed, same order on every platform).
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed);

// Draws `count` distinct indices from [0, n) with `seed`, sorted. Requires count <= n.
Result<std::vector<size_t>> sample_without_replacement(size_t n, size_t count, uint64_t seed);

// Quantile (linear interpolation, q in [0,1]) of values; requires a non-empty span.
double quantile(std::vector<double> values, double q);

}  // namespace nnlat
