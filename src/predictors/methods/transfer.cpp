// transfer: few-shot prediction for a new target from fully known source targets: with one
// source, its latencies mapped log-linearly (predictors/transfer.hpp); with several, the
// multi-source ridge model (predictors/multi_source_transfer.hpp). transfer-select lets
// leave-one-target-out choose between that model, the multi-task GBDT, their mean and the
// single source; transfer-gbdt imposes the GBDT (to measure it alone). The file says which
// model predicts, so a file of any of them loads as the others.
#include "predictors/transfer.hpp"

#include <optional>

#include "predictors/method_model.hpp"
#include "predictors/multi_source_transfer.hpp"

namespace nnlat::predictors {
namespace {

class TransferMethod final : public MethodModel {
 public:
  explicit TransferMethod(TransferModelMode mode) : mode_(mode) {}
  MethodTraits traits() const override { return {}; }

  Status fit(const FitContext& c) override {
    single_.reset();
    multi_.reset();
    if (c.data.source_targets.size() > 1) {
      NNLAT_ASSIGN_OR_RETURN(multi_, MultiSourceTransfer::fit(c.data, c.network_rows, c.options.regressor, mode_,
                                                              c.options.encoding_features));
    } else {
      NNLAT_ASSIGN_OR_RETURN(single_, TransferModel::fit(c.data, c.network_rows, c.options.regressor));
    }
    return Status::Ok();
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels&, bool, PredictionCache*) const override {
    NetworkPrediction out;
    out.latency_ms = multi_ ? multi_->predict_ms(network) : single_->predict_ms(network);
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override {
    if (multi_) {
      j["transfer_multi"] = multi_->to_json();
    } else {
      j["transfer"] = single_->to_json();
    }
  }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string& source) override {
    if (j.contains("transfer_multi")) {
      NNLAT_ASSIGN_OR_RETURN(multi_, MultiSourceTransfer::from_json(j.at("transfer_multi"), source));
      return Status::Ok();
    }
    if (!j.contains("transfer"))
      return make_error(ErrorCode::kParseError, source + ": method transfer without a transfer model");
    NNLAT_ASSIGN_OR_RETURN(single_, TransferModel::from_json(j.at("transfer"), source));
    return Status::Ok();
  }

 private:
  TransferModelMode mode_;
  std::optional<TransferModel> single_;
  std::optional<MultiSourceTransfer> multi_;
};

}  // namespace

std::unique_ptr<MethodModel> make_transfer() { return std::make_unique<TransferMethod>(TransferModelMode::kRidge); }
std::unique_ptr<MethodModel> make_transfer_select() {
  return std::make_unique<TransferMethod>(TransferModelMode::kAuto);
}
std::unique_ptr<MethodModel> make_transfer_gbdt() {
  return std::make_unique<TransferMethod>(TransferModelMode::kMultiTask);
}

}  // namespace nnlat::predictors
