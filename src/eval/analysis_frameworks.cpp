// Frameworks: the same networks under TFLite and PyTorch Mobile on one device, matched by
// name (each framework's file builds its own graph): latency ratio and kernel counts, per
// family (analysis.hpp).
#include <map>

#include "nnlat/eval/analysis.hpp"

namespace nnlat::eval {
namespace {

// The PyTorch Mobile configs that correspond to a TFLite config.
std::vector<std::string> torch_configs_for(const std::string& tflite_config) {
  if (tflite_config == "gpu") return {"torch-vulkan", "torch-metal"};
  return {"torch-" + tflite_config};
}

size_t timed_kernels(const AnalysisNetwork& n) {
  size_t count = 0;
  for (const auto& k : n.timed) count += k.implementation == "fused" ? 0 : 1;
  return count;
}

struct Accumulator {
  std::vector<double> ratios;
  double kernels_a = 0, kernels_b = 0;

  FrameworkFamily finish(const std::string& family) const {
    const auto n = static_cast<double>(ratios.size());
    return {family, ratios.size(), geometric_mean(ratios), ratios.empty() ? 0 : kernels_a / n,
            ratios.empty() ? 0 : kernels_b / n};
  }
};

FrameworkComparison compare(const TargetData& a, const TargetData& b) {
  FrameworkComparison c;
  c.target_a = a.target;
  c.target_b = b.target;
  std::map<std::string, const AnalysisNetwork*> b_by_name;
  for (const auto& n : b.networks) b_by_name.emplace(n.name, &n);
  bool a_timed = false, b_timed = false;
  Accumulator all;
  std::map<std::string, Accumulator> families;
  for (const auto& na : a.networks) {
    const auto it = b_by_name.find(na.name);
    if (it == b_by_name.end() || na.latency_ms <= 0) continue;
    const auto& nb = *it->second;
    a_timed |= !na.timed.empty();
    b_timed |= !nb.timed.empty();
    for (auto* acc : {&all, &families[na.family]}) {
      acc->ratios.push_back(nb.latency_ms / na.latency_ms);
      acc->kernels_a += static_cast<double>(timed_kernels(na));
      acc->kernels_b += static_cast<double>(timed_kernels(nb));
    }
  }
  c.timed_kernels = a_timed && b_timed;
  c.all = all.finish("");
  for (const auto& [family, acc] : families) c.families.push_back(acc.finish(family));
  return c;
}

}  // namespace

std::vector<FrameworkComparison> analyze_frameworks(const std::vector<TargetData>& data) {
  std::vector<FrameworkComparison> out;
  for (const auto& a : data) {
    if (a.name.config.rfind("torch-", 0) == 0 || a.name.config.rfind("xnnpack", 0) == 0) continue;
    for (const auto& config : torch_configs_for(a.name.config)) {
      for (const auto& b : data) {
        if (b.name.device != a.name.device || b.name.precision != a.name.precision || b.name.config != config) continue;
        auto c = compare(a, b);
        if (c.all.networks > 0) out.push_back(std::move(c));
      }
    }
  }
  return out;
}

}  // namespace nnlat::eval
