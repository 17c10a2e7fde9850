// The interface behind LatencyPredictor: one implementation per method (or per kind of
// method), each in its own file under src/predictors/methods/, listed once in
// include/nnlat/predictors/methods.inc. What every method shares (target, rules, the
// per-family kernel models, the calibrated interval, the training summary) stays in
// LatencyPredictor; a MethodModel holds only what its method learns.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/predictors/predictor.hpp"
#include "predictors/kernel_models.hpp"

namespace nnlat::predictors {

// What a method's fit sees. The kernel models are already fitted (with the method's
// FamilyFitPlan) when fit() runs.
struct FitContext {
  const TrainingSet& data;
  std::span<const size_t> kernel_rows;
  std::span<const size_t> network_rows;
  const TrainOptions& options;
  const KernelModels& kernels;
};

class MethodModel {
 public:
  virtual ~MethodModel() = default;

  virtual MethodTraits traits() const = 0;
  // How the shared kernel models are fitted for this method. Every method but the ensemble
  // fits them (version-1 files carry them, and lut falls back on their ratios): ridge only,
  // without kernel selection, unless the method predicts kernels with them.
  virtual FamilyFitPlan family_plan() const { return {{RegressorKind::kRidge}, false}; }

  virtual Status fit(const FitContext& context) = 0;
  // The network's latency (and, for methods that predict kernels, kernel sum and breakdown);
  // the caller applies the interval.
  virtual NetworkPrediction predict(const NetworkKernels& network, const KernelModels& kernels, bool with_breakdown,
                                    PredictionCache* cache) const = 0;
  // Kernel-wise methods (the op-wise learners): the network latency is compose() of the
  // per-family totals of estimate_kernel() over its kernels, and predict() runs exactly that.
  // The encoding fast path (encoding_predictor.hpp) memoises estimate_kernel per distinct
  // kernel and calls the same compose, so both paths give the same figure bit for bit.
  virtual bool kernel_wise() const { return false; }
  virtual KernelEstimate estimate_kernel(const features::KernelFeatures& f, const KernelModels& kernels) const {
    return kernels.kernel_ms(f);
  }
  virtual double compose(const FamilyTotals& totals) const { return totals.total_ms(); }

  virtual std::string predicted_implementation(const KernelModels& kernels, const features::KernelFeatures& f) const {
    return kernels.predicted_implementation(f);
  }

  // Overwrites the sections of the predictor file this method owns (the file always carries
  // every version-1 section; LatencyPredictor writes their empty defaults first).
  virtual void write_json(nlohmann::json& j, const KernelModels& kernels) const = 0;
  // Reads those sections back (a method that owns none reads nothing).
  virtual Status read_json(const nlohmann::json& j, const KernelModels& kernels, const std::string& source) = 0;
};

// A fresh, untrained model of the method (the registry's factory).
std::unique_ptr<MethodModel> make_method_model(Method method);

// The factories, one per registry line (defined in the methods' files).
#define NNLAT_METHOD(id, name, baseline, factory) std::unique_ptr<MethodModel> factory();
#include "nnlat/predictors/methods.inc"
#undef NNLAT_METHOD

}  // namespace nnlat::predictors
