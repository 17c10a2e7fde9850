// The Hungarian method with row and column potentials (Kuhn–Munkres, shortest augmenting
// paths): rows are added one at a time; each addition grows a tree of tight edges until it
// reaches a free column, adjusting the potentials by the least slack on the way.
#include "nnlat/core/assignment.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace nnlat {

Result<std::vector<size_t>> min_cost_assignment(const std::vector<double>& cost, size_t n) {
  if (cost.size() != n * n) {
    return make_error(ErrorCode::kInvalidArgument, "assignment: " + std::to_string(cost.size()) + " costs for a " +
                                                       std::to_string(n) + " x " + std::to_string(n) + " matrix");
  }
  for (double c : cost) {
    if (!std::isfinite(c)) return make_error(ErrorCode::kInvalidArgument, "assignment: a cost is not finite");
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr size_t kNone = 0;  // index 0 is the virtual column / row of the 1-based arrays
  // 1-based: row_of[j] is the row holding column j (0 = free); column 0 is the virtual root.
  std::vector<double> row_potential(n + 1, 0), column_potential(n + 1, 0);
  std::vector<size_t> row_of(n + 1, kNone), previous(n + 1, 0);
  for (size_t row = 1; row <= n; ++row) {
    row_of[0] = row;
    size_t column = 0;
    std::vector<double> slack(n + 1, kInf);
    std::vector<bool> in_tree(n + 1, false);
    do {
      in_tree[column] = true;
      const size_t r = row_of[column];
      double delta = kInf;
      size_t next = 0;
      for (size_t j = 1; j <= n; ++j) {
        if (in_tree[j]) continue;
        const double reduced = cost[(r - 1) * n + (j - 1)] - row_potential[r] - column_potential[j];
        if (reduced < slack[j]) {
          slack[j] = reduced;
          previous[j] = column;
        }
        if (slack[j] < delta) {
          delta = slack[j];
          next = j;
        }
      }
      for (size_t j = 0; j <= n; ++j) {
        if (in_tree[j]) {
          row_potential[row_of[j]] += delta;
          column_potential[j] -= delta;
        } else {
          slack[j] -= delta;
        }
      }
      column = next;
    } while (row_of[column] != kNone);
    // Flip the augmenting path back to the root.
    while (column != 0) {
      const size_t before = previous[column];
      row_of[column] = row_of[before];
      column = before;
    }
  }
  std::vector<size_t> column_of_row(n);
  for (size_t j = 1; j <= n; ++j) column_of_row[row_of[j] - 1] = j - 1;
  return column_of_row;
}

}  // namespace nnlat
