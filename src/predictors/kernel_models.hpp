// The per-family kernel models every predictor file carries ("families" and
// "global_ms_per_byte"): a regressor per kernel family (chosen among a method's candidates by
// cross-validation), its training range, the ratio fallback, and the kernel-selection
// classifier. Op-wise methods predict kernels with them; lut falls back on their ratios.
#pragma once

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nnlat/predictors/predictor.hpp"
#include "predictors/composition.hpp"
#include "predictors/implementation_classifier.hpp"

namespace nnlat::predictors {

// The model of one kernel family.
struct FamilyModel {
  size_t rows = 0;
  std::unique_ptr<Regressor> model;  // null: ratio fallback
  double ms_per_byte = 0;            // median latency / bytes over the family's rows
  std::vector<float> min;            // training range of every feature
  std::vector<float> max;
  nlohmann::json selection = nlohmann::json::object();  // candidate → CV mean |log error|
  // Kernel selection: when the rows name ≥ 2 implementations, a classifier predicts one from
  // the features and the regressor sees it as one-hot columns after the features.
  std::optional<ImplementationClassifier> classifier;
  // Roofline prior: ms ≈ base_ms + per_mac · MACs + per_byte · bytes (relative least
  // squares, non-negative). The regressor learns log(ms / prior), so a kernel larger than any
  // seen scales with its work instead of sticking to the largest one seen (trees are flat
  // outside their data). All zero: no prior (the regressor learns log ms).
  std::array<double, 3> prior{};
  nlohmann::json classifier_accuracy;  // in-sample share right, for the file's readers

  double prior_ms(const features::KernelFeatures& f) const;
  size_t implementation_columns() const;
};

// How the family models are fitted: the regressor candidates (empty: no family models, only
// the global ratio) and whether the kernel-selection classifier is learned.
struct FamilyFitPlan {
  std::vector<RegressorKind> candidates;
  bool learn_implementations = false;
};

class KernelModels {
 public:
  // Fits on the given kernel rows of `data`.
  Status fit(const TrainingSet& data, std::span<const size_t> kernel_rows, const FamilyFitPlan& plan,
             const TrainOptions& options);

  // One kernel: latency, extrapolated, and the implementation the classifier chose (-1: the
  // family has no kernel selection).
  KernelEstimate kernel_ms(const features::KernelFeatures& f) const;
  // kernel_ms through the batch's cache when there is one.
  KernelEstimate cached_kernel_ms(const features::KernelFeatures& f, PredictionCache* cache) const;
  // What a kernel without a regressor costs: its family's median ms-per-byte (over all
  // kernels for a family never measured) times its bytes.
  double fallback_ms(const features::KernelFeatures& f) const;
  // Kernel predictions of a network summed per family (op-wise methods).
  FamilyTotals family_totals(const NetworkKernels& network) const;
  std::string predicted_implementation(const features::KernelFeatures& f) const;

  // The regressor kind each family chose (nullopt: ratio fallback), indexed by family.
  std::vector<std::optional<RegressorKind>> chosen_kinds() const;
  // Rows per family that has any, by family name.
  nlohmann::json rows_per_family() const;
  // The classifier's implementation names of a family (empty without kernel selection).
  const std::vector<std::string>& implementation_names(features::KernelFamily family) const;

  // The file's "families" and "global_ms_per_byte".
  void write_json(nlohmann::json& j) const;
  // `target`: the file's target context, which decides each family's feature count.
  Status read_json(const nlohmann::json& j, const features::TargetContext& target, const std::string& source);

 private:
  std::array<FamilyModel, features::kNumFamilies> families_;
  double global_ms_per_byte_ = 0;
};

// Adds a kernel's estimate to a network's family totals (its implementation slot included).
void add_estimate(FamilyTotals& totals, const features::KernelFeatures& f, const KernelEstimate& e);

}  // namespace nnlat::predictors
