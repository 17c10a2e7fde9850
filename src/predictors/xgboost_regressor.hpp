// Tree-ensemble training through XGBoost's C API, exposed here (privately) so that a test can
// check the conversion: our evaluator must reproduce XGBoost's own predictions.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "predictors/tree_ensemble.hpp"

namespace nnlat::predictors {

// Rows for XGBoost to predict before its booster is freed, and its answers.
struct XgboostCheck {
  FeatureMatrix x;
  std::vector<double> xgboost_predictions;
};

// Trains `kind` (kGbdt or kRandomForest) with XGBoost and converts the booster into our
// evaluator; the booster is freed before returning. No input validation beyond XGBoost's own:
// NaN features are XGBoost's missing values (Regressor::fit rejects them earlier).
Result<TreeEnsemble> train_xgboost_ensemble(RegressorKind kind, const RegressorOptions& options, const FeatureMatrix& x,
                                            std::span<const double> y, XgboostCheck* check = nullptr);

// Converts the JSON that XGBoosterSaveModelToBuffer writes with {"format": "json"}.
Result<TreeEnsemble> ensemble_from_xgboost_json(std::string_view model_json, size_t num_features);

}  // namespace nnlat::predictors
