#include "fuzz_store_checks.hpp"

#include <cmath>
#include <string>

#include "fuzz_support.hpp"
#include "nnlat/models/stored_network.hpp"

namespace nnlat::fuzz {

store::Store memory_store() {
  auto store = store::Store::open(":memory:");
  if (!store.ok()) fail("a store in memory: " + store.error().message);
  return std::move(*store);
}

void check_stored_measurements(const store::Store& store, std::string_view where) {
  const std::string at(where);
  auto visited = store.for_each_measurement(std::nullopt, [&](const store::MeasurementRow& row) {
    const bool network = row.kind == store::MeasurementKind::kNetwork;
    if (!std::isfinite(row.median_ms) || row.median_ms < 0 || (network && row.median_ms == 0)) {
      fail(at + ": a stored " + (network ? "network" : "kernel") + " measurement of " + std::to_string(row.median_ms) +
           " ms");
    }
    return Status::Ok();
  });
  if (!visited.ok()) fail(at + ": reading the store back: " + visited.error().message);
  auto stats = store.stats();
  if (!stats.ok()) fail(at + ": store stats: " + stats.error().message);
  for (const auto& target : stats->per_target) {
    auto networks = store.subject_latencies(target.target, store::MeasurementKind::kNetwork);
    if (!networks.ok()) fail(at + ": networks of " + target.target + ": " + networks.error().message);
    for (const auto& network : *networks) {
      // A NAS network is kept as its space and encoding (schema v3): rebuilt and hash-checked
      // as every reader does; other networks as their JSON graph.
      auto graph = models::stored_network_graph(network.space, network.encoding, network.graph_json, network.hash,
                                                "stored network " + network.name);
      if (!graph.ok()) fail(at + ": a stored network does not read back: " + graph.error().message);
      check_accepted_graph(*graph, at + ", network " + network.name);
    }
  }
}

}  // namespace nnlat::fuzz
