// `nnlat learning-curve` as a library call: accuracy on held-out networks versus the number
// of profiled kernels and training networks.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/training_options.hpp"
#include "nnlat/eval/learning_curve.hpp"

namespace nnlat::app {

struct LearningCurveRequest {
  std::string db;
  std::string target;
  std::string rules;          // empty: the target's default
  std::string transfer_from;  // --method transfer / transfer-single: --from's sources, or "all"
  std::vector<size_t> kernel_budgets = {50, 100, 200, 500, 1000, 0};  // 0: all
  std::vector<size_t> network_budgets = {0};                          // 0: all not held out
  double test_fraction = 0.3;
  int repeats = 3;
  std::string csv;  // non-empty: also write the curve here
  // The seed draws the test sets and training subsets and seeds the regressors; the curve
  // never calibrates intervals.
  TrainingFlags training = {.calibrate = false, .regressor = {}};
};

struct LearningCurveResult {
  std::string target;
  std::string method;
  int repeats = 0;
  eval::LearningCurve curve;

  nlohmann::json to_json() const;  // the `learning-curve --json` object
};

Result<LearningCurveResult> learning_curve(const LearningCurveRequest& request);

}  // namespace nnlat::app
