#include "nnlat/predictors/opwise_transfer.hpp"

#include <cmath>
#include <map>
#include <unordered_set>

#include "predictors/composition.hpp"
#include "predictors/kernel_models.hpp"

namespace nnlat::predictors {
namespace {

struct Moments {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  void add(double x, double y) {
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  double mean_x() const { return sx / n; }
  double mean_y() const { return sy / n; }
  double centred_xx() const { return sxx - sx * sx / n; }
  double centred_xy() const { return sxy - sx * sy / n; }
};

// A network's kernels as the source predicts them, each mapped to the target, summed per
// family (what an overhead model composes).
struct AdaptedNetwork {
  FamilyTotals totals;
  NetworkPrediction sums;
};

AdaptedNetwork adapt(const LatencyPredictor& source, const KernelFamilyMap& map, const NetworkKernels& network) {
  AdaptedNetwork out;
  for (const auto& f : network.features) {
    KernelEstimate e = source.estimate_kernel(f);
    e.ms = map.map_ms(f.family, e.implementation, e.ms);
    out.sums.kernel_sum_ms += e.ms;
    add_estimate(out.totals, f, e);
  }
  return out;
}

double source_composed_ms(const LatencyPredictor& source, const AdaptedNetwork& n) {
  return source.compose(n.sums, n.totals).latency_ms;
}

double mean_log_ratio(std::span<const double> measured, std::span<const double> composed, size_t skip) {
  double s = 0;
  double n = 0;
  for (size_t i = 0; i < measured.size(); ++i) {
    if (i == skip) continue;
    s += std::log(measured[i] / composed[i]);
    n += 1;
  }
  return n > 0 ? s / n : 0.0;
}

}  // namespace

Result<KernelFamilyMap> KernelFamilyMap::fit(std::span<const KernelPair> pairs) {
  Moments all;
  std::array<Moments, features::kNumFamilies> per{};
  std::map<std::pair<size_t, int>, Moments> per_implementation;
  for (const auto& p : pairs) {
    if (!(p.source_ms > 0) || !(p.target_ms > 0) || !std::isfinite(p.source_ms) || !std::isfinite(p.target_ms)) {
      continue;
    }
    const double x = std::log(p.source_ms);
    const double y = std::log(p.target_ms);
    all.add(x, y);
    per[static_cast<size_t>(p.family)].add(x, y);
    if (p.implementation >= 0) per_implementation[{static_cast<size_t>(p.family), p.implementation}].add(x, y);
  }
  if (all.n == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "op-wise transfer: no kernel with a positive time on both the source and the target");
  }
  KernelFamilyMap map;
  // Spread of the log source estimates over all kernels: the scale of the slopes' priors.
  const double var_x = all.n > 1 ? all.centred_xx() / all.n : 0.0;
  const bool slopes = all.n >= static_cast<double>(kMinPairsForSlope) && var_x > 0;
  const double lambda = kSlopePseudoKernels * var_x;
  if (slopes) map.global_.b = (all.centred_xy() + lambda) / (all.centred_xx() + lambda);  // toward b = 1
  map.global_.a = all.mean_y() - map.global_.b * all.mean_x();
  // A group's line shrunk toward `prior`: its slope (a pure scale when too few kernels in
  // all) and its level at the group's mean source estimate.
  auto shrunk = [&](const Moments& m, const Line& prior) {
    Line line;
    line.b = prior.b;
    if (slopes && m.n >= 2) line.b = (m.centred_xy() + lambda * prior.b) / (m.centred_xx() + lambda);
    const double prior_level = prior.a + prior.b * m.mean_x();
    const double level = (m.sy + kLevelPseudoKernels * prior_level) / (m.n + kLevelPseudoKernels);
    line.a = level - line.b * m.mean_x();
    return line;
  };
  for (size_t f = 0; f < per.size(); ++f) {
    if (per[f].n > 0) map.families_[f] = shrunk(per[f], map.global_);
  }
  for (const auto& [key, m] : per_implementation) map.implementations_[key] = shrunk(m, *map.families_[key.first]);
  return map;
}

double KernelFamilyMap::map_ms(features::KernelFamily family, int implementation, double source_ms) const {
  if (!(source_ms > 0)) return source_ms;  // a fused kernel stays 0
  const size_t f = static_cast<size_t>(family);
  const Line* line = &global_;
  if (families_[f]) line = &*families_[f];
  if (auto it = implementations_.find({f, implementation}); it != implementations_.end()) line = &it->second;
  return std::exp(line->a + line->b * std::log(source_ms));
}

const std::optional<KernelFamilyMap::Line>& KernelFamilyMap::family(features::KernelFamily family) const {
  return families_[static_cast<size_t>(family)];
}

Result<OpwiseTransfer> OpwiseTransfer::fit(const LatencyPredictor& source, const TrainingSet& target,
                                           std::span<const size_t> network_rows) {
  if (!source.kernel_wise()) {
    return make_error(ErrorCode::kInvalidArgument, "op-wise transfer: the source predictor of " + source.target() +
                                                       " does not predict kernels (train it with an opwise-* method)");
  }
  if (network_rows.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "op-wise transfer to " + target.target + ": no target network");
  }
  for (size_t n : network_rows) {
    if (n >= target.networks.size() || !(target.networks[n].latency_ms > 0)) {
      return make_error(ErrorCode::kInvalidArgument, "op-wise transfer to " + target.target + ": network row " +
                                                         std::to_string(n) +
                                                         " is not a measured network of the target");
    }
  }
  OpwiseTransfer model;
  model.source_ = &source;
  const std::unordered_set<size_t> chosen(network_rows.begin(), network_rows.end());
  std::vector<KernelPair> pairs;
  for (const auto& k : target.kernels) {
    if (!k.network || !chosen.contains(*k.network) || !(k.latency_ms > 0)) continue;
    const KernelEstimate e = source.estimate_kernel(k.features);
    pairs.push_back({k.features.family, e.implementation, e.ms, k.latency_ms});
  }
  model.map_ = KernelFamilyMap::identity();
  if (!pairs.empty()) {
    auto map = KernelFamilyMap::fit(pairs);
    if (map.ok()) {
      model.map_ = std::move(*map);
      model.pairs_ = pairs.size();
    }
  }

