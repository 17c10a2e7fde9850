// `nnlat db stats|table|kernel-sum`: what a measurement store holds, as results the CLI prints
// and the Python module returns (DESIGN.md principle 14). Each call opens the store itself.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {

// `db stats`: counts of targets, networks, kernels and measurements, per target too.
struct StoreStatsResult {
  std::string db;
  store::StoreStats stats;

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;  // a summary line and a table per target
};
Result<StoreStatsResult> store_stats(const std::string& db);

// `db table`: networks x targets, the median end-to-end latency of the latest measurement.
struct LatencyTable {
  std::vector<std::string> targets;                                 // in first-seen order
  std::vector<std::pair<std::string, int64_t>> networks;            // name and MACs, in first-seen order
  std::map<std::pair<std::string, std::string>, double> median_ms;  // by (network, target)

  nlohmann::ordered_json to_json() const;  // {"targets", "networks": [{name, macs, median_ms: {target: ms}}]}
  std::string to_text() const;             // the table; "-" where a network was not measured on a target
};
Result<LatencyTable> latency_table(const std::string& db);

// `db kernel-sum`: per network, the sum of its kernels' isolated medians against its own
// end-to-end median (how far the sum-of-kernels model is from the truth on this target).
struct KernelSumRow {
  std::string network;
  size_t kernels = 0;
  int missing = 0;                   // kernels with no isolated measurement
  double sum_kernels_ms = 0;         // over the measured kernels
  std::optional<double> network_ms = std::nullopt;  // end-to-end median, when measured
  // sum / end-to-end, only when every kernel and the network were measured.
  std::optional<double> ratio() const;
};
struct KernelSumResult {
  std::vector<KernelSumRow> rows;

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};
struct KernelSumRequest {
  std::string db;
  std::string target = "local:xnnpack-t1:float";
  std::string rules = "xnnpack";
  std::vector<std::string> models;  // references; a directory: every model in it
};
Result<KernelSumResult> kernel_sum(const KernelSumRequest& request);

}  // namespace nnlat::app
