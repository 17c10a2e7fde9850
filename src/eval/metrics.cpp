// Accuracy metrics (see metrics.hpp). Rank correlations are the ones scipy
// reports (kendalltau's tau-b, spearmanr), so numbers can be compared with published
// predictor results; Kendall's tau uses Knight's O(n log n) algorithm because NAS studies
// score 10^5 architectures at once and the O(n^2) pair count would take minutes.
#include "nnlat/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <utility>

namespace nnlat::eval {
namespace {

// Relative errors are compared against 5% / 10% with this slack. A prediction of exactly
// 1.05 * m, computed in double, can land a few ulps above the bound after the multiplication,
// subtraction and division (m = 0.3, p = 0.3 * 1.05 gives |p - m| / m = 0.050000000000000044)
// and would otherwise be counted as a miss. 1e-12 is far below any meaningful accuracy difference and far above
// the few ulps of rounding error.
constexpr double kAccuracyEpsilon = 1e-12;

std::string format_double(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

// Number of pairs among groups of equal adjacent values in a sorted range: sum t(t-1)/2.
template <typename Equal>
uint64_t tied_pairs(size_t n, Equal equal) {
  uint64_t pairs = 0;
  size_t start = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (i == n || !equal(i - 1, i)) {
      const uint64_t t = i - start;
      pairs += t * (t - 1) / 2;
      start = i;
    }
  }
  return pairs;
}

// Sorts `v` ascending with a bottom-up merge sort and returns the number of strict
// inversions (i < j with v[i] > v[j]); equal values are not counted, which is what makes
// pairs tied in y neither concordant nor discordant.
uint64_t sort_counting_inversions(std::vector<double>& v) {
  const size_t n = v.size();
  std::vector<double> buffer(n);
  uint64_t inversions = 0;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      const size_t mid = std::min(lo + width, n);
      const size_t hi = std::min(lo + 2 * width, n);
      size_t i = lo, j = mid, out = lo;
      while (i < mid && j < hi) {
        if (v[j] < v[i]) {
          inversions += mid - i;  // v[j] jumps ahead of every element left in the left run
          buffer[out++] = v[j++];
        } else {
          buffer[out++] = v[i++];
        }
      }
      while (i < mid) buffer[out++] = v[i++];
      while (j < hi) buffer[out++] = v[j++];
    }
    v.swap(buffer);
  }
  return inversions;
}

// Kendall tau-b by Knight (1966), as in scipy.stats.kendalltau:
//   tau_b = (n0 - n1 - n2 + n3 - 2 * D) / sqrt((n0 - n1) * (n0 - n2))
// with n0 all pairs, n1 / n2 pairs tied in x / y, n3 pairs tied in both and D the
// discordant pairs, counted as the inversions of y once the points are sorted by (x, y).
double kendall_tau_b(std::span<const double> x, std::span<const double> y) {
  const size_t n = x.size();
  if (n < 2) return 0;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]); });
  const uint64_t x_ties = tied_pairs(n, [&](size_t i, size_t j) { return x[order[i]] == x[order[j]]; });
  const uint64_t joint_ties =
      tied_pairs(n, [&](size_t i, size_t j) { return x[order[i]] == x[order[j]] && y[order[i]] == y[order[j]]; });

  std::vector<double> ys(n);
  for (size_t i = 0; i < n; ++i) ys[i] = y[order[i]];
  // Pairs tied in x are already ascending in y, so they add no inversions.
  const uint64_t discordant = sort_counting_inversions(ys);
  const uint64_t y_ties = tied_pairs(n, [&](size_t i, size_t j) { return ys[i] == ys[j]; });

  const uint64_t total = static_cast<uint64_t>(n) * (n - 1) / 2;
  if (x_ties == total || y_ties == total) return 0;  // a constant side: tau-b is undefined
  // The numerator can be negative; int64 holds it since total < 2^63 for any n that fits
  // in memory.
  const int64_t concordant_minus_discordant =
      static_cast<int64_t>(total - x_ties - y_ties + joint_ties) - 2 * static_cast<int64_t>(discordant);
  const double tau = static_cast<double>(concordant_minus_discordant) /
                     std::sqrt(static_cast<double>(total - x_ties) * static_cast<double>(total - y_ties));
  return std::clamp(tau, -1.0, 1.0);
}

}  // namespace

