// `nnlat eval` as a library call: cross-validated accuracy of a method by network (k-fold,
// leave-one-family-out or repeated --train-size draws) beside the baselines on the very same
// splits, or a trained predictor on a store's networks; with the run-to-run noise floor and
// each method's error as a multiple of it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/app/training_options.hpp"
#include "nnlat/eval/evaluation.hpp"
#include "nnlat/predictors/calibration.hpp"

namespace nnlat::app {

struct EvalRequest {
  std::string db;
  std::string target;         // empty: the predictor's
  std::string predictor;      // non-empty: evaluate this trained predictor instead of training
  std::string rules;          // empty: the predictor's, else the target's default
  std::string transfer_from;  // --from A,B,C, or "all" (--from-all)
  // > 0, with --train-size: the first this many of the reference networks
  // (predictors::choose_reference_networks) are always among the training networks.
  size_t reference_networks = 0;
  std::string cv = "5";   // folds of the k-fold CV by network (>= 2), or "family": leave one family out
  size_t train_size = 0;  // > 0: repeated random draws of this many training networks
  int repeats = 10;
  std::vector<std::string> baselines = {"flops", "lut", "e2e-ridge"};  // "none": none
  std::string csv;         // non-empty: every held-out prediction of every method, as CSV
  TrainingFlags training;  // training.calibrate = false skips the calibration inside splits
  // With `predictor`: scale its predictions by the drift between its training store and `db`,
  // read from the reference networks both measured (predictors/calibration.hpp).
  bool calibrate_drift = false;
  // --opwise-from SOURCE, with --train-size: also the op-wise transfer from SOURCE's opwise-gbdt
  // kernel predictor (predictors/opwise_transfer.hpp) on the same draws.
  std::string opwise_from;
};

struct EvalResult {
  std::string target;
  std::string protocol;  // how the networks were split, in words
  std::string cv;        // "kfold", "family", "train-size", or "none" (a trained predictor)
  size_t splits = 0;     // folds, held-out families or draws (1 for a trained predictor)
  size_t kernels_measured = 0;
  size_t networks_measured = 0;
  std::vector<eval::MethodReport> reports;                  // the chosen method first, then the baselines
  eval::Metrics noise_floor;                                // n == 0: no network was measured twice
  bool repeated = false;                                    // repeated draws (means and spreads over draws)
  bool intervals_calibrated = true;                         // false: the coverage column means nothing
  std::optional<predictors::Calibration> calibration;       // set with calibrate_drift
  std::vector<std::string> transfer_sources;                // --from: the transfer source targets
  std::vector<predictors::TransferMatch> transfer_matches;  // how their latencies were found per network
  std::vector<std::string> reference_networks;              // --reference-networks: their names
  std::optional<eval::MethodReport> opwise_transfer;        // --opwise-from: on the same splits
  std::string opwise_source;

  nlohmann::json to_json() const;  // the `eval --json` object
  std::string to_text() const;     // the tables `eval` prints (evaluate_text.cpp)
};

// The MAPE a report stands for (the mean over draws when repeated) divided by the noise
// floor's; 0 when there is no floor (noise_floor.n == 0) or it is exactly 0.
double noise_floor_ratio(const eval::MethodReport& report, const eval::Metrics& noise_floor);

Result<EvalResult> evaluate(const EvalRequest& request);

}  // namespace nnlat::app
