// Re-pairing the PyTorch Mobile Metal times with the op rows they were measured for.
//
// Why: within a model, the public file lists each operation's rows in one order and pairs
// the i-th Metal time with the i-th row; Metal ran some ops in another order (a ResNet's 1×1
// shortcut convolution after its block's 3×3 convolutions, or after an SE block's 1×1
// convolutions), so those times sit on the wrong rows: in `sepreresnet18` a 3×3 convolution
// of 116 M multiply-accumulates shows 4 µs and the 1×1 shortcut beside it 746 µs, while the
// same rows under Vulkan, and the same shapes in the other networks under Metal, are the
// other way round. The Vulkan times of the same rows are paired correctly (every shape's time
// agrees across networks), so they serve as the yardstick: each (model, operation) group's
// Metal times are assigned to its rows so that they follow the Vulkan times' proportions,
// at a cost per position moved, so that rows the yardstick cannot tell apart (equal shapes)
// keep the file's order.
#include <algorithm>
#include <cmath>
#include <map>

#include "campaigns/mlbench/mlbench_rows.hpp"
#include "nnlat/core/assignment.hpp"
#include "nnlat/core/sampling.hpp"

namespace nnlat::campaigns::mlbench_rows {
namespace {

// Cost of moving a time one row away from where the file put it, in units of |log ratio|
// between a time and its yardstick. Chosen (0.02, 0.1, 0.3, 0.5, 1.0 tried) by how well the
// same shape's Metal times agree across networks afterwards, not by prediction accuracy.
constexpr double kCostPerPositionMoved = 0.5;

bool has_time(const OpRow& r, size_t column) {
  return r.times_ms[column] && *r.times_ms[column] > 0 && !r.kernels[column].empty() && r.kernels[column] != "-";
}

// The first yardstick column that timed every row of the group, if any.
std::optional<size_t> yardstick_for(const std::vector<OpRow*>& group, const std::vector<size_t>& yardsticks) {
  for (size_t y : yardsticks) {
    if (std::all_of(group.begin(), group.end(), [&](const OpRow* r) { return has_time(*r, y); })) return y;
  }
  return std::nullopt;
}

// Re-pairs one group in place; returns how many rows got another row's time.
size_t repair_group(const std::vector<OpRow*>& group, size_t metal, size_t yardstick) {
  const size_t n = group.size();
  std::vector<double> log_time(n), log_ref(n), log_ratio(n);
  for (size_t i = 0; i < n; ++i) {
    log_time[i] = std::log(*group[i]->times_ms[metal]);
    log_ref[i] = std::log(*group[i]->times_ms[yardstick]);
    log_ratio[i] = log_time[i] - log_ref[i];
  }
  const double scale = quantile(log_ratio, 0.5);  // Metal / yardstick, robust to the misplaced rows
  std::vector<double> cost(n * n);
  for (size_t row = 0; row < n; ++row) {
    for (size_t t = 0; t < n; ++t) {
      const double moved = row > t ? double(row - t) : double(t - row);
      cost[row * n + t] = std::abs(log_time[t] - log_ref[row] - scale) + kCostPerPositionMoved * moved;
    }
  }
  auto assignment = min_cost_assignment(cost, n);
  if (!assignment.ok()) return 0;  // finite costs of a square matrix: cannot fail
  std::vector<std::pair<std::optional<double>, std::string>> measured(n);
  for (size_t i = 0; i < n; ++i) measured[i] = {group[i]->times_ms[metal], group[i]->kernels[metal]};
  size_t moved = 0;
  for (size_t row = 0; row < n; ++row) {
    const size_t t = (*assignment)[row];
    moved += t != row;
    group[row]->times_ms[metal] = measured[t].first;
    group[row]->kernels[metal] = measured[t].second;
  }
  return moved;
}

}  // namespace

size_t repair_metal_order(std::vector<OpRow>& rows, size_t metal_column, const std::vector<size_t>& yardsticks) {
  std::map<std::string, std::vector<OpRow*>> groups;  // by operation, rows in file order
  for (auto& r : rows) groups[r.op].push_back(&r);
  size_t moved = 0;
  for (auto& [op, group] : groups) {
    if (group.size() < 2) continue;
    if (!std::all_of(group.begin(), group.end(), [&](const OpRow* r) { return has_time(*r, metal_column); })) {
      continue;  // rows without a Metal time (fused activations, a missing value) stay as listed
    }
    if (auto y = yardstick_for(group, yardsticks)) moved += repair_group(group, metal_column, *y);
  }
  return moved;
}

}  // namespace nnlat::campaigns::mlbench_rows
