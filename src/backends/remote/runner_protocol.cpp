#include "nnlat/backends/runner_protocol.hpp"

#include <algorithm>
#include <cmath>

namespace nnlat::backends {
namespace {

Error bad(const std::string& what) { return make_error(ErrorCode::kParseError, "runner message: " + what); }

// The object's field `key`, checked to be present and of the kind `is` accepts.
template <typename Check>
Result<const nlohmann::json*> field(const nlohmann::json& j, const char* key, Check is, const char* kind) {
  const auto it = j.find(key);
  if (it == j.end()) return bad(std::string("missing \"") + key + "\"");
  if (!is(*it)) return bad(std::string("\"") + key + "\" must be " + kind);
  return &*it;
}

Result<std::string> string_field(const nlohmann::json& j, const char* key) {
  NNLAT_ASSIGN_OR_RETURN(auto v, field(
                                     j, key, [](const auto& x) { return x.is_string(); }, "a string"));
  return v->template get<std::string>();
}

Result<double> finite_field(const nlohmann::json& j, const char* key) {
  NNLAT_ASSIGN_OR_RETURN(
      auto v, field(
                  j, key, [](const auto& x) { return x.is_number() && std::isfinite(x.template get<double>()); },
                  "a finite number"));
  return v->template get<double>();
}

Status expect_type(const nlohmann::json& j, const char* type) {
  NNLAT_ASSIGN_OR_RETURN(auto t, message_type(j));
  if (t != type) return bad(std::string("expected a \"") + type + "\" message, got \"" + t + "\"");
  return Status::Ok();
}

}  // namespace

Result<std::string> message_type(const nlohmann::json& j) {
  if (!j.is_object()) return bad("not a JSON object");
  return string_field(j, "type");
}

nlohmann::json measurement_to_json(const measure::Measurement& m) {
  return {{"samples_ms", m.samples_ms},
          {"median_ms", m.median_ms},
          {"mean_ms", m.mean_ms},
          {"std_ms", m.std_ms},
          {"cv", m.cv},
          {"min_ms", m.min_ms},
          {"unstable", m.unstable},
          {"remeasures", m.remeasures}};
}

Result<measure::Measurement> measurement_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return bad("\"measurement\" must be an object");
  measure::Measurement m;
  NNLAT_ASSIGN_OR_RETURN(auto samples, field(
                                           j, "samples_ms", [](const auto& x) { return x.is_array() && !x.empty(); },
                                           "a non-empty array"));
  for (const auto& s : *samples) {
    if (!s.is_number() || !std::isfinite(s.get<double>()) || s.get<double>() < 0) {
      return bad("\"samples_ms\" must hold finite numbers >= 0");
    }
    m.samples_ms.push_back(s.get<double>());
  }
  NNLAT_ASSIGN_OR_RETURN(m.median_ms, finite_field(j, "median_ms"));
  NNLAT_ASSIGN_OR_RETURN(m.mean_ms, finite_field(j, "mean_ms"));
  NNLAT_ASSIGN_OR_RETURN(m.std_ms, finite_field(j, "std_ms"));
  NNLAT_ASSIGN_OR_RETURN(m.cv, finite_field(j, "cv"));
  NNLAT_ASSIGN_OR_RETURN(m.min_ms, finite_field(j, "min_ms"));
  NNLAT_ASSIGN_OR_RETURN(auto unstable, field(
                                            j, "unstable", [](const auto& x) { return x.is_boolean(); }, "a boolean"));
  m.unstable = unstable->get<bool>();
  NNLAT_ASSIGN_OR_RETURN(auto remeasures,
                         field(
                             j, "remeasures", [](const auto& x) { return x.is_number_integer(); }, "an integer"));
  m.remeasures = remeasures->get<int>();
  return m;
}

