// Minimum-cost assignment (the Hungarian method): which column each row takes so that the
// total cost is least. Used where measurements must be paired back with the rows they belong
// to (the mobile benchmark's Metal times, docs/phones.md).
#pragma once

#include <cstddef>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat {

// `cost` is an n × n matrix, row-major (cost[i * n + j]: row i takes column j), every entry
// finite. Returns, per row, its column: a permutation of 0..n-1 with the least total cost.
// O(n³). Errors: a size that is not n × n, or a cost that is not finite.
Result<std::vector<size_t>> min_cost_assignment(const std::vector<double>& cost, size_t n);

}  // namespace nnlat
