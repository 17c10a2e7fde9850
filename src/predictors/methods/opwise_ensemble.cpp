// opwise-ensemble: the geometric mean of three op-wise learners trained on the same rows.
#include <array>
#include <cmath>

#include "predictors/method_model.hpp"

namespace nnlat::predictors {
namespace {

// The members: the three op-wise learners with the lowest CV error on the CPU stores of
// docs/accuracy.md; their errors are partly independent.
constexpr std::array<Method, 3> kEnsembleMembers = {Method::kOpwiseGbdt, Method::kOpwiseRf, Method::kOpwiseMlp};

class EnsembleModel final : public MethodModel {
 public:
  MethodTraits traits() const override { return {.needs_kernels = true, .opwise = true, .needs_hashes = false}; }
  // The members fit their own kernel models; the ensemble keeps only the global ratio.
  FamilyFitPlan family_plan() const override { return {}; }

  Status fit(const FitContext& c) override {
    for (Method m : kEnsembleMembers) {
      TrainOptions member = c.options;
      member.method = m;
      member.calibrate = false;  // the ensemble calibrates its own interval
      member.family_kinds.clear();
      NNLAT_ASSIGN_OR_RETURN(auto trained, LatencyPredictor::train(c.data, c.kernel_rows, c.network_rows, member));
      members_.push_back(std::move(trained));
    }
    return Status::Ok();
  }

  // Geometric mean of the members' network latencies; the breakdown averages their kernels.
  NetworkPrediction predict(const NetworkKernels& network, const KernelModels&, bool with_breakdown,
                            PredictionCache*) const override {
    NetworkPrediction out;
    double log_sum = 0;
    const double count = static_cast<double>(members_.size());
    for (size_t m = 0; m < members_.size(); ++m) {
      const auto p = members_[m].predict(network, with_breakdown, nullptr);
      log_sum += std::log(p.latency_ms);
      out.kernel_sum_ms += p.kernel_sum_ms / count;
      if (m == 0) {
        out.kernels = p.kernels;
        out.extrapolated_kernels = p.extrapolated_kernels;
      } else {
        for (size_t k = 0; k < out.kernels.size() && k < p.kernels.size(); ++k)
          out.kernels[k].latency_ms += p.kernels[k].latency_ms;
      }
    }
    for (auto& k : out.kernels) k.latency_ms /= count;
    out.latency_ms = std::exp(log_sum / count);
    return out;
  }

  std::string predicted_implementation(const KernelModels& kernels, const features::KernelFeatures& f) const override {
    return members_.empty() ? kernels.predicted_implementation(f) : members_.front().predicted_implementation(f);
  }

  void write_json(nlohmann::json& j, const KernelModels&) const override {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : members_) members.push_back(m.to_json());
    j["members"] = members;
  }
  Status read_json(const nlohmann::json& j, const KernelModels&, const std::string& source) override {
    for (const auto& m : j.at("members")) {
      NNLAT_ASSIGN_OR_RETURN(auto member, LatencyPredictor::from_json(m, source + ": ensemble member"));
      members_.push_back(std::move(member));
    }
    if (members_.empty()) return make_error(ErrorCode::kParseError, source + ": opwise-ensemble without members");
    return Status::Ok();
  }

 private:
  std::vector<LatencyPredictor> members_;
};

}  // namespace

std::unique_ptr<MethodModel> make_opwise_ensemble() { return std::make_unique<EnsembleModel>(); }

}  // namespace nnlat::predictors
