// The loop every method that predicts kernels shares (op-wise learners, lut): estimate each
// kernel, sum them (overall and per family), count extrapolations, and keep the breakdown.
#pragma once

#include "nnlat/predictors/predictor.hpp"
#include "predictors/kernel_models.hpp"

namespace nnlat::predictors {

// Adds one kernel's estimate to a network's sums: the kernel sum, the extrapolation count and
// the family totals the composition reads. The generic loop below and the encoding fast path
// (encoding_predictor.cpp) both add through here, in execution order, so their sums agree
// bit for bit.
inline void add_kernel(NetworkPrediction& out, FamilyTotals& totals, const features::KernelFeatures& f,
                       const KernelEstimate& e) {
  out.kernel_sum_ms += e.ms;
  add_estimate(totals, f, e);
  out.extrapolated_kernels += e.extrapolated ? 1 : 0;
}

// `estimate(i, features)` returns kernel i's KernelEstimate. Fills kernel_sum_ms,
// extrapolated_kernels and (when asked and the network was decomposed with its kernel list)
// the breakdown; latency_ms is left to the caller.
template <class Estimate>
NetworkPrediction sum_kernels(const NetworkKernels& network, bool with_breakdown, FamilyTotals& totals,
                              Estimate&& estimate) {
  NetworkPrediction out;
  const size_t n = network.features.size();
  with_breakdown = with_breakdown && network.kernels.size() == n;  // decomposed with kernels
  if (with_breakdown) out.kernels.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const features::KernelFeatures& f = network.features[i];
    const KernelEstimate e = estimate(i, f);
    add_kernel(out, totals, f, e);
    if (with_breakdown) {
      const auto& k = network.kernels[i];
      out.kernels.push_back({k.name, k.type, std::string(features::family_name(f.family)), e.ms, e.extrapolated});
    }
  }
  return out;
}

}  // namespace nnlat::predictors
