// Threads and core sets: the speed-up of each core set over one core of its cluster, per
// network family, and where adding threads stops helping (analysis.hpp).
#include <algorithm>
#include <map>
#include <tuple>

#include "nnlat/core/csv.hpp"
#include "nnlat/eval/analysis.hpp"
#include "nnlat/measure/cpu_clusters.hpp"

namespace nnlat::eval {
namespace {

// One more step of threads must bring at least this much more speed-up to count as helping.
constexpr double kHelpfulStep = 1.10;

bool is_thread_count(const std::string& part) {
  return part.size() > 1 && part[0] == 't' &&
         std::all_of(part.begin() + 1, part.end(), [](char c) { return c >= '0' && c <= '9'; });
}

using GroupKey =
    std::tuple<std::string, std::string, std::string, std::string>;  // device, framework, precision, suffix

ScalingPoint scaling_point(const TargetData& target, const CoreSet& set, const TargetData& baseline) {
  ScalingPoint p;
  p.target = target.target;
  p.core_set = set.name;
  p.cluster = set.parts.front().cluster;
  p.threads = set.threads;
  p.single_cluster = set.parts.size() == 1;
  p.baseline = baseline.target;
  std::map<std::string, double> base_ms;
  for (const auto& n : baseline.networks) base_ms[n.hash] = n.latency_ms;
  std::vector<double> ratios;
  std::map<std::string, std::vector<double>> by_family;
  for (const auto& n : target.networks) {
    const auto it = base_ms.find(n.hash);
    if (it == base_ms.end() || n.latency_ms <= 0) continue;
    ratios.push_back(it->second / n.latency_ms);
    by_family[n.family].push_back(ratios.back());
  }
  p.networks = ratios.size();
  p.speedup = geometric_mean(ratios);
  p.efficiency = p.threads > 0 ? p.speedup / p.threads : 0;
  for (const auto& [family, r] : by_family) p.families.push_back({family, r.size(), geometric_mean(r)});
  return p;
}

ClusterScaling cluster_scaling(const std::string& cluster, const std::vector<ScalingPoint>& points) {
  ClusterScaling c;
  c.cluster = cluster;
  c.threads.push_back(1);
  c.speedups.push_back(1.0);
  for (const auto& p : points) {
    if (p.single_cluster && p.cluster == cluster && p.threads > 1 && p.networks > 0) {
      c.threads.push_back(p.threads);
      c.speedups.push_back(p.speedup);
    }
  }
  for (size_t i = 0; i + 1 < c.threads.size(); ++i) {
    if (c.speedups[i + 1] < c.speedups[i] * kHelpfulStep) {
      c.saturates_at = c.threads[i];
      break;
    }
  }
  return c;
}

}  // namespace

std::optional<CoreSet> parse_config_core_set(const std::string& config) {
  auto parts = split_on(config, '-');
  CoreSet set;
  set.framework = "tflite";
  size_t i = 0;
  if (parts.size() > 1 && (parts[0] == "torch" || parts[0] == "xnnpack")) set.framework = parts[i++];
  if (is_thread_count(parts[i])) {
    set.threads = std::stoi(parts[i].substr(1));
    set.parts = {{set.threads, "cpu"}};
  } else {
    auto core_set = measure::parse_core_set(parts[i]);
    if (!core_set.ok()) return std::nullopt;
    set.parts = *core_set;
    for (const auto& p : set.parts) set.threads += p.count;
  }
  set.name = parts[i];
  for (++i; i < parts.size(); ++i) set.suffix += (set.suffix.empty() ? "" : "-") + parts[i];
  return set;
}

std::vector<ThreadsAnalysis> analyze_threads(const std::vector<TargetData>& data) {
  std::map<GroupKey, std::vector<std::pair<const TargetData*, CoreSet>>> groups;
  for (const auto& d : data) {
    if (auto set = parse_config_core_set(d.name.config)) {
      groups[{d.name.device, set->framework, d.name.precision, set->suffix}].push_back({&d, *set});
    }
  }
  std::vector<ThreadsAnalysis> out;
  for (const auto& [key, members] : groups) {
    ThreadsAnalysis a;
    std::tie(a.device, a.framework, a.precision, a.suffix) = key;
    // The baseline of a cluster: the set of one core of it.
    std::map<std::string, const TargetData*> single_core;
    for (const auto& [target, set] : members) {
      if (set.parts.size() == 1 && set.threads == 1) single_core[set.parts.front().cluster] = target;
    }
    for (const auto& [target, set] : members) {
      const auto base = single_core.find(set.parts.front().cluster);
      if (base == single_core.end() || base->second == target) continue;
      a.points.push_back(scaling_point(*target, set, *base->second));
    }
    if (a.points.empty()) continue;
    std::stable_sort(a.points.begin(), a.points.end(), [](const auto& x, const auto& y) {
      // Single-cluster sets first, by thread count; mixed sets after them.
      return std::make_tuple(x.cluster, !x.single_cluster, x.threads) <
             std::make_tuple(y.cluster, !y.single_cluster, y.threads);
    });
    for (const auto& [cluster, target] : single_core) {
      auto c = cluster_scaling(cluster, a.points);
      if (c.threads.size() > 1) a.clusters.push_back(std::move(c));
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace nnlat::eval
