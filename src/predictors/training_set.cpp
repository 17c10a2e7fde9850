#include "nnlat/predictors/training_set.hpp"

#include <algorithm>
#include <unordered_map>

#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/models/stored_network.hpp"

namespace nnlat::predictors {

Result<NetworkKernels> decompose(const ir::Graph& graph, const fusion::RuleSet& rules,
                                 const features::TargetContext& target, bool with_hashes, bool with_kernels) {
  NetworkKernels out;
  if (!with_hashes && !with_kernels) {
    // Kernel de-duplication across the calls of a thread (a NAS batch repeats the same cells
    // and skeletons): features of a kernel seen before come from the memo, keyed by all
    // that extract_features reads. Bounded: cleared when it grows past 1M kernels.
    thread_local std::unordered_map<uint64_t, features::KernelFeatures> memo;
    if (memo.size() > (1u << 20)) memo.clear();
    out.features.reserve(graph.nodes().size());  // at most one kernel per node
    NNLAT_RETURN_IF_ERROR(fusion::for_each_kernel(graph, rules, [&](std::span<const ir::NodeId> nodes) {
      const uint64_t key = features::kernel_structure_key(graph, nodes, target);
      auto it = memo.find(key);
      if (it == memo.end()) it = memo.emplace(key, features::extract_features(graph, nodes, target)).first;
      out.features.push_back(it->second);
    }));
  } else {
    NNLAT_ASSIGN_OR_RETURN(out.kernels, fusion::detect_kernels(graph, rules));
    out.features.reserve(out.kernels.size());
    for (const auto& k : out.kernels) {
      out.features.push_back(features::extract_features(graph, k, target));
      if (with_hashes) {
        auto kg = fusion::kernel_graph(graph, k);
        if (!kg.ok()) return kg.error().with_context(graph.name);
        out.hashes.push_back(fusion::kernel_hash(*kg));
      }
    }
  }
  features::mark_repeated_kernels(out.features, target);
  if (const auto space = graph.metadata.find("space"); space != graph.metadata.end()) {
    if (const auto encoding = graph.metadata.find("encoding"); encoding != graph.metadata.end()) {
      out.space = space->second;
      out.encoding = encoding->second;
    }
  }
  for (const auto& f : out.features) {
    out.macs += f.macs;
    out.params += f.params;
  }
  return out;
}

std::string default_rules_for(const std::string& target) {
  auto name = measure::parse_target_name(target);
  if (name.ok() && (name->config == "torch-vulkan" || name->config == "torch-metal")) return name->config;
  if (name.ok() && (name->config == "gpu" || name->config.rfind("opencl", 0) == 0)) return "tflite-gpu";
  return "xnnpack";
}

Result<TrainingSet> load_training_set(const store::Store& store, const std::string& target, const std::string& rules,
                                      bool correct_drift) {
  TrainingSet set;
  set.target = target;
  NNLAT_ASSIGN_OR_RETURN(auto name, measure::parse_target_name(target));
  set.context = features::target_context_from_config(name.config);
  NNLAT_ASSIGN_OR_RETURN(auto rule_set, fusion::load_rule_set(rules));
  set.rules = rules;
  const auto builtin = fusion::builtin_rule_set_names();
  if (std::find(builtin.begin(), builtin.end(), rules) == builtin.end()) {
    NNLAT_ASSIGN_OR_RETURN(set.rules_definition, read_file(rules));
  }

  NNLAT_ASSIGN_OR_RETURN(auto kernels, store.subject_latencies(target, store::MeasurementKind::kKernel, correct_drift));
  for (const auto& k : kernels) {
    if (k.unstable) ++set.unstable;
    auto graph = formats::graph_from_json(k.graph_json, store.path() + ": kernel " + k.hash);
    if (!graph.ok()) return graph.error();
    auto f = features::extract_kernel_graph_features(*graph, set.context);
    if (!f.ok()) return f.error().with_context(store.path() + ": kernel " + k.hash);
    set.kernels.push_back({k.hash, *f, k.median_ms, std::nullopt, std::string()});
  }
  NNLAT_ASSIGN_OR_RETURN(auto networks,
                         store.subject_latencies(target, store::MeasurementKind::kNetwork, correct_drift));
  NNLAT_ASSIGN_OR_RETURN(auto breakdowns, store.kernel_timings(target));
  // Kernel hashes pair a network's kernels with kernel measurements (standalone rows, held-out
  // exclusion, the lookup table); a target with none has nothing to pair them with, and
  // hashing every kernel of a 15,625-network table costs more than building its graphs.
  const bool with_hashes = !set.kernels.empty() || !breakdowns.empty();
  for (const auto& n : networks) {
    if (n.unstable) ++set.unstable;
    auto graph =
        models::stored_network_graph(n.space, n.encoding, n.graph_json, n.hash, store.path() + ": network " + n.name);
    if (!graph.ok()) return graph.error();
    auto decomposed = decompose(*graph, rule_set, set.context, with_hashes);
    if (!decomposed.ok()) return decomposed.error().with_context(store.path() + ": network " + n.name);
    // Networks stored before NAS graphs carried a family: the space prefix of the name.
    std::string family = n.family;
    if (family.empty() && n.name.find(':') != std::string::npos) family = n.name.substr(0, n.name.find(':'));
    set.networks.push_back({n.name, family, n.hash, std::move(*decomposed), n.median_ms, n.medians_ms});
    if (auto b = breakdowns.find(n.hash); b != breakdowns.end()) {
      const NetworkKernels& nk = set.networks.back().kernels;
      if (b->second.size() != nk.features.size() ||
          b->second.back().position + 1 != static_cast<int>(b->second.size())) {
        return make_error(ErrorCode::kParseError,
                          store.path() + ": network " + n.name + ": its per-kernel timings list " +
                              std::to_string(b->second.size()) + " kernels, but the rule set '" + rules + "' finds " +
                              std::to_string(nk.features.size()) +
                              " (train with the rules the timings were taken under)");
      }
      for (const store::KernelTiming& t : b->second) {
        const auto i = static_cast<size_t>(t.position);
        set.kernels.push_back({nk.hashes[i], nk.features[i], t.latency_ms, set.networks.size() - 1, t.implementation});
      }
    }
  }
  return set;
}

}  // namespace nnlat::predictors
