// Evaluation of the op-wise transfer (predictors/opwise_transfer.hpp) on the splits of a
// target: the source's op-wise predictor is trained once on every row of the source (the
// source is fully known), then each split fits the transfer on its training networks and
// predicts its test networks.
#pragma once

#include <vector>

#include "nnlat/eval/evaluation.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::eval {

// `source_options.method` must be an op-wise method (it predicts the source's kernels).
Result<MethodReport> evaluate_opwise_transfer(const predictors::TrainingSet& source,
                                              const predictors::TrainingSet& target, const std::vector<Split>& splits,
                                              const predictors::TrainOptions& source_options, bool repeated);

}  // namespace nnlat::eval
