// The device runner's protocol (issue 14): `nnlat-device` runs on a phone or a board and
// speaks line-delimited JSON on stdin/stdout, one object per line, so that a dropped link
// loses at most the item in flight:
//
//   runner -> host  {"type":"hello","version":1,"runner_version":..,"environment":{..},"targets":[..]}
//   host -> runner  {"type":"measure","id":..,"target":"local:xnnpack-t4:float","graph":{nnlat graph},
//                    "protocol":{measurement protocol},"weight_seed":N,"kernel_timing_runs":K}
//   runner -> host  {"type":"result","id":..,"measurement":{..},"environment":{..}}
//                or {"type":"error","id":..,"message":".."}   (id "" when the line was unreadable)
//   host -> runner  {"type":"bye"}                             (or end of input)
//
// Targets are the runner's local names; the host maps its own (`pi4:xnnpack-t4:float`) onto
// them. A host refuses a runner whose `version` differs from kRunnerProtocolVersion.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/backends/registry.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/measure/measurement.hpp"

namespace nnlat::backends {

inline constexpr int kRunnerProtocolVersion = 1;

struct RunnerHello {
  int version = kRunnerProtocolVersion;
  std::string runner_version;
  measure::Environment environment;  // the device: CPU, cores, governor, kernel, machine
  std::vector<AvailableTarget> targets;
};

struct MeasureRequest {
  std::string id;
  std::string target;  // the runner's local target name
  nlohmann::json graph;
  measure::ProtocolOptions protocol;
  uint64_t weight_seed = 0;
  int kernel_timing_runs = 0;  // > 0: per-kernel device times (backends that report kernels)
};

struct MeasureResult {
  std::string id;
  measure::Measurement measurement;
  measure::Environment environment;  // threads, backend, kernels, device state around the item
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
nlohmann::json to_json(const RunnerError& error);

// Each checks "type" and every field; errors are kParseError naming the field.
Result<RunnerHello> hello_from_json(const nlohmann::json& json);
Result<MeasureRequest> measure_request_from_json(const nlohmann::json& json);
Result<MeasureResult> measure_result_from_json(const nlohmann::json& json);
Result<RunnerError> runner_error_from_json(const nlohmann::json& json);

// The "type" of a message line; kParseError for a line that is not a JSON object with one.
Result<std::string> message_type(const nlohmann::json& json);

}  // namespace nnlat::backends
