// The device runner's protocol (issue 14): `nnlat-device` runs on a phone or a board and
// speaks line-delimited JSON on stdin/stdout, one object per line, so that a dropped link
// loses at most the item in flight:
//
//   runner -> host  {"type":"hello","version":2,"runner_version":..,"environment":{..},
//                    "clusters":[{"name":"large","max_mhz":2841.6,"cpus":[7]},..],"targets":[..]}
//   host -> runner  {"type":"measure","id":..,"target":"local:xnnpack-t4:float","graph":{nnlat graph},
//                    "protocol":{measurement protocol},"weight_seed":N,"kernel_timing_runs":K,
//                    "cold_cache":false,"steady_warmup":{"max_s":10,"tolerance":0.02}}
//   runner -> host  {"type":"result","id":..,"measurement":{..},"environment":{..},
//                    "steady_warmup":{"windows":3,"steady":true,"last_median_ms":..},"cache_flushes":0}
//                or {"type":"error","id":..,"message":".."}   (id "" when the line was unreadable)
//   host -> runner  {"type":"check","id":..,"target":..,"graph":{..},"weight_seed":N,
//                    "input_seed":N,"input_lo":x,"input_hi":y}
//   runner -> host  {"type":"checked","id":..,"max_relative_error":e,"outputs":n}   (or an error)
//   host -> runner  {"type":"bye"}                             (or end of input)
//
// Targets are the runner's local names; the host maps its own (`pi4:xnnpack-t4:float`) onto
// them. A host refuses a runner whose `version` differs from kRunnerProtocolVersion.
// Version 2 added "check": the runner runs a graph on a target and on its reference loops with
// the same weights and inputs and says how far apart the outputs are (reference_check.hpp),
// so a cross-built runner is checked on the machine it runs on.
// Version 3 added the steady warm-up and `--cold-cache` to "measure" (max_s 0: no warm-up) and
// what the runner applied to "result": a runner of version 2 would have ignored both silently.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/backends/registry.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/measure/cpu_clusters.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/schedule.hpp"

namespace nnlat::backends {

inline constexpr int kRunnerProtocolVersion = 3;

struct RunnerHello {
  int version = kRunnerProtocolVersion;
  std::string runner_version;
  measure::Environment environment;           // the device: CPU, cores, governor, kernel, machine
  std::vector<measure::CpuCluster> clusters;  // big.LITTLE tiers; empty on a CPU of one cluster
  std::vector<AvailableTarget> targets;
  // Optional in a hello (read as these defaults when absent, so protocol version 2 holds):
  std::string build;                   // a hash of the runner's executable (16 hex digits); "": unknown
  int64_t memory_mb = 0;               // MemTotal in MiB; 0: unknown
  measure::DeviceState state;          // the CPUs' current clocks and the thermal zones, at the hello
  std::vector<std::string> governors;  // each CPU's cpufreq governor; empty: not readable
};

struct MeasureRequest {
  std::string id;
  std::string target;  // the runner's local target name
  nlohmann::json graph;
  measure::ProtocolOptions protocol;
  uint64_t weight_seed = 0;
  int kernel_timing_runs = 0;  // > 0: per-kernel device times (backends that report kernels)
  // Applied by the runner exactly as a local campaign applies them (backends/graph_measurement.hpp).
  bool cold_cache = false;         // flush the caches before every timed run
  double steady_warmup_s = 0;      // > 0: warm up until steady first, at most this long
  double steady_tolerance = 0.02;  // two consecutive warm-up windows agree within this fraction
};

struct MeasureResult {
  std::string id;
  measure::Measurement measurement;
  measure::Environment environment;  // threads, backend, kernels, device state around the item
  measure::SteadyWarmup warmup;      // the warm-up the runner ran first; windows 0: none
  size_t cache_flushes = 0;          // cache flushes before timed runs; 0 without cold_cache
};

struct CheckRequest {
  std::string id;
  std::string target;  // the runner's local target name
  nlohmann::json graph;
  uint64_t weight_seed = 0;
  uint64_t input_seed = 1000;  // input i is uniform in [input_lo, input_hi], seeded input_seed + i
  double input_lo = -1, input_hi = 1;
};

struct CheckResult {
  std::string id;
  double max_relative_error = 0;  // backends::relative_error, the largest over the outputs
  int outputs = 0;
};

struct RunnerError {
  std::string id;
  std::string message;
};

nlohmann::json measurement_to_json(const measure::Measurement& m);
Result<measure::Measurement> measurement_from_json(const nlohmann::json& json);

nlohmann::json to_json(const RunnerHello& hello);
nlohmann::json to_json(const MeasureRequest& request);
nlohmann::json to_json(const MeasureResult& result);
nlohmann::json to_json(const CheckRequest& request);
nlohmann::json to_json(const CheckResult& result);
nlohmann::json to_json(const RunnerError& error);

// Each checks "type" and every field; errors are kParseError naming the field.
Result<RunnerHello> hello_from_json(const nlohmann::json& json);
Result<MeasureRequest> measure_request_from_json(const nlohmann::json& json);
Result<MeasureResult> measure_result_from_json(const nlohmann::json& json);
Result<CheckRequest> check_request_from_json(const nlohmann::json& json);
Result<CheckResult> check_result_from_json(const nlohmann::json& json);
Result<RunnerError> runner_error_from_json(const nlohmann::json& json);

// The "type" of a message line; kParseError for a line that is not a JSON object with one.
Result<std::string> message_type(const nlohmann::json& json);

}  // namespace nnlat::backends
