// Adaptive kernel sampling around the kernels of given networks (kernel_sampler.hpp).
#include <algorithm>
#include <random>
#include <set>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/models/kernel_sampler.hpp"

namespace nnlat::models {
namespace {

constexpr double kChannelScales[] = {0.5, 0.75, 1.25, 1.5, 2.0};

int64_t scale_channels(int64_t c, double s) {
  const auto scaled = static_cast<int64_t>(static_cast<double>(c) * s / 4.0 + 0.5) * 4;
  return std::max<int64_t>(scaled, 4);
}

// Rewrites a kernel graph's inputs (channels, spatial size) and channel attributes, then
// re-infers shapes. Fails (returns an error) when the result does not verify.
Result<ir::Graph> perturb(const ir::Graph& kernel, std::mt19937_64& rng) {
  ir::Graph g = kernel;
  const bool scale_c = rng() % 4 != 0;  // 3 in 4 change channels, 1 in 2 the map, at least one
  const bool scale_hw = !scale_c || rng() % 2 == 0;
  const double cs = scale_c ? kChannelScales[rng() % std::size(kChannelScales)] : 1.0;
  const double hs = scale_hw ? (rng() % 2 ? 0.5 : 2.0) : 1.0;
  for (ir::ValueId in : g.inputs()) {
    ir::Shape& s = g.value(in).shape;
    if (s.size() >= 2) s[1] = scale_channels(s[1], cs);
    if (s.size() == 4) {
      s[2] = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(s[2]) * hs));
      s[3] = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(s[3]) * hs));
    }
  }
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    ir::Node& node = g.node(ir::NodeId{static_cast<uint32_t>(i)});
    for (const char* attr : {"out_channels", "out_features"}) {
      auto it = node.attrs.find(attr);
      if (it != node.attrs.end() && std::holds_alternative<int64_t>(it->second)) {
        it->second = scale_channels(std::get<int64_t>(it->second), cs);
      }
    }
  }
  NNLAT_RETURN_IF_ERROR(ir::infer_shapes(g));
  NNLAT_RETURN_IF_ERROR(ir::verify(g));
  return g;
}

}  // namespace

Result<std::vector<ir::Graph>> sample_kernels_around(const std::vector<ir::Graph>& networks, const std::string& rules,
                                                     int64_t n, uint64_t seed) {
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "--n must be positive");
  NNLAT_ASSIGN_OR_RETURN(auto rule_set, fusion::load_rule_set(rules));
  std::vector<ir::Graph> seeds;
  std::set<std::string> seen;
  for (const auto& g : networks) {
    NNLAT_ASSIGN_OR_RETURN(auto kernels, fusion::detect_kernels(g, rule_set));
    for (const auto& k : kernels) {
      auto kg = fusion::kernel_graph(g, k);
      if (!kg.ok()) return kg.error().with_context(g.name);
      if (seen.insert(fusion::kernel_hash(*kg)).second) seeds.push_back(std::move(*kg));
    }
  }
  if (seeds.empty()) return make_error(ErrorCode::kInvalidArgument, "the networks have no kernels to sample around");
  std::mt19937_64 rng(seed);
  std::vector<ir::Graph> out;
  // Bounded: some seeds (a flatten, a fixed-size input) have few distinct neighbours.
  for (int64_t attempts = 0; static_cast<int64_t>(out.size()) < n && attempts < 50 * n; ++attempts) {
    const ir::Graph& base = seeds[rng() % seeds.size()];
    auto g = perturb(base, rng);
    if (!g.ok()) continue;
    if (!seen.insert(fusion::kernel_hash(*g)).second) continue;
    g->name = base.name.empty() ? "around" : base.name;
    out.push_back(std::move(*g));
  }
  return out;
}

}  // namespace nnlat::models
