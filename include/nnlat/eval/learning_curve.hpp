// "How little profiling is enough": accuracy on a fixed set of held-out networks as a
// function of the number of profiled kernels and training networks.
#pragma once

#include <cstddef>
#include <vector>

#include "nnlat/eval/metrics.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::eval {

struct LearningCurveOptions {
  predictors::TrainOptions train;
  std::vector<size_t> kernel_budgets;   // 0 = all available kernels
  std::vector<size_t> network_budgets;  // 0 = all training networks
  double test_fraction = 0.3;
  int repeats = 3;
  uint64_t seed = 0;
};

struct LearningCurvePoint {
  size_t kernels = 0;   // kernels trained on (actual, after capping at what is available)
  size_t networks = 0;  // training networks
  Metrics mean;         // mean over repeats
  double mape_std = 0;  // spread of MAPE over repeats
  int repeats = 0;
};

struct LearningCurve {
  size_t test_networks = 0;
  size_t pool_networks = 0;
  size_t pool_kernels = 0;  // kernels not in any test network
  std::vector<LearningCurvePoint> points;
};

// Each repeat draws a test set (test_fraction of the networks), then nested training subsets
// (larger budgets contain smaller ones) from the rest; kernels of test networks are never
// trained on.
Result<LearningCurve> learning_curve(const predictors::TrainingSet& data, const LearningCurveOptions& options);

}  // namespace nnlat::eval
