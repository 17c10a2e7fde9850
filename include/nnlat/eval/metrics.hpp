// Accuracy metrics of latency predictions (predicted vs measured, both in ms) and the
// splits used to estimate them honestly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::eval {

struct Metrics {
  size_t n = 0;
  double mape = 0;         // mean |p - m| / m, as a fraction (0.04 = 4%)
  double rmspe = 0;        // sqrt(mean(((p - m) / m)^2)), fraction
  double rmse_ms = 0;      // sqrt(mean((p - m)^2)), ms
  double acc5 = 0;         // share of predictions with |p - m| / m <= 0.05
  double acc10 = 0;        // ... <= 0.10
  double kendall_tau = 0;  // tau-b (ties handled); 0 when n < 2 or a side is constant
  double spearman = 0;     // Pearson correlation of average ranks; 0 when undefined
};

// Requires equal lengths and measured values > 0 (kInvalidArgument otherwise). n == 0 gives
// all-zero metrics.
Result<Metrics> compute_metrics(std::span<const double> predicted, std::span<const double> measured);

// {"n", "mape", "rmspe", "rmse_ms", "acc5", "acc10", "kendall_tau", "spearman"}
nlohmann::json metrics_to_json(const Metrics& m);

// Assigns each of n items to one of k folds (0..k-1), balanced (sizes differ by at most one)
// and shuffled with `seed` (same seed, same folds). Requires 2 <= k <= n.
Result<std::vector<int>> kfold_assignment(size_t n, int k, uint64_t seed);

// Draws `count` distinct indices from [0, n) with `seed`, sorted. Requires count <= n.
Result<std::vector<size_t>> sample_without_replacement(size_t n, size_t count, uint64_t seed);

// Quantile (linear interpolation, q in [0,1]) of values; requires a non-empty span.
double quantile(std::vector<double> values, double q);

}  // namespace nnlat::eval
