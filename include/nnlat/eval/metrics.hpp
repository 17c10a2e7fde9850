// Accuracy metrics of latency predictions (predicted vs measured, both in ms). The splits
// used to estimate them honestly (folds, draws, quantiles) live in core/sampling.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/sampling.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::eval {

struct Metrics {
  size_t n = 0;
  double mape = 0;     // mean |p - m| / m, as a fraction (0.04 = 4%)
  double rmspe = 0;    // sqrt(mean(((p - m) / m)^2)), fraction
  double rmse_ms = 0;  // sqrt(mean((p - m)^2)), ms
  double acc5 = 0;     // share of predictions with |p - m| / m <= 0.05
  double acc10 = 0;    // ... <= 0.10
  // Systematic error: the geometric mean of p / m, minus 1 (+0.07: predictions 7% high on
  // average). What drift between two stores shows as, while MAPE mixes it with scatter.
  double bias = 0;
  double kendall_tau = 0;  // tau-b (ties handled); 0 when n < 2 or a side is constant
  double spearman = 0;     // Pearson correlation of average ranks; 0 when undefined
};

// Requires equal lengths and measured values > 0 (kInvalidArgument otherwise). n == 0 gives
// all-zero metrics.
Result<Metrics> compute_metrics(std::span<const double> predicted, std::span<const double> measured);

// 1-based ranks; a group of equal values gets the mean of the ranks it spans.
std::vector<double> average_ranks(std::span<const double> v);
// Pearson correlation of equal-length vectors; 0 when n < 2 or a side is constant.
double pearson(const std::vector<double>& a, const std::vector<double>& b);

// {"n", "mape", "rmspe", "rmse_ms", "acc5", "acc10", "bias", "kendall_tau", "spearman"}
nlohmann::json metrics_to_json(const Metrics& m);

}  // namespace nnlat::eval
