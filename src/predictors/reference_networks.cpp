#include "nnlat/predictors/reference_networks.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <string>

namespace nnlat::predictors {

Result<std::vector<size_t>> choose_reference_networks(const TrainingSet& data, size_t count) {
  const size_t sources = data.source_targets.size();
  if (sources < 2) {
    return make_error(ErrorCode::kInvalidArgument,
                      "reference networks are chosen by how the sources disagree: give at least two transfer "
                      "sources (--from A,B or --from-all)");
  }
  std::vector<size_t> candidates;
  for (size_t i = 0; i < data.networks.size(); ++i) {
    bool all = true;
    for (size_t s = 0; s < sources && all; ++s) all = source_latency_ms(data.networks[i].kernels, s) > 0;
    if (all) candidates.push_back(i);
  }
  if (candidates.size() < count) {
    return make_error(ErrorCode::kInvalidArgument, std::to_string(count) + " reference networks asked for, but only " +
                                                       std::to_string(candidates.size()) + " networks of " +
                                                       data.target + " were measured on every source");
  }
  const auto n = static_cast<Eigen::Index>(candidates.size());
  const auto s_count = static_cast<Eigen::Index>(sources);
  Eigen::MatrixXd r(n, s_count);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index s = 0; s < s_count; ++s) {
      r(i, s) = std::log(
          source_latency_ms(data.networks[candidates[static_cast<size_t>(i)]].kernels, static_cast<size_t>(s)));
    }
  }
  r = r.colwise() - r.rowwise().mean();
  r = r.rowwise() - r.colwise().mean();
  std::vector<size_t> picked;
  std::vector<bool> taken(candidates.size(), false);
  const Eigen::VectorXd original = r.rowwise().squaredNorm();
  for (size_t p = 0; p < count; ++p) {
    Eigen::Index best = -1;
    double best_norm = -1;
    // The residual disagreement; once the picks span every direction (rank ≤ sources − 1),
    // the residuals vanish and the largest original disagreement decides instead.
    const Eigen::VectorXd residual = r.rowwise().squaredNorm();
    const bool spent = residual.maxCoeff() <= 1e-12 * (original.maxCoeff() + 1e-300);
    for (Eigen::Index i = 0; i < n; ++i) {
      if (taken[static_cast<size_t>(i)]) continue;
      const double v = spent ? original(i) : residual(i);
      if (v > best_norm) {
        best_norm = v;
        best = i;
      }
    }
    taken[static_cast<size_t>(best)] = true;
    picked.push_back(candidates[static_cast<size_t>(best)]);
    const double norm = r.row(best).norm();
    if (norm > 1e-12 && !spent) {
      const Eigen::RowVectorXd u = r.row(best) / norm;
      r -= (r * u.transpose()) * u;
    }
  }
  return picked;
}

}  // namespace nnlat::predictors
