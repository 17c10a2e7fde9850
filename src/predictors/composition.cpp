#include "predictors/composition.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

namespace nnlat::predictors {

std::vector<double> fit_nonnegative_least_squares(const std::vector<std::vector<double>>& columns,
                                                  std::span<const double> y, std::span<const double> w,
                                                  const std::vector<bool>& nonnegative) {
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
    // Drop only the most negative coefficient per round: dropping all at once can discard a
    // column that is positive once its correlated neighbour is gone.
    size_t worst = m;
    for (size_t k = 0; k < idx.size(); ++k) {
      coef[idx[k]] = x(static_cast<Eigen::Index>(k));
      const bool constrained = nonnegative.empty() || nonnegative[idx[k]];
      if (constrained && !(coef[idx[k]] >= 0) && (worst == m || !(coef[idx[k]] >= coef[worst]))) worst = idx[k];
    }
    if (worst == m) return coef;
    active[worst] = false;
  }
  std::fill(coef.begin(), coef.end(), 0.0);
  return coef;
}

double FamilyTotals::total_ms() const {
  double t = 0;
  for (double s : sum_ms) t += s;
  return t;
}

void FamilyTotals::add(const features::KernelFeatures& f, double ms) {
  sum_ms[static_cast<size_t>(f.family)] += ms;
  count[static_cast<size_t>(f.family)] += 1;
  weight_mb += static_cast<double>(f.weight_bytes) * 1e-6;
  activation_mb += static_cast<double>(f.bytes - f.weight_bytes) * 1e-6;
}

void FamilyTotals::add_implementation(features::KernelFamily family, size_t implementation) {
  implementation_count[static_cast<size_t>(family) * kImplementationSlots + implementation] += 1;
}

double OverheadModel::apply(const FamilyTotals& totals) const {
  double e2e = constant_ms + per_weight_mb_ms * totals.weight_mb + per_activation_mb_ms * totals.activation_mb;
  for (size_t s = 0; s < per_implementation_ms.size(); ++s) {
    e2e += per_implementation_ms[s] * totals.implementation_count[s];
  }
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    e2e += per_kernel_ms[f] * totals.count[f] + scale[f] * totals.sum_ms[f];
  }
  const double sum = totals.total_ms();
  return std::max(e2e, min_ratio * sum);
}

