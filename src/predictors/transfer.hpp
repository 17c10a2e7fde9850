// Few-shot transfer to a new target (docs/phones.md): a target with only K measured networks
// borrows a fully known source target. In log space,
//   log t = a + b · log s [+ c · log MACs] + r(network features)
// where s is the network's latency on the source (its measurement, or the source model's
// prediction for a network the source never ran), a, b (and c) are fitted on the K networks
// with priors pulling b toward 1 and c toward 0 (for K = 5 a shift is about all that can be
// learned); the MACs term is used when leave-one-out over the K networks prefers it; r is a
// ridge correction on whole-network features (from 5 networks on), with its
// strength chosen by leave-one-out over the K networks (or left out when it does not help).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

class TransferModel {
 public:
  // `network_rows`: the K target networks to learn the correction from; `source`: which of
  // data.source_targets to map from. The source model is fitted on every network of `data`
  // that has a latency on that source (the source is fully known).
  static Result<TransferModel> fit(const TrainingSet& data, std::span<const size_t> network_rows,
                                   const RegressorOptions& options, size_t source = 0);
  double predict_ms(const NetworkKernels& network) const;

  nlohmann::json to_json() const;
  static Result<TransferModel> from_json(const nlohmann::json& j, const std::string& source);

 private:
  double source_log_ms(const NetworkKernels& network) const;
  std::string source_target_;
  size_t source_index_ = 0;  // its place in TrainingSet::source_targets (NetworkKernels::sources_ms)
  std::vector<double> coefficients_ = {0.0, 1.0};  // on [1, log s] or [1, log s, log MACs]
  bool use_macs_ = false;
  double residual_lambda_ = 0;  // 0: no residual model
  std::shared_ptr<Regressor> residual_;
  std::shared_ptr<Regressor> source_model_;  // log source ms from network features
};

}  // namespace nnlat::predictors
