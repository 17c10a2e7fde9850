// Op-wise few-shot transfer (docs/transfer.md, "Op-wise transfer"): a new target that timed
// its kernels inside K networks borrows a source target's kernel predictor. Per kernel family
// f, in log space,
//   log t_target = a_f + b_f · log t_source_pred
// fitted on the K networks' kernel rows, each family's line shrunk toward one global line
// (and, within a family, per implementation the source picks, shrunk toward the family's)
// (a family with few kernels is about the global line; with few kernels in all the global line
// is a pure scale, b = 1). A network is the source's overhead model applied to the adapted
// kernels, times a scale fitted on the K networks, or the target's own overhead model refitted
// on the K networks over the adapted kernels, whichever leave-one-out over the K prefers.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

struct OverheadModel;  // predictors/composition.hpp (private)

// One kernel seen by both: the source predictor's estimate and the target's measured time.
struct KernelPair {
  features::KernelFamily family{};
  int implementation = -1;  // the source classifier's choice for the kernel (-1: none)
  double source_ms = 0;
  double target_ms = 0;
};

class KernelFamilyMap {
 public:
  struct Line {
    double a = 0;  // log-space intercept
    double b = 1;  // log-space slope
  };
  // Pseudo-counts of the shrinkage: a family's level counts the global line as this many
  // kernels, its slope as kSlopePseudoKernels kernels spread like all the kernels. Below
  // kMinPairsForSlope pairs in all, the global line is a pure scale (b = 1).
  static constexpr double kLevelPseudoKernels = 5;
  static constexpr double kSlopePseudoKernels = 20;
  static constexpr size_t kMinPairsForSlope = 20;

  // Pairs with a time ≤ 0 on either side (a kernel fused into the one before it) are skipped;
  // none left is an error.
  static Result<KernelFamilyMap> fit(std::span<const KernelPair> pairs);
  // The identity: every kernel as the source predicts it.
  static KernelFamilyMap identity() { return {}; }

  // The kernel's (family, source implementation) line, else its family's, else the global one.
  double map_ms(features::KernelFamily family, int implementation, double source_ms) const;
  const Line& global() const { return global_; }
  // The family's own line; nullopt when no kernel of the family was seen (the global one applies).
  const std::optional<Line>& family(features::KernelFamily family) const;

 private:
  Line global_;
  std::array<std::optional<Line>, features::kNumFamilies> families_{};
  // Within a family, one line per implementation the source's classifier picks (a source
  // that runs a convolution as Winograd where the target does not needs its own ratio there),
  // shrunk toward the family's line as the family's toward the global one.
  std::map<std::pair<size_t, int>, Line> implementations_;
};

class OpwiseTransfer {
 public:
  // `source`: a kernel-wise predictor (opwise-*) of the source target, outliving this model;
  // `target`: the target's training set; `network_rows`: the K target networks to learn from
  // (their in-network kernel rows fit the kernel map; without any, the map is the identity
  // and only the network-level scale is learned).
  static Result<OpwiseTransfer> fit(const LatencyPredictor& source, const TrainingSet& target,
                                    std::span<const size_t> network_rows);
  double predict_ms(const NetworkKernels& network) const;

  const KernelFamilyMap& kernel_map() const { return map_; }
  // True when the target's overhead model (refitted on the K) won over the scaled source one.
  bool target_overhead() const { return overhead_ != nullptr; }
  size_t kernel_pairs() const { return pairs_; }

 private:
  const LatencyPredictor* source_ = nullptr;
  KernelFamilyMap map_;
  double log_scale_ = 0;                           // on the source overhead's composition
  std::shared_ptr<const OverheadModel> overhead_;  // null: the source's, scaled
  size_t pairs_ = 0;
};

}  // namespace nnlat::predictors
