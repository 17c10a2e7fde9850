// FLOPs (MACs) vs measured latency: how well the cost a paper reports ranks networks on a
// target, per family, and which networks it misranks most (analysis.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "nnlat/eval/analysis.hpp"
#include "nnlat/eval/metrics.hpp"

namespace nnlat::eval {
namespace {

Correlation correlate(const std::string& family, const std::vector<const AnalysisNetwork*>& networks) {
  std::vector<double> macs, ms;
  for (const auto* n : networks) {
    macs.push_back(static_cast<double>(n->macs));
    ms.push_back(n->latency_ms);
  }
  return {family, networks.size(), pearson(macs, ms), pearson(average_ranks(macs), average_ranks(ms))};
}

}  // namespace

FlopsAnalysis analyze_flops(const TargetData& data, size_t top) {
  FlopsAnalysis out;
  out.target = data.target;
  std::vector<const AnalysisNetwork*> all;
  std::map<std::string, std::vector<const AnalysisNetwork*>> by_family;
  for (const auto& n : data.networks) {
    all.push_back(&n);
    by_family[n.family].push_back(&n);
  }
  out.all = correlate("", all);
  // Fewer than three networks give a correlation of ±1 or 0 that says nothing.
  for (const auto& [family, networks] : by_family) {
    if (networks.size() >= 3) out.families.push_back(correlate(family, networks));
  }

  std::vector<double> macs, ms;
  for (const auto* n : all) {
    macs.push_back(static_cast<double>(n->macs));
    ms.push_back(n->latency_ms);
  }
  const auto macs_rank = average_ranks(macs);
  const auto ms_rank = average_ranks(ms);
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& n = *all[i];
    out.misranked.push_back({n.name, n.family, n.macs, n.latency_ms, macs_rank[i], ms_rank[i],
                             ms_rank[i] - macs_rank[i], n.macs > 0 ? n.latency_ms / (1e-9 * n.macs) : 0});
  }
  std::stable_sort(out.misranked.begin(), out.misranked.end(),
                   [](const auto& a, const auto& b) { return std::abs(a.displacement) > std::abs(b.displacement); });
  if (out.misranked.size() > top) out.misranked.resize(top);
  return out;
}

}  // namespace nnlat::eval
