// Small closed-form fits shared by the predictors: the overhead model that turns kernel
// predictions into an end-to-end latency, and the FLOPs-proportional baseline. Both minimise
// squared *relative* error (weights 1/measured²), because users judge latency predictions in
// percent, and keep their coefficients non-negative.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "nnlat/features/kernel_features.hpp"

namespace nnlat::predictors {

// Weighted least squares y ≈ X·c with weights w; the columns flagged in `nonnegative`
// (all when empty) are constrained to c ≥ 0 by dropping the most negative one and refitting
// (a small active-set loop; a handful of columns). `columns[j]` is column j of X. Returns one
// coefficient per column (0 for dropped ones).
std::vector<double> fit_nonnegative_least_squares(const std::vector<std::vector<double>>& columns,
                                                  std::span<const double> y, std::span<const double> w,
                                                  const std::vector<bool>& nonnegative = {});

// Implementations per family the composition can tell apart (== kMaxImplementations of the
// kernel-selection classifier).
inline constexpr size_t kImplementationSlots = 8;

// A network's kernel predictions summed per kernel family.
struct FamilyTotals {
  std::array<double, features::kNumFamilies> sum_ms{};
  std::array<double, features::kNumFamilies> count{};
  double weight_mb = 0;      // weights the kernels read (MB)
  double activation_mb = 0;  // activations read and written (MB)
  // Kernels per (family, implementation) slot, for kernels whose implementation the
  // predictor chose (kernel selection): slot = family × kImplementationSlots + index.
  std::array<double, features::kNumFamilies * kImplementationSlots> implementation_count{};
  double total_ms() const;
  void add(const features::KernelFeatures& f, double ms);
  void add_implementation(features::KernelFamily family, size_t implementation);
};

// Overhead model: e2e = constant_ms + Σ_family (per_kernel_ms[f] × kernels of f
//                                               + scale[f] × Σ kernel predictions of f).
// The scales are non-negative; the constant and per-kernel terms may be negative: an isolated
// kernel's time includes an invocation cost that a kernel inside a network does not pay, so
// for tiny kernels the sum overestimates. The result is never below min_ratio × the kernel
// sum (below).
// Per family because what a kernel costs inside a network beyond its isolated time depends
// on what it is: on XNNPACK a concat or split is a separate operator between subgraph
// segments (ShuffleNet's and GhostNet's kernel sums are only ~0.65 of end to end, MobileNets'
// ~0.88), while a convolution inside one subgraph costs about its isolated time.
struct OverheadModel {
  double constant_ms = 0;
  std::array<double, features::kNumFamilies> per_kernel_ms{};
  std::array<double, features::kNumFamilies> scale{};
  // Isolated kernels run with their weights hot in cache; inside a network each layer's
  // weights come from memory once per inference: a cost per MB of weights (≥ 0), and one per
  // MB of activations (either sign).
  double per_weight_mb_ms = 0;
  double per_activation_mb_ms = 0;
  // What a kernel of an implementation costs beyond its own time (≥ 0): a Winograd
  // convolution is three dispatches (input transform, products, output transform) where a
  // direct one is one. Per (family, implementation) slot; 0 for slots never seen.
  std::array<double, features::kNumFamilies * kImplementationSlots> per_implementation_ms{};
  size_t networks = 0;  // networks it was fitted on (0: identity model)
  bool per_family = false;
  // The floor of end to end / kernel sum: the lowest ratio among its training networks, but
  // at most 1 (a network below its kernel sum only as far as some training network ran below
  // its own), at least 0.2. Why: the model is linear in sums and counts, fitted on networks
  // of some size, and extrapolates its additive terms freely to a network unlike all of them.
  // Held out of training, NAS-Bench-201 cells (a hundred kernels of a few µs each) got a
  // constant and a per-kernel cost fitted on networks of 2–60 ms, −0.19 ms and −2 µs, and
  // were predicted at 0.63 of their kernel sum, though every network ran above its kernel sum
  // (docs/accuracy.md). No ceiling: a ceiling at the highest training ratio cut networks that
  // really run far above their kernel sum (TFLite s10 GPU, fdmobilenet_wd4: 7.7x).
  double min_ratio = 0.2;

  OverheadModel() { scale.fill(1.0); }
  double apply(const FamilyTotals& totals) const;
};

// With at least as many networks as coefficients every family present in the training
// networks gets its own scale (shrunk toward the shared one), plus traffic and segment terms;
// otherwise one constant, one per-kernel cost and one scale shared by all families; with
// fewer than 10 networks only the scale; none: the identity.
OverheadModel fit_overhead(std::span<const FamilyTotals> totals, std::span<const double> measured_ms);

}  // namespace nnlat::predictors
