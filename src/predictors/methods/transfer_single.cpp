// transfer-single: today's single-source transfer (predictors/transfer.hpp) from the one
// source, among all given, that is closest to the target on its K training networks
// (closest_source: the smallest spread of log target − log source). The baseline that
// multi-source transfer is compared with, and what it falls back to with K < 3.
#include <cmath>
#include <limits>
#include <optional>

#include "predictors/method_model.hpp"
#include "predictors/multi_source_transfer.hpp"
#include "predictors/transfer.hpp"

namespace nnlat::predictors {
namespace {

class TransferSingleMethod final : public MethodModel {
 public:
  MethodTraits traits() const override { return {}; }

  Status fit(const FitContext& c) override {
    const auto sources = static_cast<Eigen::Index>(c.data.source_targets.size());
    const auto k = static_cast<Eigen::Index>(c.network_rows.size());
    Eigen::MatrixXd x(k, sources);
    Eigen::VectorXd y(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      const auto& n = c.data.networks[c.network_rows[static_cast<size_t>(i)]];
      y(i) = std::log(n.latency_ms);
      for (Eigen::Index s = 0; s < sources; ++s) {
        const double ms = source_latency_ms(n.kernels, static_cast<size_t>(s));
        x(i, s) = ms > 0 ? std::log(ms) : std::numeric_limits<double>::quiet_NaN();
      }
    }
    const size_t source = sources > 0 ? closest_source(x, y) : 0;
    NNLAT_ASSIGN_OR_RETURN(model_, TransferModel::fit(c.data, c.network_rows, c.options.regressor, source));
    return Status::Ok();
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels&, bool, PredictionCache*) const override {
    NetworkPrediction out;
    out.latency_ms = model_->predict_ms(network);
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override { j["transfer"] = model_->to_json(); }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string& source) override {
    if (!j.contains("transfer"))
      return make_error(ErrorCode::kParseError, source + ": method transfer-single without a transfer model");
    NNLAT_ASSIGN_OR_RETURN(model_, TransferModel::from_json(j.at("transfer"), source));
    return Status::Ok();
  }

 private:
  std::optional<TransferModel> model_;
};

}  // namespace

std::unique_ptr<MethodModel> make_transfer_single() { return std::make_unique<TransferSingleMethod>(); }

}  // namespace nnlat::predictors
