// Noise: the run-to-run CV of a target's network measurements, the networks flagged unstable,
// and how far campaigns that measured the same network apart (analysis.hpp).
#include <algorithm>

#include "nnlat/core/sampling.hpp"
#include "nnlat/eval/analysis.hpp"

namespace nnlat::eval {

NoiseAnalysis analyze_noise(const TargetData& data, size_t top) {
  NoiseAnalysis out;
  out.target = data.target;
  out.networks = data.networks.size();
  std::vector<double> cvs, spreads;
  for (const auto& n : data.networks) {
    cvs.push_back(n.cv);
    out.unstable += n.unstable ? 1 : 0;
    out.noisiest.push_back({n.name, n.cv, n.unstable});
    if (n.repeats_ms.size() >= 2) {
      const auto [lo, hi] = std::minmax_element(n.repeats_ms.begin(), n.repeats_ms.end());
      if (*lo > 0) spreads.push_back(*hi / *lo - 1);
    }
  }
  out.repeated = spreads.size();
  if (!cvs.empty()) {
    out.median_cv = quantile(cvs, 0.5);
    out.p90_cv = quantile(cvs, 0.9);
    out.max_cv = *std::max_element(cvs.begin(), cvs.end());
  }
  if (!spreads.empty()) out.campaign_spread_median = quantile(spreads, 0.5);
  std::stable_sort(out.noisiest.begin(), out.noisiest.end(), [](const auto& a, const auto& b) { return a.cv > b.cv; });
  if (out.noisiest.size() > top) out.noisiest.resize(top);
  return out;
}

}  // namespace nnlat::eval