OverheadModel fit_overhead(std::span<const FamilyTotals> totals, std::span<const double> measured_ms) {
  OverheadModel model;
  const size_t n = measured_ms.size();
  model.networks = n;
  if (n == 0) return model;
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 1.0 / (measured_ms[i] * measured_ms[i]);
  std::vector<double> sums(n);
  std::vector<double> counts(n);
  for (size_t i = 0; i < n; ++i) {
    sums[i] = totals[i].total_ms();
    for (double c : totals[i].count) counts[i] += c;
  }
  // Below 10 networks a constant and a per-kernel cost are not identifiable from the noise
  // (learning curve, docs/accuracy.md): the scale alone.
  if (n < 10) {
    const auto c = fit_nonnegative_least_squares({sums}, measured_ms, w);
    model.scale.fill(c[0] > 0 ? c[0] : 1.0);
    return model;
  }
  // The floor of end to end / kernel sum: below its kernel sum only as far as a training
  // network ran below its own.
  double lowest = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    if (sums[i] > 0 && measured_ms[i] > 0) lowest = std::min(lowest, measured_ms[i] / sums[i]);
  }
  if (std::isfinite(lowest)) model.min_ratio = std::clamp(lowest, model.min_ratio, 1.0);
  // The shared model first: it is the fallback and the scale of families never seen.
  const std::vector<double> ones(n, 1.0);
  const auto shared = fit_nonnegative_least_squares({ones, counts, sums}, measured_ms, w, {false, false, true});
  if (shared[2] > 0) {
    model.constant_ms = shared[0];
    model.per_kernel_ms.fill(shared[1]);
    model.scale.fill(shared[2]);
  }
  std::vector<size_t> present;
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    if (std::any_of(totals.begin(), totals.end(), [f](const FamilyTotals& t) { return t.count[f] > 0; })) {
      present.push_back(f);
    }
  }
  // Implementation slots that some but not all training networks use (a slot every network
  // uses equally is the shared per-kernel cost again).
  std::vector<size_t> slots;
  for (size_t slot = 0; slot < features::kNumFamilies * kImplementationSlots; ++slot) {
    const double first = totals[0].implementation_count[slot];
    bool used = false;
    bool varies = false;
    for (const auto& t : totals) {
      used = used || t.implementation_count[slot] > 0;
      varies = varies || t.implementation_count[slot] != first;
    }
    if (used && varies) slots.push_back(slot);
  }
  const size_t coefficients = 6 + present.size() + slots.size();
  if (n < coefficients) return model;
  std::vector<double> weights_col(n);
  std::vector<double> acts_col(n);
  for (size_t i = 0; i < n; ++i) {
    weights_col[i] = totals[i].weight_mb;
    acts_col[i] = totals[i].activation_mb;
  }
  std::vector<std::vector<double>> columns = {ones, counts, weights_col, acts_col};
  std::vector<bool> nonnegative = {false, false, true, false};
  for (size_t f : present) {
    std::vector<double> sum_col(n);
    for (size_t i = 0; i < n; ++i) sum_col[i] = totals[i].sum_ms[f];
    columns.push_back(std::move(sum_col));
    nonnegative.push_back(true);
  }
  // Concats and data movement (split, shuffle) may cost more per kernel inside a network than
  // alone: XNNPACK runs them as separate operators between subgraph segments. Their own
  // non-negative per-kernel term, on top of the shared one.
  const std::array<size_t, 2> segment_breakers = {static_cast<size_t>(features::KernelFamily::kConcat),
                                                  static_cast<size_t>(features::KernelFamily::kDataMovement)};
  std::vector<size_t> extra;
  for (size_t f : segment_breakers) {
    if (std::find(present.begin(), present.end(), f) == present.end()) continue;
    std::vector<double> count_col(n);
    for (size_t i = 0; i < n; ++i) count_col[i] = totals[i].count[f];
    columns.push_back(std::move(count_col));
    nonnegative.push_back(true);
    extra.push_back(f);
  }
  for (size_t slot : slots) {
    std::vector<double> count_col(n);
    for (size_t i = 0; i < n; ++i) count_col[i] = totals[i].implementation_count[slot];
    columns.push_back(std::move(count_col));
    nonnegative.push_back(true);
  }
  // Shrinkage, as pseudo-observations of unit weight (a data row's residual is relative, so a
  // penalty row of λ·δ weighs like a network mispredicted by λ·δ): each family's scale toward
  // the shared scale, and the traffic and segment terms toward zero by their relative share of
  // the networks' latency. Without it a family seen in few networks gets wild scales (6.9 on
  // concat with 27 training networks).
  // λ = 0.3 was best of {0.3, 1, 3, 10} in 5-fold CV on both CPU stores of docs/accuracy.md.
  constexpr double lambda = 0.3;
  const double shared_scale = shared[2] > 0 ? shared[2] : 1.0;
  std::vector<double> y(measured_ms.begin(), measured_ms.end());
  auto add_prior = [&](size_t column, double value, double target) {
    for (size_t j = 0; j < columns.size(); ++j) columns[j].push_back(j == column ? value : 0.0);
    y.push_back(target);
    w.push_back(1.0);
  };
  auto mean_share = [&](const std::vector<double>& col) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) m += col[i] / measured_ms[i];
    return m / static_cast<double>(n);
  };
  const size_t first_scale = 4;
  for (size_t j = 2; j < columns.size(); ++j) {
    const bool is_scale = j >= first_scale && j < first_scale + present.size();
    if (is_scale) {
      add_prior(j, lambda, lambda * shared_scale);
    } else {
      add_prior(j, lambda * mean_share(columns[j]), 0.0);
    }
  }
  const auto c = fit_nonnegative_least_squares(columns, y, w, nonnegative);
  model.per_family = true;
  model.constant_ms = c[0];
  model.per_kernel_ms.fill(c[1]);
  model.per_weight_mb_ms = c[2];
  model.per_activation_mb_ms = c[3];
  for (size_t k = 0; k < present.size(); ++k) model.scale[present[k]] = c[4 + k];
  for (size_t k = 0; k < extra.size(); ++k) model.per_kernel_ms[extra[k]] += c[4 + present.size() + k];
  for (size_t k = 0; k < slots.size(); ++k) {
    model.per_implementation_ms[slots[k]] = c[4 + present.size() + extra.size() + k];
  }
  return model;
}

}  // namespace nnlat::predictors