std::vector<double> average_ranks(std::span<const double> v) {
  const size_t n = v.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(n);
  size_t start = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (i == n || v[order[i]] != v[order[start]]) {
      // Positions start..i-1 hold ranks start+1..i; their mean is (start + 1 + i) / 2.
      const double rank = (static_cast<double>(start) + 1.0 + static_cast<double>(i)) / 2.0;
      for (size_t k = start; k < i; ++k) ranks[order[k]] = rank;
      start = i;
    }
  }
  return ranks;
}

// Centred sums: stable for ranks up to 10^5 and beyond.
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = a.size();
  if (n < 2) return 0;
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / static_cast<double>(n);
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    const double da = a[i] - mean_a, db = b[i] - mean_b;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa == 0 || sbb == 0) return 0;
  // Rounding can push |r| a hair past 1; clamp so callers may rely on the range.
  return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

Result<Metrics> compute_metrics(std::span<const double> predicted, std::span<const double> measured) {
  if (predicted.size() != measured.size()) {
    return invalid("compute_metrics: " + std::to_string(predicted.size()) + " predicted values but " +
                   std::to_string(measured.size()) + " measured values");
  }
  const size_t n = measured.size();
  for (size_t i = 0; i < n; ++i) {
    // `!(m > 0)` also rejects NaN; relative errors need a positive, finite reference.
    if (!(measured[i] > 0) || !std::isfinite(measured[i])) {
      return invalid("compute_metrics: measured[" + std::to_string(i) + "] = " + format_double(measured[i]) +
                     " must be finite and > 0");
    }
    if (!std::isfinite(predicted[i])) {
      return invalid("compute_metrics: predicted[" + std::to_string(i) + "] = " + format_double(predicted[i]) +
                     " is not finite");
    }
  }
  Metrics m;
  m.n = n;
  if (n == 0) return m;

  double abs_rel = 0, sq_rel = 0, sq = 0, log_ratio = 0;
  size_t within5 = 0, within10 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double diff = predicted[i] - measured[i];
    const double rel = std::abs(diff) / measured[i];
    abs_rel += rel;
    sq_rel += rel * rel;
    sq += diff * diff;
    // A prediction of zero or less has no log ratio; it counts as a factor-of-1000 miss.
    log_ratio += predicted[i] > 0 ? std::log(predicted[i] / measured[i]) : std::log(1e-3);
    if (rel <= 0.05 + kAccuracyEpsilon) ++within5;
    if (rel <= 0.10 + kAccuracyEpsilon) ++within10;
  }
  const auto count = static_cast<double>(n);
  m.mape = abs_rel / count;
  m.rmspe = std::sqrt(sq_rel / count);
  m.rmse_ms = std::sqrt(sq / count);
  m.acc5 = static_cast<double>(within5) / count;
  m.acc10 = static_cast<double>(within10) / count;
  m.bias = std::exp(log_ratio / count) - 1;
  m.kendall_tau = kendall_tau_b(predicted, measured);
  m.spearman = pearson(average_ranks(predicted), average_ranks(measured));
  return m;
}

nlohmann::json metrics_to_json(const Metrics& m) {
  return nlohmann::json{{"n", m.n},
                        {"mape", m.mape},
                        {"rmspe", m.rmspe},
                        {"rmse_ms", m.rmse_ms},
                        {"acc5", m.acc5},
                        {"acc10", m.acc10},
                        {"bias", m.bias},
                        {"kendall_tau", m.kendall_tau},
                        {"spearman", m.spearman}};
}

}  // namespace nnlat::eval
