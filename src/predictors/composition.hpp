// Small closed-form fits shared by the predictors: the overhead model that turns a sum of
// kernel predictions into an end-to-end latency, and the FLOPs-proportional baseline. Both
// minimise squared *relative* error (weights 1/measured²), because users judge latency
// predictions in percent, and keep their coefficients non-negative.
#pragma once

#include <span>
#include <vector>

namespace nnlat::predictors {

// Weighted least squares y ≈ X·c with weights w, columns constrained to c ≥ 0 by dropping
// negative ones and refitting (a small active-set loop; at most a handful of columns).
// `columns[j]` is column j of X. Returns one coefficient per column (0 for dropped ones).
std::vector<double> fit_nonnegative_least_squares(const std::vector<std::vector<double>>& columns,
                                                  std::span<const double> y, std::span<const double> w);

// Overhead model: e2e = constant_ms + per_kernel_ms * kernels + scale * kernel_sum_ms.
struct OverheadModel {
  double constant_ms = 0;
  double per_kernel_ms = 0;
  double scale = 1;
  size_t networks = 0;  // networks it was fitted on (0: identity model)

  double apply(double kernel_sum_ms, size_t kernels) const {
    return constant_ms + per_kernel_ms * static_cast<double>(kernels) + scale * kernel_sum_ms;
  }
};
// Needs ≥ 3 networks for all three terms; with 1-2 only the scale is fitted; none gives the
// identity model.
OverheadModel fit_overhead(std::span<const double> kernel_sum_ms, std::span<const double> kernel_counts,
                           std::span<const double> measured_ms);

}  // namespace nnlat::predictors
