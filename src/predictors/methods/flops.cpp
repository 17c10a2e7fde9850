// flops: latency = a · MACs + b, fitted on the training networks by relative least squares
// with non-negative coefficients.
#include "predictors/method_model.hpp"

namespace nnlat::predictors {
namespace {

class FlopsModel final : public MethodModel {
 public:
  MethodTraits traits() const override { return {}; }

  Status fit(const FitContext& c) override {
    std::vector<double> macs;
    std::vector<double> measured;
    std::vector<double> w;
    for (size_t n : c.network_rows) {
      const double ms = c.data.networks[n].latency_ms;
      macs.push_back(static_cast<double>(c.data.networks[n].kernels.macs));
      measured.push_back(ms);
      w.push_back(1.0 / (ms * ms));
    }
    const auto coefficients = fit_nonnegative_least_squares({macs, std::vector<double>(macs.size(), 1.0)}, measured, w);
    ms_per_mac_ = coefficients[0];
    constant_ms_ = coefficients[1];
    return Status::Ok();
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels&, bool, PredictionCache*) const override {
    NetworkPrediction out;
    out.latency_ms = ms_per_mac_ * static_cast<double>(network.macs) + constant_ms_;
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override {
    j["flops"] = {{"ms_per_mac", ms_per_mac_}, {"constant_ms", constant_ms_}};
  }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string&) override {
    ms_per_mac_ = j.at("flops").at("ms_per_mac").get<double>();
    constant_ms_ = j.at("flops").at("constant_ms").get<double>();
    return Status::Ok();
  }

 private:
  double ms_per_mac_ = 0;
  double constant_ms_ = 0;
};

}  // namespace

std::unique_ptr<MethodModel> make_flops() { return std::make_unique<FlopsModel>(); }

}  // namespace nnlat::predictors
