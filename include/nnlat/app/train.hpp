// `nnlat train` as a library call: fit a predictor from a store's measurements, save it, and
// summarise what it learned.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/training_options.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::app {

struct TrainRequest {
  std::string db;
  std::string target;
  std::string rules;          // empty: the target's default rule set
  std::string transfer_from;  // --method transfer: the source target(s), comma-separated, or "all"
  std::string output;         // predictor file to write
  TrainingFlags training;
};

struct TrainedFamily {
  std::string name;
  size_t rows = 0;
  std::string model;                                    // regressor kind, or "ratio-fallback"
  nlohmann::json selection = nlohmann::json::object();  // candidate → CV mean |log error|
  double overhead_per_kernel_ms = 0;
  double overhead_scale = 1;
};

struct TrainedOverhead {
  bool per_family = false;
  size_t networks = 0;
  double constant_ms = 0;
  double per_weight_mb_ms = 0;
  double per_activation_mb_ms = 0;
};

struct TrainedInterval {
  bool calibrated = false;
  size_t networks = 0;
  double coverage = 0.9;
  double low_ratio = 0.8;  // multiplier of the prediction (≤ 1)
  double high_ratio = 1.25;
};

struct TrainResult {
  std::string predictor;  // the file written
  std::string method;
  std::string target;
  std::string rules;
  predictors::MethodTraits traits;
  size_t kernels = 0;  // rows trained on
  size_t networks = 0;
  double train_seconds = 0;
  size_t unstable = 0;                                      // measurements with a high CV among the training data
  std::vector<std::string> transfer_sources;                // --from: the transfer source targets
  std::vector<predictors::TransferMatch> transfer_matches;  // how their latencies were found per network
  std::vector<TrainedFamily> families;
  TrainedOverhead overhead;
  TrainedInterval interval;
  // The predictor file's own sections, repeated verbatim in the summary.
  nlohmann::json overhead_section;
  nlohmann::json interval_section;
  nlohmann::json training_section;

  nlohmann::json to_json() const;  // the `train --json` summary
};

Result<TrainResult> train(const TrainRequest& request);

}  // namespace nnlat::app
