// Private plumbing shared by the regressor implementations: input checks, the options block
// every saved model carries, JSON field readers, and one factory pair per implementation file
// (regressor.cpp dispatches on the kind, so no file needs to know the others' classes).
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"

namespace nnlat::predictors {

// Bumped when a saved regressor's layout changes; loading another version is an error.
inline constexpr int kRegressorFormatVersion = 1;

// The fit() preconditions shared by every kind: rows, matching lengths, finite values.
// Messages start with the kind's name because a fit has no file to name.
Status validate_training_data(RegressorKind kind, const FeatureMatrix& x, std::span<const double> y);
// Hyperparameters in range for `kind` (only the ones that kind uses are checked).
Status validate_options(RegressorKind kind, const RegressorOptions& options);

// The hyperparameters `kind` uses, saved with the model so that a loaded model can be refitted
// the same way. options_from_json reads them back (missing fields are errors) and validates.
nlohmann::json options_to_json(RegressorKind kind, const RegressorOptions& options);
Result<RegressorOptions> options_from_json(RegressorKind kind, const nlohmann::json& j);

// JSON readers for the loaders. They may throw nlohmann::json exceptions on type errors;
// regressor_from_json converts those; semantic problems come back as errors.
Result<size_t> read_num_features(const nlohmann::json& j);
Result<std::vector<double>> read_finite_array(const nlohmann::json& j, const char* key, size_t expected_size);
Result<double> read_finite_number(const nlohmann::json& j, const char* key);

// Quiet NaN: what predict() returns for a row of the wrong width or an unfitted model, since
// predict() has no error channel and a silent zero would pass for a real prediction.
double invalid_prediction();

// One pair per implementation file.
std::unique_ptr<Regressor> make_linear_regressor(RegressorKind kind, const RegressorOptions& options);
Result<std::unique_ptr<Regressor>> linear_regressor_from_json(RegressorKind kind, const nlohmann::json& j);
std::unique_ptr<Regressor> make_xgboost_regressor(RegressorKind kind, const RegressorOptions& options);
Result<std::unique_ptr<Regressor>> xgboost_regressor_from_json(RegressorKind kind, const nlohmann::json& j);
std::unique_ptr<Regressor> make_mlp_regressor(const RegressorOptions& options);
Result<std::unique_ptr<Regressor>> mlp_regressor_from_json(const nlohmann::json& j);
std::unique_ptr<Regressor> make_ridge_gbdt_regressor(const RegressorOptions& options);
Result<std::unique_ptr<Regressor>> ridge_gbdt_regressor_from_json(const nlohmann::json& j);

}  // namespace nnlat::predictors
