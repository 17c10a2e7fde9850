// Where the time goes: the share of kernel time per kernel class, per network and pooled,
// and the share of end-to-end time no kernel accounts for (analysis.hpp).
#include <algorithm>
#include <map>

#include "nnlat/core/sampling.hpp"
#include "nnlat/eval/analysis.hpp"

namespace nnlat::eval {
namespace {

struct ClassSum {
  size_t kernels = 0;
  double ms = 0;
};

std::vector<ClassShare> shares(const std::map<std::string, ClassSum>& sums) {
  double total = 0;
  for (const auto& [name, s] : sums) total += s.ms;
  std::vector<ClassShare> out;
  for (const auto& [name, s] : sums) out.push_back({name, s.kernels, s.ms, total > 0 ? s.ms / total : 0});
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
  return out;
}

}  // namespace

std::optional<BreakdownAnalysis> analyze_breakdown(const TargetData& data) {
  BreakdownAnalysis out;
  out.target = data.target;
  std::map<std::string, ClassSum> pooled;
  double kernels_total = 0, e2e_total = 0;
  std::vector<double> overheads;
  for (const auto& n : data.networks) {
    if (n.timed.empty()) continue;
    std::map<std::string, ClassSum> sums;
    double kernels_ms = 0;
    for (const auto& k : n.timed) {
      // A kernel fused into the one before it ran no code of its own: it is not a kernel here.
      if (k.implementation == "fused") continue;
      for (auto* s : {&sums[k.kernel_class], &pooled[k.kernel_class]}) {
        ++s->kernels;
        s->ms += k.latency_ms;
      }
      kernels_ms += k.latency_ms;
    }
    const double overhead = n.latency_ms > 0 ? (n.latency_ms - kernels_ms) / n.latency_ms : 0;
    out.per_network.push_back({n.name, n.family, n.latency_ms, kernels_ms, overhead, shares(sums)});
    overheads.push_back(overhead);
    kernels_total += kernels_ms;
    e2e_total += n.latency_ms;
  }
  if (out.per_network.empty()) return std::nullopt;
  out.networks = out.per_network.size();
  out.pooled = shares(pooled);
  out.overhead_share_median = quantile(overheads, 0.5);
  out.overhead_share_pooled = e2e_total > 0 ? 1 - kernels_total / e2e_total : 0;
  return out;
}

}  // namespace nnlat::eval
