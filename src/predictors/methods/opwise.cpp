// The op-wise learners (opwise-gbdt, -rf, -linear, -mlp): a regressor per kernel family,
// chosen among the learner's candidates by cross-validation, with kernel selection, and an
// overhead model that turns the kernel predictions into an end-to-end latency. They differ
// only in their candidates.
#include "predictors/kernel_sum.hpp"
#include "predictors/method_model.hpp"
#include "predictors/overhead_json.hpp"

namespace nnlat::predictors {
namespace {

class OpwiseModel final : public MethodModel {
 public:
  explicit OpwiseModel(std::vector<RegressorKind> candidates) : candidates_(std::move(candidates)) {}

  MethodTraits traits() const override { return {.needs_kernels = true, .opwise = true, .needs_hashes = false}; }
  FamilyFitPlan family_plan() const override { return {candidates_, true}; }
  bool kernel_wise() const override { return true; }
  double compose(const FamilyTotals& totals) const override { return overhead_.apply(totals); }

  Status fit(const FitContext& c) override {
    std::vector<FamilyTotals> totals;
    std::vector<double> measured;
    for (size_t n : c.network_rows) {
      totals.push_back(c.kernels.family_totals(c.data.networks[n].kernels));
      measured.push_back(c.data.networks[n].latency_ms);
    }
    overhead_ = fit_overhead(totals, measured);
    return Status::Ok();
  }

  NetworkPrediction predict(const NetworkKernels& network, const KernelModels& kernels, bool with_breakdown,
                            PredictionCache* cache) const override {
    FamilyTotals totals;
    NetworkPrediction out =
        sum_kernels(network, with_breakdown, totals,
                    [&](size_t, const features::KernelFeatures& f) { return kernels.cached_kernel_ms(f, cache); });
    out.latency_ms = compose(totals);
    return out;
  }

  void write_json(nlohmann::json& j, const KernelModels& kernels) const override {
    j["overhead"] = overhead_to_json(overhead_, kernels);
  }
  Status read_json(const nlohmann::json& j, const KernelModels& kernels, const std::string& source) override {
    NNLAT_ASSIGN_OR_RETURN(overhead_, overhead_from_json(j.at("overhead"), kernels, source));
    return Status::Ok();
  }

 private:
  std::vector<RegressorKind> candidates_;
  OverheadModel overhead_;
};

}  // namespace

std::unique_ptr<MethodModel> make_opwise_gbdt() {
  return std::make_unique<OpwiseModel>(
      std::vector{RegressorKind::kGbdt, RegressorKind::kRidgeGbdt, RegressorKind::kRidge});
}
std::unique_ptr<MethodModel> make_opwise_rf() {
  return std::make_unique<OpwiseModel>(std::vector{RegressorKind::kRandomForest, RegressorKind::kRidge});
}
std::unique_ptr<MethodModel> make_opwise_linear() {
  return std::make_unique<OpwiseModel>(
      std::vector{RegressorKind::kRidge, RegressorKind::kLinear, RegressorKind::kLasso});
}
std::unique_ptr<MethodModel> make_opwise_mlp() {
  return std::make_unique<OpwiseModel>(std::vector{RegressorKind::kMlp, RegressorKind::kRidge});
}

}  // namespace nnlat::predictors