  std::vector<AdaptedNetwork> adapted;
  std::vector<double> measured;
  std::vector<double> composed;
  for (size_t n : network_rows) {
    adapted.push_back(adapt(source, model.map_, target.networks[n].kernels));
    measured.push_back(target.networks[n].latency_ms);
    composed.push_back(std::max(source_composed_ms(source, adapted.back()), 1e-9));
  }
  model.log_scale_ = mean_log_ratio(measured, composed, measured.size());

  // Leave-one-out over the K: the scaled source overhead against the target's own refitted.
  const size_t k = measured.size();
  if (k >= 3) {
    double scaled_error = 0;
    double refit_error = 0;
    for (size_t i = 0; i < k; ++i) {
      scaled_error += std::abs(std::log(composed[i]) + mean_log_ratio(measured, composed, i) - std::log(measured[i]));
      std::vector<FamilyTotals> others;
      std::vector<double> others_ms;
      for (size_t j = 0; j < k; ++j) {
        if (j == i) continue;
        others.push_back(adapted[j].totals);
        others_ms.push_back(measured[j]);
      }
      const double refit = std::max(fit_overhead(others, others_ms).apply(adapted[i].totals), 1e-9);
      refit_error += std::abs(std::log(refit) - std::log(measured[i]));
    }
    if (refit_error < scaled_error) {
      std::vector<FamilyTotals> totals;
      for (const auto& a : adapted) totals.push_back(a.totals);
      model.overhead_ = std::make_shared<const OverheadModel>(fit_overhead(totals, measured));
    }
  }
  return model;
}

double OpwiseTransfer::predict_ms(const NetworkKernels& network) const {
  const AdaptedNetwork a = adapt(*source_, map_, network);
  if (overhead_) return overhead_->apply(a.totals);
  return source_composed_ms(*source_, a) * std::exp(log_scale_);
}

}  // namespace nnlat::predictors
