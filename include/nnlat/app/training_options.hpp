// The training flags that `train`, `eval` and `learning-curve` share, turned into
// TrainOptions in one place (so that a flag means the same in all three).
#pragma once

#include <cstdint>
#include <string>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {

struct TrainingFlags {
  std::string method = "opwise-gbdt";
  uint64_t seed = 0;      // model-selection and calibration folds, and the regressors' own seed
  double coverage = 0.9;  // nominal coverage of the prediction interval
  int threads = 1;        // training threads (XGBoost)
  bool calibrate = true;  // false: skip the interval's calibration folds
  // Divide every measurement by its campaign's drift factor (from the reference networks the
  // campaign re-measured) before training: store::Store::campaign_drift.
  bool correct_drift = false;
  // Multi-source transfer: a NAS space's encoding features join the architecture terms.
  bool encoding_features = false;
  // Hyperparameters of the regressors (flags --gbdt-rounds, --rf-trees, ...; docs/options.md).
  // Their seed and threads are the two fields above.
  predictors::RegressorOptions regressor;
};

// Parses the method, checks the regressor hyperparameters and fills TrainOptions
// (kInvalidArgument for an unknown method or a hyperparameter out of bounds).
Result<predictors::TrainOptions> make_train_options(const TrainingFlags& flags);
// The same options for another method (eval's baselines on the same splits).
predictors::TrainOptions with_method(predictors::TrainOptions options, predictors::Method method);

}  // namespace nnlat::app
