// `nnlat predict` as a library call: a trained predictor's latency (with interval and
// per-kernel breakdown) for each model reference.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/app/ready_predictors.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {

struct PredictRequest {
  std::string predictor;            // file written by `nnlat train`
  std::vector<std::string> models;  // model references or directories
  bool breakdown = true;            // false: only the network latency (the memoised fast path)
  // A store measured now on the predictor's target: its reference networks' figures against
  // those of the training store scale every prediction (device drift; calibration.hpp).
  std::string calibrate_db;
  // Instead of `predictor`, a ready target (ready_predictors.hpp): exactly one of the two.
  // Last, so that initialisers written before it keep their meaning.
  std::string target;
  ReadyOptions ready;  // where a ready target's data and cache are
};

struct ModelPrediction {
  std::string reference;
  std::string name;
  size_t kernels = 0;  // kernels the network decomposed into
  predictors::NetworkPrediction prediction;
  // The predictor file that predicted it: a ready core set's CNN-only model for a network
  // without attention, its main file otherwise (docs/ready-predictors.md, recipe 4).
  std::string predictor;
};

struct PredictResult {
  std::string predictor;  // the file used (a ready target's: its cache file)
  std::string method;
  std::string target;
  bool breakdown = true;
  std::optional<predictors::Calibration> calibration;  // applied to every prediction
  std::vector<ModelPrediction> models;                 // in the order given, up to the first failure
  // A model that failed to load or decompose: the models before it are predicted.
  std::optional<Error> failure;

  // One JSON object per model (the `predict --json` line).
  nlohmann::ordered_json to_json(const ModelPrediction& model) const;
};

// The predictor file a request names: `predictor` itself, or the cache file of the ready
// `target` (built first when missing); exactly one of the two must be given.
// `kind`: which of a ready core set's two models (ready_predictors.hpp ReadyNetworkKind).
Result<std::string> predictor_file(const std::string& predictor, const std::string& target, const ReadyOptions& ready,
                                   ReadyNetworkKind kind = ReadyNetworkKind::kWithAttention);

// An error when the predictor or the references cannot be opened; a model failing later is
// reported in PredictResult::failure.
Result<PredictResult> predict(const PredictRequest& request);

}  // namespace nnlat::app
