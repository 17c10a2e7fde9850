#include "nnlat/backends/device_runner.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <memory>
#include <ostream>

#include "nnlat/backends/graph_measurement.hpp"
#include "nnlat/backends/reference_check.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/measure/device_state.hpp"

namespace nnlat::backends {
namespace {

// Backends stay alive between requests: creating one (an XNNPACK thread pool, an OpenCL
// context) costs far more than a small kernel's measurement.
class BackendCache {
 public:
  Result<std::pair<Backend*, LocalTarget>> get(const std::string& name) {
    NNLAT_ASSIGN_OR_RETURN(auto target, resolve_local_target(name));
    auto& slot = backends_[name];
    if (!slot) slot = make_backend(target);
    if (!slot) return make_error(ErrorCode::kNotFound, "backend " + target.backend + " is not built in");
    return std::pair<Backend*, LocalTarget>{slot.get(), std::move(target)};
  }

 private:
  std::map<std::string, std::unique_ptr<Backend>> backends_;
};

// The 64 MiB buffer of `--cold-cache`, allocated with the first request that asks for it.
class FlusherCache {
 public:
  CacheFlusher* get() {
    if (!flusher_) flusher_ = std::make_unique<CacheFlusher>();
    return flusher_.get();
  }

 private:
  std::unique_ptr<CacheFlusher> flusher_;
};

Result<MeasureResult> measure_request(const MeasureRequest& request, BackendCache& cache, FlusherCache& flushers,
                                      const measure::Environment& machine) {
  NNLAT_ASSIGN_OR_RETURN(auto backend_and_target, cache.get(request.target));
  auto& [backend, target] = backend_and_target;
  target.config.weight_seed = request.weight_seed;
  NNLAT_ASSIGN_OR_RETURN(auto graph, formats::graph_from_json(request.graph.dump(), "the request's graph"));
  NNLAT_RETURN_IF_ERROR(backend->supports(graph, target.config));
  NNLAT_ASSIGN_OR_RETURN(auto prepared, backend->prepare(graph, target.config));
  MeasureResult result;
  result.id = request.id;
  result.environment = machine;
  result.environment.threads = target.config.threads;
  result.environment.affinity = target.config.affinity;
  result.environment.backend = backend->name();
  result.environment.backend_version = backend->version();
  // The very steps of a local campaign's measurement (graph_measurement.hpp).
  MeasureSettings settings;
  settings.protocol = request.protocol;
  settings.steady_warmup_s = request.steady_warmup_s;
  settings.steady_tolerance = request.steady_tolerance;
  settings.cold_cache = request.cold_cache ? flushers.get() : nullptr;
  settings.kernel_timing_runs = request.kernel_timing_runs;
  NNLAT_ASSIGN_OR_RETURN(auto taken, measure_prepared(*prepared, settings));
  result.measurement = std::move(taken.measurement);
  result.environment.state_before = std::move(taken.state_before);
  result.environment.state_after = std::move(taken.state_after);
  result.environment.kernels = std::move(taken.kernels);
  result.warmup = taken.warmup;
  result.cache_flushes = taken.cache_flushes;
  result.environment.time_utc = measure::iso8601_utc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  return result;
}

Status write_line(std::ostream& out, const nlohmann::json& message) {
  out << message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
  if (!out) return make_error(ErrorCode::kIoError, "nnlat-device: cannot write to the host (connection closed?)");
  return Status::Ok();
}

Result<CheckResult> check_request(const CheckRequest& request, BackendCache& cache) {
  NNLAT_ASSIGN_OR_RETURN(auto backend_and_target, cache.get(request.target));
  auto& [backend, target] = backend_and_target;
  target.config.weight_seed = request.weight_seed;
  NNLAT_ASSIGN_OR_RETURN(auto graph, formats::graph_from_json(request.graph.dump(), "the request's graph"));
  NNLAT_RETURN_IF_ERROR(backend->supports(graph, target.config));
  const auto inputs = check_inputs(graph, target.config, request.input_seed, static_cast<float>(request.input_lo),
                                   static_cast<float>(request.input_hi));
  NNLAT_ASSIGN_OR_RETURN(auto check, check_against_reference(*backend, graph, target.config, inputs));
  return CheckResult{request.id, check.max_relative_error, static_cast<int>(check.outputs)};
}

// Parses a request line of type `parse`'s message and serves it with `serve`; either's error
// goes back as an error message naming the line (or the target and item) and serving goes on.
template <typename Parse, typename Serve>
Status answer(std::ostream& out, const nlohmann::json& json, const std::string& where, Parse parse, Serve serve) {
  auto request = parse(json);
  if (!request.ok()) {
    const std::string id = json.contains("id") && json["id"].is_string() ? json["id"].get<std::string>() : "";
    return write_line(out, to_json(RunnerError{id, where + ": " + request.error().message}));
  }
  auto result = serve(*request);
  if (!result.ok()) {
    return write_line(out, to_json(RunnerError{request->id, request->target + ", item " + request->id + ": " +
                                                                result.error().message}));
  }
  return write_line(out, to_json(*result));
}

}  // namespace

RunnerHello local_hello(const std::string& runner_version, const std::string& build) {
  RunnerHello hello;
  hello.runner_version = runner_version;
  hello.build = build;
  hello.environment = measure::capture_environment();
  hello.memory_mb = measure::capture_memory_total_mb();
  hello.clusters = measure::cpu_clusters();
  hello.state = measure::capture_device_state();
  hello.governors = measure::capture_cpu_governors();
  hello.targets = available_local_targets();
  return hello;
}

std::string runner_build_id(const char* argv0) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.filename().string().rfind("ld-", 0) == 0) exe = argv0 ? argv0 : "";
  std::ifstream in(exe, std::ios::binary);
  if (exe.empty() || !in) return "";
  Fnv1a64Stream hash;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    hash.add(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  return hash_hex(hash.value());
}

Status serve_device_runner(std::istream& in, std::ostream& out, const std::string& runner_version,
                           const std::string& build) {
  const RunnerHello hello = local_hello(runner_version, build);
  NNLAT_RETURN_IF_ERROR(write_line(out, to_json(hello)));
  BackendCache cache;
  FlusherCache flushers;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const std::string where = "request line " + std::to_string(number);
    auto type = message_type(json);
    if (!type.ok()) {
      NNLAT_RETURN_IF_ERROR(write_line(out, to_json(RunnerError{"", where + ": " + type.error().message})));
      continue;
    }
    if (*type == "bye") return Status::Ok();
    if (*type == "measure") {
      NNLAT_RETURN_IF_ERROR(answer(out, json, where, measure_request_from_json, [&](const MeasureRequest& request) {
        return measure_request(request, cache, flushers, hello.environment);
      }));
    } else if (*type == "check") {
      NNLAT_RETURN_IF_ERROR(answer(out, json, where, check_request_from_json,
                                   [&](const CheckRequest& request) { return check_request(request, cache); }));
    } else {
      NNLAT_RETURN_IF_ERROR(
          write_line(out, to_json(RunnerError{"", where + ": unknown message type \"" + *type + "\""})));
    }
  }
  return Status::Ok();
}

}  // namespace nnlat::backends
