// ridge+gbdt: gradient-boosted trees on the residual of a ridge fit. Trees alone are flat
// outside the training range (a kernel four times larger than any seen is predicted like
// the largest seen); the ridge part on log features carries the scaling trend beyond it,
// and the trees correct what the trend misses inside it.
#include "predictors/regressor_impl.hpp"

namespace nnlat::predictors {
namespace {

class RidgeGbdtRegressor final : public Regressor {
 public:
  explicit RidgeGbdtRegressor(const RegressorOptions& options) : options_(options) {}

  RegressorKind kind() const override { return RegressorKind::kRidgeGbdt; }

  Status fit(const FeatureMatrix& x, std::span<const double> y) override {
    NNLAT_RETURN_IF_ERROR(validate_training_data(kind(), x, y));
    auto ridge = make_linear_regressor(RegressorKind::kRidge, options_);
    NNLAT_RETURN_IF_ERROR(ridge->fit(x, y));
    std::vector<double> residual(y.begin(), y.end());
    for (size_t i = 0; i < x.rows; ++i) residual[i] -= ridge->predict(x.row(i));
    auto trees = make_xgboost_regressor(RegressorKind::kGbdt, options_);
    NNLAT_RETURN_IF_ERROR(trees->fit(x, residual));
    ridge_ = std::move(ridge);
    trees_ = std::move(trees);
    return Status::Ok();
  }

  double predict(std::span<const float> row) const override {
    if (!ridge_ || !trees_) return invalid_prediction();
    return ridge_->predict(row) + trees_->predict(row);
  }

  nlohmann::json to_json() const override {
    return {{"kind", std::string(regressor_kind_name(kind()))},
            {"version", kRegressorFormatVersion},
            {"num_features", num_features()},
            {"ridge", ridge_ ? ridge_->to_json() : nlohmann::json(nullptr)},
            {"gbdt", trees_ ? trees_->to_json() : nlohmann::json(nullptr)}};
  }

  size_t num_features() const override { return ridge_ ? ridge_->num_features() : 0; }

  static Result<std::unique_ptr<Regressor>> from_json(const nlohmann::json& j) {
    NNLAT_ASSIGN_OR_RETURN(size_t n, read_num_features(j));
    auto out = std::make_unique<RidgeGbdtRegressor>(RegressorOptions{});
    NNLAT_ASSIGN_OR_RETURN(out->ridge_, linear_regressor_from_json(RegressorKind::kRidge, j.at("ridge")));
    NNLAT_ASSIGN_OR_RETURN(out->trees_, xgboost_regressor_from_json(RegressorKind::kGbdt, j.at("gbdt")));
    if (out->ridge_->num_features() != n || out->trees_->num_features() != n) {
      return make_error(ErrorCode::kParseError, "ridge+gbdt: parts disagree on the feature count");
    }
    return std::unique_ptr<Regressor>(std::move(out));
  }

 private:
  RegressorOptions options_;
  std::unique_ptr<Regressor> ridge_;
  std::unique_ptr<Regressor> trees_;
};

}  // namespace

std::unique_ptr<Regressor> make_ridge_gbdt_regressor(const RegressorOptions& options) {
  return std::make_unique<RidgeGbdtRegressor>(options);
}

Result<std::unique_ptr<Regressor>> ridge_gbdt_regressor_from_json(const nlohmann::json& j) {
  return RidgeGbdtRegressor::from_json(j);
}

}  // namespace nnlat::predictors
