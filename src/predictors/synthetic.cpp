#include "nnlat/predictors/synthetic.hpp"

#include <algorithm>
#include <set>

#include "nnlat/models/kernel_sampler.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::predictors {

double SyntheticTarget::kernel_ms(const features::KernelFeatures& f) const {
  const double compute = static_cast<double>(f.macs) / 4e9 * 1e3;
  const double memory = static_cast<double>(f.bytes) / 8e9 * 1e3;
  const double tail_ops = f.count > 6 ? f.values[6] : 0.0;  // the schema's "tail_ops"
  return 0.003 + std::max(compute, memory) * (1.0 + 0.15 * tail_ops);
}

Result<TrainingSet> make_synthetic_training_set(const SyntheticTarget& target, int nb201, int mbv2,
                                                int64_t total_kernels, uint64_t seed) {
  TrainingSet s;
  s.target = "synthetic:xnnpack-t1:float";
  s.rules = "xnnpack";
  NNLAT_ASSIGN_OR_RETURN(auto rules, fusion::load_rule_set("xnnpack"));
  std::vector<ir::Graph> graphs;
  for (const auto& [space, n] : {std::pair{"nb201", nb201}, std::pair{"mbv2", mbv2}}) {
    if (n <= 0) continue;
    NNLAT_ASSIGN_OR_RETURN(auto encodings, models::sample_space(space, n, seed));
    for (const auto& e : encodings) {
      NNLAT_ASSIGN_OR_RETURN(auto g, models::build_space_graph(space, e, {}));
      g.metadata["family"] = space;
      graphs.push_back(std::move(g));
    }
  }
  std::set<std::string> seen;
  for (const auto& g : graphs) {
    NNLAT_ASSIGN_OR_RETURN(auto nk, decompose(g, rules, s.context, true));
    double sum = 0;
    for (size_t i = 0; i < nk.features.size(); ++i) {
      const double ms = target.kernel_ms(nk.features[i]);
      sum += ms;
      if (seen.insert(nk.hashes[i]).second)
        s.kernels.push_back({nk.hashes[i], nk.features[i], ms, std::nullopt, std::string()});
    }
    const double e2e =
        target.constant_ms + target.per_kernel_ms * static_cast<double>(nk.kernels.size()) + target.scale * sum;
    s.networks.push_back({g.name, g.metadata.at("family"), g.name, std::move(nk), e2e, {e2e}});
  }
  // A sampled standalone kernel joins the set once, labelled by the synthetic target.
  auto add_kernel = [&](const ir::Graph& kg) -> Status {
    NNLAT_ASSIGN_OR_RETURN(auto f, features::extract_kernel_graph_features(kg, s.context));
    const std::string h = fusion::kernel_hash(kg);
    if (seen.insert(h).second) s.kernels.push_back({h, f, target.kernel_ms(f), std::nullopt, std::string()});
    return Status::Ok();
  };
  if (total_kernels > 0 && !graphs.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto around, models::sample_kernels_around(graphs, "xnnpack", total_kernels, seed + 1));
    for (const auto& kg : around) NNLAT_RETURN_IF_ERROR(add_kernel(kg));
    // The networks' neighbourhood is finite: top up from the generic prior, family by family.
    const auto families = models::kernel_sample_families();
    const auto wanted = static_cast<size_t>(total_kernels);
    for (uint64_t round = 0; s.kernels.size() < wanted && round < 80; ++round) {
      for (const auto& family : families) {
        // Small families (global pooling) have fewer distinct configurations than asked for.
        auto graphs = models::sample_kernels(family, 100, seed + 100 + round);
        if (!graphs.ok()) continue;
        for (const auto& kg : *graphs) {
          if (s.kernels.size() >= wanted) break;
          NNLAT_RETURN_IF_ERROR(add_kernel(kg));
        }
      }
    }
  }
  return s;
}

}  // namespace nnlat::predictors
