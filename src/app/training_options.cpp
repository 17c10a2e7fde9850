#include "nnlat/app/training_options.hpp"

namespace nnlat::app {

Result<predictors::TrainOptions> make_train_options(const TrainingFlags& flags) {
  NNLAT_ASSIGN_OR_RETURN(const auto method, predictors::parse_method(flags.method));
  NNLAT_RETURN_IF_ERROR(predictors::validate_regressor_options(flags.regressor));
  predictors::TrainOptions options;
  options.method = method;
  options.regressor = flags.regressor;
  options.seed = flags.seed;
  options.coverage = flags.coverage;
  options.calibrate = flags.calibrate;
  options.encoding_features = flags.encoding_features;
  options.regressor.seed = flags.seed;
  options.regressor.threads = flags.threads;
  return options;
}

predictors::TrainOptions with_method(predictors::TrainOptions options, predictors::Method method) {
  options.method = method;
  return options;
}

}  // namespace nnlat::app
