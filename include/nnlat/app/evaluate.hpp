// `nnlat eval` as a library call: cross-validated accuracy of a method by network (k-fold or
// repeated --train-size draws) beside the baselines on the very same splits, or a trained
// predictor on a store's networks; with the run-to-run noise floor.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/training_options.hpp"
#include "nnlat/eval/evaluation.hpp"

namespace nnlat::app {

struct EvalRequest {
  std::string db;
  std::string target;     // empty: the predictor's
  std::string predictor;  // non-empty: evaluate this trained predictor instead of training
  std::string rules;      // empty: the predictor's, else the target's default
  std::string transfer_from;
  int cv = 5;
  size_t train_size = 0;  // > 0: repeated random draws of this many training networks
  int repeats = 10;
  std::vector<std::string> baselines = {"flops", "lut", "e2e-ridge"};  // "none": none
  std::string csv;         // non-empty: every held-out prediction of every method, as CSV
  TrainingFlags training;  // training.calibrate = false skips the calibration inside splits
};

struct EvalResult {
  std::string target;
  std::string protocol;  // how the networks were split, in words
  size_t kernels_measured = 0;
  size_t networks_measured = 0;
  std::vector<eval::MethodReport> reports;  // the chosen method first, then the baselines
  eval::Metrics noise_floor;                // n == 0: no network was measured twice
  bool repeated = false;                    // repeated draws (means and spreads over draws)
  bool intervals_calibrated = true;         // false: the coverage column means nothing

  nlohmann::json to_json() const;  // the `eval --json` object
};

Result<EvalResult> evaluate(const EvalRequest& request);

}  // namespace nnlat::app
