// lut: the sum of measured kernels, looked up by kernel hash (the median where a kernel was
// timed several times); a kernel the table lacks gets the declared fallback (its family's
// median ms per byte times its bytes). No overhead model: the plain sum.
#include <unordered_map>

#include "predictors/kernel_sum.hpp"
#include "predictors/log_target.hpp"
#include "predictors/method_model.hpp"

namespace nnlat::predictors {
namespace {

class LutModel final : public MethodModel {
 public:
  MethodTraits traits() const override { return {.needs_kernels = true, .opwise = false, .needs_hashes = true}; }

  Status fit(const FitContext& c) override {
    std::unordered_map<std::string, std::vector<double>> rows;  // a kernel timed in several networks
    for (size_t r : c.kernel_rows) rows[c.data.kernels[r].hash].push_back(c.data.kernels[r].latency_ms);
    for (auto& [hash, ms] : rows) table_[hash] = median(ms);
    return Status::Ok();
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels& kernels, bool with_breakdown,
                            PredictionCache*) const override {
    FamilyTotals totals;
    NetworkPrediction out =
        sum_kernels(network, with_breakdown, totals, [&](size_t i, const features::KernelFeatures& f) {
          KernelEstimate e;
          const auto it = i < network.hashes.size() ? table_.find(network.hashes[i]) : table_.find(std::string());
          e.extrapolated = it == table_.end();
          e.ms = e.extrapolated ? kernels.fallback_ms(f) : it->second;  // declared fallback for missing kernels
          return e;
        });
    out.latency_ms = out.kernel_sum_ms;
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override {
    nlohmann::json lut = nlohmann::json::object();
    for (const auto& [h, ms] : table_) lut[h] = ms;
    j["lut"] = lut;
  }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string&) override {
    for (const auto& [h, ms] : j.at("lut").items()) table_[h] = ms.get<double>();
    return Status::Ok();
  }

 private:
  std::unordered_map<std::string, double> table_;  // kernel hash → median ms
};

}  // namespace

std::unique_ptr<MethodModel> make_lut() { return std::make_unique<LutModel>(); }

}  // namespace nnlat::predictors
