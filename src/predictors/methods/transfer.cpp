// transfer: few-shot prediction for a new target from a fully known source target
// (predictors/transfer.hpp holds the model).
#include "predictors/transfer.hpp"

#include <optional>

#include "predictors/method_model.hpp"

namespace nnlat::predictors {
namespace {

class TransferMethod final : public MethodModel {
 public:
  MethodTraits traits() const override { return {}; }

  Status fit(const FitContext& c) override {
    NNLAT_ASSIGN_OR_RETURN(model_, TransferModel::fit(c.data, c.network_rows, c.options.regressor));
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
      return make_error(ErrorCode::kParseError, source + ": method transfer without a transfer model");
    NNLAT_ASSIGN_OR_RETURN(model_, TransferModel::from_json(j.at("transfer"), source));
    return Status::Ok();
  }

 private:
  std::optional<TransferModel> model_;
};

}  // namespace

std::unique_ptr<MethodModel> make_transfer() { return std::make_unique<TransferMethod>(); }

}  // namespace nnlat::predictors
