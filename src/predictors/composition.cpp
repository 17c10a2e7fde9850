#include "predictors/composition.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace nnlat::predictors {

std::vector<double> fit_nonnegative_least_squares(const std::vector<std::vector<double>>& columns,
                                                  std::span<const double> y, std::span<const double> w) {
  const size_t m = columns.size();
  std::vector<bool> active(m, true);
  std::vector<double> coef(m, 0.0);
  for (size_t round = 0; round <= m; ++round) {
    std::vector<size_t> idx;
    for (size_t j = 0; j < m; ++j) {
      if (active[j]) idx.push_back(j);
    }
    std::fill(coef.begin(), coef.end(), 0.0);
    if (idx.empty() || y.empty()) return coef;
    Eigen::MatrixXd a(static_cast<Eigen::Index>(y.size()), static_cast<Eigen::Index>(idx.size()));
    Eigen::VectorXd b(static_cast<Eigen::Index>(y.size()));
    for (size_t i = 0; i < y.size(); ++i) {
      const double sw = std::sqrt(w[i]);
      for (size_t k = 0; k < idx.size(); ++k) {
        a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = sw * columns[idx[k]][i];
      }
      b(static_cast<Eigen::Index>(i)) = sw * y[i];
    }
    const Eigen::VectorXd x = a.colPivHouseholderQr().solve(b);
    bool negative = false;
    for (size_t k = 0; k < idx.size(); ++k) {
      coef[idx[k]] = x(static_cast<Eigen::Index>(k));
      if (!(coef[idx[k]] >= 0)) {
        active[idx[k]] = false;
        negative = true;
      }
    }
    if (!negative) return coef;
  }
  std::fill(coef.begin(), coef.end(), 0.0);
  return coef;
}

OverheadModel fit_overhead(std::span<const double> kernel_sum_ms, std::span<const double> kernel_counts,
                           std::span<const double> measured_ms) {
  OverheadModel model;
  const size_t n = measured_ms.size();
  model.networks = n;
  if (n == 0) return model;
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 1.0 / (measured_ms[i] * measured_ms[i]);
  std::vector<double> sums(kernel_sum_ms.begin(), kernel_sum_ms.end());
  if (n < 3) {
    const auto c = fit_nonnegative_least_squares({sums}, measured_ms, w);
    model.scale = c[0] > 0 ? c[0] : 1.0;
    return model;
  }
  const std::vector<double> ones(n, 1.0);
  std::vector<double> counts(kernel_counts.begin(), kernel_counts.end());
  const auto c = fit_nonnegative_least_squares({ones, counts, sums}, measured_ms, w);
  model.constant_ms = c[0];
  model.per_kernel_ms = c[1];
  model.scale = c[2];
  if (model.scale <= 0) {  // degenerate data: keep the sum, which is never worse than a constant
    model = OverheadModel{};
    model.networks = n;
  }
  return model;
}

}  // namespace nnlat::predictors