nlohmann::json to_json(const RunnerHello& h) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : h.targets) {
    targets.push_back({{"name", t.name}, {"backend", t.backend}, {"description", t.description}});
  }
  nlohmann::json clusters = nlohmann::json::array();
  for (const auto& c : h.clusters) clusters.push_back({{"name", c.name}, {"max_mhz", c.max_mhz}, {"cpus", c.cpus}});
  return {{"type", "hello"},
          {"version", h.version},
          {"runner_version", h.runner_version},
          {"build", h.build},
          {"environment", measure::environment_to_json(h.environment)},
          {"memory_mb", h.memory_mb},
          {"clusters", clusters},
          {"state", measure::device_state_to_json(h.state)},
          {"governors", h.governors},
          {"targets", targets}};
}

nlohmann::json to_json(const MeasureRequest& r) {
  return {{"type", "measure"},
          {"id", r.id},
          {"target", r.target},
          {"graph", r.graph},
          {"protocol", measure::protocol_to_json(r.protocol)},
          {"weight_seed", r.weight_seed},
          {"kernel_timing_runs", r.kernel_timing_runs},
          {"cold_cache", r.cold_cache},
          {"steady_warmup", {{"max_s", r.steady_warmup_s}, {"tolerance", r.steady_tolerance}}}};
}

nlohmann::json to_json(const MeasureResult& r) {
  return {{"type", "result"},
          {"id", r.id},
          {"measurement", measurement_to_json(r.measurement)},
          {"environment", measure::environment_to_json(r.environment)},
          {"steady_warmup",
           {{"windows", r.warmup.windows}, {"steady", r.warmup.steady}, {"last_median_ms", r.warmup.last_median_ms}}},
          {"cache_flushes", r.cache_flushes}};
}

nlohmann::json to_json(const CheckRequest& r) {
  return {{"type", "check"},
          {"id", r.id},
          {"target", r.target},
          {"graph", r.graph},
          {"weight_seed", r.weight_seed},
          {"input_seed", r.input_seed},
          {"input_lo", r.input_lo},
          {"input_hi", r.input_hi}};
}

nlohmann::json to_json(const CheckResult& r) {
  // JSON has no infinity (a NaN output's error): it is written as null, and read back as infinity.
  nlohmann::json error = std::isfinite(r.max_relative_error) ? nlohmann::json(r.max_relative_error) : nullptr;
  return {{"type", "checked"}, {"id", r.id}, {"max_relative_error", error}, {"outputs", r.outputs}};
}

nlohmann::json to_json(const RunnerError& e) { return {{"type", "error"}, {"id", e.id}, {"message", e.message}}; }

