// e2e-gbdt and e2e-ridge: one regression of log latency on whole-network aggregated
// features (predictors/network_features.hpp); they differ only in the regressor.
#include "predictors/log_target.hpp"
#include "predictors/method_model.hpp"
#include "predictors/network_features.hpp"

namespace nnlat::predictors {
namespace {

RegressorOptions network_regressor_options(const RegressorOptions& base) {
  // Whole-network regressions see tens of rows: shallow trees, strong shrinkage.
  RegressorOptions o = base;
  o.gbdt_rounds = 200;
  o.gbdt_max_depth = 3;
  o.gbdt_learning_rate = 0.05;
  o.ridge_lambda = 1.0;
  return o;
}

class EndToEndModel final : public MethodModel {
 public:
  EndToEndModel(RegressorKind kind, Method method) : kind_(kind), method_(method) {}

  MethodTraits traits() const override { return {}; }

  Status fit(const FitContext& c) override {
    FeatureMatrix x(c.network_rows.size(), network_feature_names().size());
    std::vector<double> y;
    for (size_t i = 0; i < c.network_rows.size(); ++i) {
      const auto& net = c.data.networks[c.network_rows[i]];
      const auto row = network_features(net.kernels);
      std::copy(row.begin(), row.end(), x.row(i).begin());
      y.push_back(to_target(net.latency_ms));
    }
    NNLAT_ASSIGN_OR_RETURN(model_, make_regressor(kind_, network_regressor_options(c.options.regressor)));
    return model_->fit(x, y);
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels&, bool, PredictionCache*) const override {
    NetworkPrediction out;
    out.latency_ms = from_target(model_->predict(network_features(network)));
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override { j["network_model"] = model_->to_json(); }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string& source) override {
    auto fail = [&](const std::string& what) { return make_error(ErrorCode::kParseError, source + ": " + what); };
    if (j.at("network_model").is_null())
      return fail("method " + std::string(method_name(method_)) + " without a network_model");
    NNLAT_ASSIGN_OR_RETURN(model_, regressor_from_json(j.at("network_model"), source + ": network_model"));
    if (model_->num_features() != network_feature_names().size()) {
      return fail("network_model takes " + std::to_string(model_->num_features()) +
                  " whole-network features, this nnlat computes " + std::to_string(network_feature_names().size()) +
                  "; retrain the predictor");
    }
    return Status::Ok();
  }

 private:
  RegressorKind kind_;
  Method method_;
  std::unique_ptr<Regressor> model_;
};

}  // namespace

std::unique_ptr<MethodModel> make_e2e_gbdt() {
  return std::make_unique<EndToEndModel>(RegressorKind::kGbdt, Method::kE2eGbdt);
}
std::unique_ptr<MethodModel> make_e2e_ridge() {
  return std::make_unique<EndToEndModel>(RegressorKind::kRidge, Method::kE2eRidge);
}

}  // namespace nnlat::predictors
