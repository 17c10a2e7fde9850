// Regressors behind one interface (DESIGN.md principle 9): fit / predict / save / load.
// They know nothing about kernels or latency: rows of float features in, one number out.
// The caller chooses the target space (kernel predictors fit log latency) and the features.
//
// Every regressor saves to JSON that fully describes it, and loading never needs the library
// that trained it: tree ensembles trained by XGBoost are stored as our own flat tree arrays
// and evaluated by our compiled evaluator (no per-call XGBoost overhead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/options.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::predictors {

// Row-major dense feature matrix.
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // rows * cols

  FeatureMatrix() = default;
  FeatureMatrix(size_t r, size_t c) : rows(r), cols(c), values(r * c, 0.0f) {}
  std::span<const float> row(size_t i) const { return {values.data() + i * cols, cols}; }
  std::span<float> row(size_t i) { return {values.data() + i * cols, cols}; }
  float& at(size_t r, size_t c) { return values[r * cols + c]; }
  float at(size_t r, size_t c) const { return values[r * cols + c]; }
  void append_row(std::span<const float> r);  // cols must match (or the matrix be empty)
  FeatureMatrix select_rows(std::span<const size_t> indices) const;
};

enum class RegressorKind {
  kLinear,        // ordinary least squares (tiny ridge for conditioning)
  kRidge,         // L2-regularised least squares on standardised features
  kLasso,         // L1-regularised (coordinate descent) on standardised features
  kGbdt,          // gradient-boosted trees (XGBoost training, own evaluation)
  kRandomForest,  // random forest (XGBoost num_parallel_tree, own evaluation)
  kMlp,           // small multi-layer perceptron (Eigen, Adam)
  kRidgeGbdt,     // GBDT on the residual of a ridge fit (extrapolates the ridge trend)
};
std::string_view regressor_kind_name(
    RegressorKind kind);  // "linear", "ridge", "lasso", "gbdt", "rf", "mlp", "ridge+gbdt"
Result<RegressorKind> parse_regressor_kind(std::string_view name);
std::vector<RegressorKind> all_regressor_kinds();

// Hyperparameters. The defaults suit a few hundred to tens of thousands of kernel rows with
// 10-30 features on a log-latency target.
struct RegressorOptions {
  // gbdt
  int gbdt_rounds = 300;
  int gbdt_max_depth = 6;
  double gbdt_learning_rate = 0.08;
  double gbdt_subsample = 0.9;
  double gbdt_min_child_weight = 1.0;
  // rf
  int rf_trees = 200;
  int rf_max_depth = 10;
  double rf_subsample = 0.7;
  double rf_colsample = 0.7;
  // linear models
  double ridge_lambda = 1e-2;
  double lasso_lambda = 1e-3;
  // mlp
  std::vector<int> mlp_hidden = {64, 64};
  int mlp_epochs = 400;
  double mlp_learning_rate = 3e-3;
  double mlp_weight_decay = 1e-5;
  int mlp_batch = 64;
  // all
  uint64_t seed = 0;
  int threads = 1;  // training threads (XGBoost nthread)
};

// Each field once: JSON key, help, bounds and the kinds that use it (its groups: kind names).
// A saved model's "options" block, the checks of make_regressor, the flags and the docs' table
// all come from this list.
std::span<const options::Field<RegressorOptions>> regressor_option_fields();
// The docs' table of the fields (docs/options.md holds it; a test keeps them equal).
std::string regressor_options_markdown();
// Every field within its bounds, whatever kind will use it (the flags of train, eval and
// learning-curve set them before any kind is chosen): kInvalidArgument naming the key.
Status validate_regressor_options(const RegressorOptions& options);

class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual RegressorKind kind() const = 0;
  // Fits on the rows of `x` against `y` (same length). Errors: no rows, length mismatch,
  // non-finite values, library failure. Refitting replaces the previous model.
  virtual Status fit(const FeatureMatrix& x, std::span<const double> y) = 0;
  // Requires a fitted (or loaded) model and row.size() == the fitted column count.
  virtual double predict(std::span<const float> row) const = 0;
  // Predicts every row into out (out.size() == x.rows).
  virtual void predict_many(const FeatureMatrix& x, std::span<double> out) const;
  // {"kind": "...", ...}: everything needed to rebuild the fitted model.
  virtual nlohmann::json to_json() const = 0;
  virtual size_t num_features() const = 0;
};

Result<std::unique_ptr<Regressor>> make_regressor(RegressorKind kind, const RegressorOptions& options = {});
// Rebuilds a regressor saved by to_json(); a malformed object is an error naming `source`.
Result<std::unique_ptr<Regressor>> regressor_from_json(const nlohmann::json& j, const std::string& source);

}  // namespace nnlat::predictors