Result<RunnerHello> hello_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "hello"));
  RunnerHello h;
  NNLAT_ASSIGN_OR_RETURN(auto version,
                         field(
                             j, "version", [](const auto& x) { return x.is_number_integer(); }, "an integer"));
  h.version = version->get<int>();
  NNLAT_ASSIGN_OR_RETURN(h.runner_version, string_field(j, "runner_version"));
  NNLAT_ASSIGN_OR_RETURN(auto env, field(
                                       j, "environment", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(h.environment, measure::environment_from_json(*env));
  NNLAT_ASSIGN_OR_RETURN(auto targets, field(
                                           j, "targets", [](const auto& x) { return x.is_array(); }, "an array"));
  for (const auto& t : *targets) {
    if (!t.is_object()) return bad("\"targets\" must hold objects");
    AvailableTarget a;
    NNLAT_ASSIGN_OR_RETURN(a.name, string_field(t, "name"));
    NNLAT_ASSIGN_OR_RETURN(a.backend, string_field(t, "backend"));
    NNLAT_ASSIGN_OR_RETURN(a.description, string_field(t, "description"));
    h.targets.push_back(std::move(a));
  }
  NNLAT_ASSIGN_OR_RETURN(auto clusters, field(
                                            j, "clusters", [](const auto& x) { return x.is_array(); }, "an array"));
  for (const auto& c : *clusters) {
    if (!c.is_object()) return bad("\"clusters\" must hold objects");
    measure::CpuCluster cluster;
    NNLAT_ASSIGN_OR_RETURN(cluster.name, string_field(c, "name"));
    NNLAT_ASSIGN_OR_RETURN(cluster.max_mhz, finite_field(c, "max_mhz"));
    NNLAT_ASSIGN_OR_RETURN(auto cpus, field(
                                          c, "cpus", [](const auto& x) { return x.is_array(); }, "an array"));
    for (const auto& cpu : *cpus) {
      if (!cpu.is_number_integer() || cpu.get<int>() < 0) return bad("\"cpus\" must hold CPU ids");
      cluster.cpus.push_back(cpu.get<int>());
    }
    h.clusters.push_back(std::move(cluster));
  }
  // Fields a runner of this protocol version may lack: read when present, checked when read.
  if (j.contains("build")) {
    NNLAT_ASSIGN_OR_RETURN(h.build, string_field(j, "build"));
  }
  if (j.contains("memory_mb")) {
    NNLAT_ASSIGN_OR_RETURN(
        auto memory,
        field(
            j, "memory_mb", [](const auto& x) { return x.is_number_integer() && x >= 0; }, "a count of MiB"));
    h.memory_mb = memory->get<int64_t>();
  }
  if (j.contains("state")) {
    auto state = measure::device_state_from_json(j["state"]);
    if (!state.ok()) return bad("\"state\": " + state.error().message);
    h.state = std::move(*state);
  }
  if (j.contains("governors")) {
    NNLAT_ASSIGN_OR_RETURN(auto governors, field(
                                               j, "governors",
                                               [](const auto& x) {
                                                 return x.is_array() &&
                                                        std::all_of(x.begin(), x.end(),
                                                                    [](const auto& g) { return g.is_string(); });
                                               },
                                               "an array of strings"));
    h.governors = governors->get<std::vector<std::string>>();
  }
  return h;
}

Result<MeasureRequest> measure_request_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "measure"));
  MeasureRequest r;
  NNLAT_ASSIGN_OR_RETURN(r.id, string_field(j, "id"));
  NNLAT_ASSIGN_OR_RETURN(r.target, string_field(j, "target"));
  NNLAT_ASSIGN_OR_RETURN(auto graph, field(
                                         j, "graph", [](const auto& x) { return x.is_object(); }, "an object"));
  r.graph = *graph;
  NNLAT_ASSIGN_OR_RETURN(auto protocol, field(
                                            j, "protocol", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(r.protocol, measure::protocol_from_json(*protocol));
  NNLAT_ASSIGN_OR_RETURN(
      auto seed, field(
                     j, "weight_seed", [](const auto& x) { return x.is_number_unsigned(); }, "an unsigned integer"));
  r.weight_seed = seed->get<uint64_t>();
  NNLAT_ASSIGN_OR_RETURN(
      auto runs,
      field(
          j, "kernel_timing_runs", [](const auto& x) { return x.is_number_integer() && x.template get<int>() >= 0; },
          "an integer >= 0"));
  r.kernel_timing_runs = runs->get<int>();
  NNLAT_ASSIGN_OR_RETURN(auto cold, field(
                                        j, "cold_cache", [](const auto& x) { return x.is_boolean(); }, "a boolean"));
  r.cold_cache = cold->get<bool>();
  NNLAT_ASSIGN_OR_RETURN(auto warmup,
                         field(
                             j, "steady_warmup", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(r.steady_warmup_s, finite_field(*warmup, "max_s"));
  NNLAT_ASSIGN_OR_RETURN(r.steady_tolerance, finite_field(*warmup, "tolerance"));
  if (r.steady_warmup_s < 0 || r.steady_tolerance < 0) return bad("\"steady_warmup\" must hold numbers >= 0");
  return r;
}

Result<MeasureResult> measure_result_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "result"));
  MeasureResult r;
  NNLAT_ASSIGN_OR_RETURN(r.id, string_field(j, "id"));
  NNLAT_ASSIGN_OR_RETURN(auto m, field(
                                     j, "measurement", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(r.measurement, measurement_from_json(*m));
  NNLAT_ASSIGN_OR_RETURN(auto env, field(
                                       j, "environment", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(r.environment, measure::environment_from_json(*env));
  NNLAT_ASSIGN_OR_RETURN(auto warmup,
                         field(
                             j, "steady_warmup", [](const auto& x) { return x.is_object(); }, "an object"));
  NNLAT_ASSIGN_OR_RETURN(
      auto windows,
      field(
          *warmup, "windows", [](const auto& x) { return x.is_number_integer() && x.template get<int>() >= 0; },
          "an integer >= 0"));
  r.warmup.windows = windows->get<int>();
  NNLAT_ASSIGN_OR_RETURN(auto steady,
                         field(
                             *warmup, "steady", [](const auto& x) { return x.is_boolean(); }, "a boolean"));
  r.warmup.steady = steady->get<bool>();
  NNLAT_ASSIGN_OR_RETURN(r.warmup.last_median_ms, finite_field(*warmup, "last_median_ms"));
  NNLAT_ASSIGN_OR_RETURN(
      auto flushes, field(
                        j, "cache_flushes", [](const auto& x) { return x.is_number_unsigned(); }, "an integer >= 0"));
  r.cache_flushes = flushes->get<size_t>();
  return r;
}

Result<CheckRequest> check_request_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "check"));
  CheckRequest r;
  NNLAT_ASSIGN_OR_RETURN(r.id, string_field(j, "id"));
  NNLAT_ASSIGN_OR_RETURN(r.target, string_field(j, "target"));
  NNLAT_ASSIGN_OR_RETURN(auto graph, field(
                                         j, "graph", [](const auto& x) { return x.is_object(); }, "an object"));
  r.graph = *graph;
  const auto is_seed = [](const auto& x) { return x.is_number_unsigned(); };
  NNLAT_ASSIGN_OR_RETURN(auto weight_seed, field(j, "weight_seed", is_seed, "an unsigned integer"));
  r.weight_seed = weight_seed->get<uint64_t>();
  NNLAT_ASSIGN_OR_RETURN(auto input_seed, field(j, "input_seed", is_seed, "an unsigned integer"));
  r.input_seed = input_seed->get<uint64_t>();
  NNLAT_ASSIGN_OR_RETURN(r.input_lo, finite_field(j, "input_lo"));
  NNLAT_ASSIGN_OR_RETURN(r.input_hi, finite_field(j, "input_hi"));
  if (!(r.input_lo < r.input_hi)) return bad("\"input_lo\" must be below \"input_hi\"");
  return r;
}

Result<CheckResult> check_result_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "checked"));
  CheckResult r;
  NNLAT_ASSIGN_OR_RETURN(r.id, string_field(j, "id"));
  if (j.contains("max_relative_error") && j["max_relative_error"].is_null()) {
    r.max_relative_error = INFINITY;
  } else {
    NNLAT_ASSIGN_OR_RETURN(r.max_relative_error, finite_field(j, "max_relative_error"));
  }
  NNLAT_ASSIGN_OR_RETURN(
      auto outputs, field(
                        j, "outputs", [](const auto& x) { return x.is_number_integer() && x.template get<int>() >= 0; },
                        "an integer >= 0"));
  r.outputs = outputs->get<int>();
  return r;
}

Result<RunnerError> runner_error_from_json(const nlohmann::json& j) {
  NNLAT_RETURN_IF_ERROR(expect_type(j, "error"));
  RunnerError e;
  NNLAT_ASSIGN_OR_RETURN(e.id, string_field(j, "id"));
  NNLAT_ASSIGN_OR_RETURN(e.message, string_field(j, "message"));
  return e;
}

}  // namespace nnlat::backends
