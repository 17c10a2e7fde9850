#include "nnlat/app/db.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::app {

Result<StoreStatsResult> store_stats(const std::string& db) {
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(db));
  NNLAT_ASSIGN_OR_RETURN(auto stats, store.stats());
  return StoreStatsResult{db, std::move(stats)};
}

nlohmann::ordered_json StoreStatsResult::to_json() const {
  nlohmann::ordered_json per = nlohmann::ordered_json::array();
  for (const auto& t : stats.per_target) {
    per.push_back({{"target", t.target},
                   {"backend", t.backend},
                   {"networks", t.networks},
                   {"kernels", t.kernels},
                   {"network_measurements", t.network_measurements},
                   {"kernel_measurements", t.kernel_measurements},
                   {"unstable", t.unstable}});
  }
  return {{"targets", stats.targets},
          {"networks", stats.networks},
          {"kernels", stats.kernels},
          {"campaigns", stats.campaigns},
          {"network_measurements", stats.network_measurements},
          {"kernel_measurements", stats.kernel_measurements},
          {"per_target", per}};
}

std::string StoreStatsResult::to_text() const {
  const auto& s = stats;
  std::string out = fmt::format(
      "{}: {} targets, {} networks, {} kernels, {} campaigns, {} network measurements, {} kernel measurements\n", db,
      s.targets, s.networks, s.kernels, s.campaigns, s.network_measurements, s.kernel_measurements);
  out += fmt::format("{:<32} {:<10} {:>9} {:>8} {:>10} {:>10} {:>9}\n", "target", "backend", "networks", "kernels",
                     "net meas", "kern meas", "unstable");
  for (const auto& t : s.per_target) {
    out += fmt::format("{:<32} {:<10} {:>9} {:>8} {:>10} {:>10} {:>9}\n", t.target, t.backend, t.networks, t.kernels,
                       t.network_measurements, t.kernel_measurements, t.unstable);
  }
  return out;
}

Result<LatencyTable> latency_table(const std::string& db) {
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(db));
  LatencyTable table;
  NNLAT_RETURN_IF_ERROR(store.for_each_measurement(std::nullopt, [&](const store::MeasurementRow& row) {
    if (row.kind != store::MeasurementKind::kNetwork) return Status::Ok();
    auto& targets = table.targets;
    if (std::find(targets.begin(), targets.end(), row.target) == targets.end()) targets.push_back(row.target);
    auto& networks = table.networks;
    if (std::none_of(networks.begin(), networks.end(), [&](const auto& n) { return n.first == row.name; })) {
      networks.emplace_back(row.name, row.macs.value_or(0));
    }
    table.median_ms[{row.name, row.target}] = row.median_ms;  // rows come oldest first: keep the latest
    return Status::Ok();
  }));
  return table;
}

nlohmann::ordered_json LatencyTable::to_json() const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& [name, macs] : networks) {
    nlohmann::ordered_json per_target = nlohmann::ordered_json::object();
    for (const auto& t : targets) {
      if (auto it = median_ms.find({name, t}); it != median_ms.end()) per_target[t] = it->second;
    }
    rows.push_back({{"name", name}, {"macs", macs}, {"median_ms", per_target}});
  }
  return {{"targets", targets}, {"networks", rows}};
}

std::string LatencyTable::to_text() const {
  std::string out = fmt::format("{:<36} {:>9}", "network", "MMACs");
  for (const auto& t : targets) out += fmt::format(" {:>24}", t);
  out += "\n";
  for (const auto& [name, macs] : networks) {
    out += fmt::format("{:<36} {:>9.1f}", name.substr(0, 36), static_cast<double>(macs) / 1e6);
    for (const auto& t : targets) {
      auto it = median_ms.find({name, t});
      out += it == median_ms.end() ? fmt::format(" {:>24}", "-") : fmt::format(" {:>24.3f}", it->second);
    }
    out += "\n";
  }
  return out;
}

std::optional<double> KernelSumRow::ratio() const {
  if (!network_ms || missing > 0) return std::nullopt;
  return sum_kernels_ms / *network_ms;
}

Result<KernelSumResult> kernel_sum(const KernelSumRequest& request) {
  NNLAT_ASSIGN_OR_RETURN(auto rules, fusion::load_rule_set(request.rules));
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
  std::map<std::string, double> kernel_ms;   // by kernel hash, latest
  std::map<std::string, double> network_ms;  // by network hash, latest
  NNLAT_RETURN_IF_ERROR(store.for_each_measurement(request.target, [&](const store::MeasurementRow& row) {
    (row.kind == store::MeasurementKind::kKernel ? kernel_ms : network_ms)[row.hash] = row.median_ms;
    return Status::Ok();
  }));
  NNLAT_ASSIGN_OR_RETURN(auto refs, models::expand_model_references(request.models));
  KernelSumResult result;
  for (const auto& ref : refs) {
    NNLAT_ASSIGN_OR_RETURN(auto g, models::load_model(ref));
    auto kernels = fusion::detect_kernels(g, rules);
    if (!kernels.ok()) return kernels.error().with_context(ref);
    KernelSumRow row{.network = g.name, .kernels = kernels->size()};
    for (const auto& k : *kernels) {
      auto kg = fusion::kernel_graph(g, k);
      auto it = kg.ok() ? kernel_ms.find(fusion::kernel_hash(*kg)) : kernel_ms.end();
      if (it == kernel_ms.end()) {
        ++row.missing;
      } else {
        row.sum_kernels_ms += it->second;
      }
    }
    if (auto e2e = network_ms.find(formats::graph_json_hash(g)); e2e != network_ms.end()) {
      row.network_ms = e2e->second;
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

nlohmann::ordered_json KernelSumResult::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    auto optional = [](std::optional<double> v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(); };
    out.push_back({{"network", r.network},
                   {"kernels", r.kernels},
                   {"missing", r.missing},
                   {"sum_kernels_ms", r.sum_kernels_ms},
                   {"network_ms", optional(r.network_ms)},
                   {"ratio", optional(r.ratio())}});
  }
  return out;
}

std::string KernelSumResult::to_text() const {
  std::string out = fmt::format("{:<28} {:>8} {:>9} {:>14} {:>14} {:>8}\n", "network", "kernels", "missing",
                                "sum kernels ms", "end-to-end ms", "ratio");
  auto cell = [](std::optional<double> v) { return v ? fmt::format("{:.3f}", *v) : std::string("-"); };
  for (const auto& r : rows) {
    out += fmt::format("{:<28} {:>8} {:>9} {:>14.3f} {:>14} {:>8}\n", r.network.substr(0, 28), r.kernels, r.missing,
                       r.sum_kernels_ms, cell(r.network_ms), cell(r.ratio()));
  }
  return out;
}

}  // namespace nnlat::app
