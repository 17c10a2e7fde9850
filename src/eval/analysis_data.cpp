// What the analyses read: each target's networks with their MACs, kernel count and per-kernel
// breakdown classified by kernel (analysis.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "nnlat/eval/analysis.hpp"
#include "nnlat/models/stored_network.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::eval {
namespace {

// A network decomposed once per rule set: the phone datasets measure one graph on dozens of
// targets, and parsing and decomposing it is the slow part of loading.
struct Decomposed {
  int64_t macs = 0;
  std::vector<features::KernelFeatures> features;
};

int64_t feature(const features::KernelFeatures& f, const std::string& name) {
  const auto& names = features::feature_names(f.family);
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return 0;
  return static_cast<int64_t>(std::lround(f.values[static_cast<size_t>(it - names.begin())]));
}

TimedKernel timed_kernel(const features::KernelFeatures& f, const store::KernelTiming& t) {
  TimedKernel k;
  k.kernel_class = kernel_class(f);
  k.implementation = t.implementation;
  k.latency_ms = t.latency_ms;
  k.kernel_size = feature(f, "kernel_h");
  k.stride = feature(f, "stride");
  using F = features::KernelFamily;
  switch (f.family) {
    case F::kConv:
      k.in_channels = feature(f, "in_channels");
      k.out_channels = feature(f, "out_channels");
      break;
    case F::kDepthwise:
    case F::kPool:
    case F::kGlobalPool:
      k.in_channels = k.out_channels = feature(f, "channels");
      break;
    case F::kFullyConnected:
      k.in_channels = feature(f, "in_features");
      k.out_channels = feature(f, "out_features");
      break;
    case F::kConcat:
      k.out_channels = feature(f, "out_channels");
      break;
    case F::kElementwise:
    case F::kDataMovement:
    case F::kOther:
      break;
  }
  k.out_size = f.family == F::kConcat ? feature(f, "h") : feature(f, "out_h");
  return k;
}

Result<TargetData> load_one(const store::Store& store, const std::string& target,
                            std::map<std::string, Decomposed>& cache) {
  TargetData data;
  data.target = target;
  NNLAT_ASSIGN_OR_RETURN(data.name, measure::parse_target_name(target));
  data.rules = predictors::default_rules_for(target);
  NNLAT_ASSIGN_OR_RETURN(auto rules, fusion::load_rule_set(data.rules));
  const auto context = features::target_context_from_config(data.name.config);
  // The store's errors name itself and the target ("DB: no target named 'T'").
  NNLAT_ASSIGN_OR_RETURN(auto subjects, store.subject_latencies(target, store::MeasurementKind::kNetwork));
  NNLAT_ASSIGN_OR_RETURN(auto breakdowns, store.kernel_timings(target));
  for (const auto& s : subjects) {
    const std::string key = data.rules + "/" + std::to_string(context.threads) + "/" + s.hash;
    auto it = cache.find(key);
    if (it == cache.end()) {
      auto graph =
          models::stored_network_graph(s.space, s.encoding, s.graph_json, s.hash, store.path() + ": network " + s.name);
      if (!graph.ok()) return graph.error();
      auto d = predictors::decompose(*graph, rules, context, /*with_hashes=*/false, /*with_kernels=*/false);
      if (!d.ok()) return d.error().with_context(store.path() + ": network " + s.name);
      it = cache.emplace(key, Decomposed{d->macs, std::move(d->features)}).first;
    }
    AnalysisNetwork n{s.name,      s.family,     s.source, s.hash,     it->second.macs,
                      s.median_ms, s.medians_ms, s.cv,     s.unstable, it->second.features.size(),
                      {}};
    // Networks stored before NAS graphs carried a family: the space prefix of the name.
    if (n.family.empty() && n.name.find(':') != std::string::npos) n.family = n.name.substr(0, n.name.find(':'));
    if (auto b = breakdowns.find(s.hash); b != breakdowns.end()) {
      const auto& fs = it->second.features;
      if (b->second.size() != fs.size() || b->second.back().position + 1 != static_cast<int>(fs.size())) {
        return make_error(ErrorCode::kParseError,
                          store.path() + ": target " + target + ": network " + s.name +
                              ": its per-kernel timings list " + std::to_string(b->second.size()) +
                              " kernels, but the rule set '" + data.rules + "' finds " + std::to_string(fs.size()));
      }
      for (const auto& t : b->second) n.timed.push_back(timed_kernel(fs[static_cast<size_t>(t.position)], t));
    }
    data.networks.push_back(std::move(n));
  }
  return data;
}

}  // namespace

std::string kernel_class(const features::KernelFeatures& f) {
  if (f.family == features::KernelFamily::kConv) {
    if (feature(f, "groups") > 1) return "grouped_conv";
    return feature(f, "kernel_h") == 1 && feature(f, "kernel_w") == 1 ? "conv1x1" : "convkxk";
  }
  return std::string(features::family_name(f.family));
}

Result<std::vector<TargetData>> load_target_data(const store::Store& store, const std::vector<std::string>& targets) {
  std::vector<std::string> names = targets;
  if (names.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto stats, store.stats());
    for (const auto& t : stats.per_target) {
      if (t.network_measurements > 0) names.push_back(t.target);
    }
  }
  std::map<std::string, Decomposed> cache;
  std::vector<TargetData> out;
  for (const auto& t : names) {
    NNLAT_ASSIGN_OR_RETURN(auto d, load_one(store, t, cache));
    out.push_back(std::move(d));
  }
  return out;
}

double geometric_mean(const std::vector<double>& values) {
  double sum = 0;
  size_t n = 0;
  for (double v : values) {
    if (v > 0 && std::isfinite(v)) {
      sum += std::log(v);
      ++n;
    }
  }
  return n == 0 ? 0 : std::exp(sum / static_cast<double>(n));
}

}  // namespace nnlat::eval
