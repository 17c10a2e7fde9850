#include "nnlat/backends/registry.hpp"

#include <charconv>
#include <thread>

#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"

namespace nnlat::backends {
namespace {

Result<int> parse_positive(std::string_view text, const std::string& what) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return make_error(ErrorCode::kInvalidArgument, what + ": '" + std::string(text) + "' is not a number");
  }
  return v;
}

int hardware_threads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

}  // namespace

std::vector<std::string> backend_names() { return {"xnnpack", "reference"}; }

std::unique_ptr<Backend> make_backend(std::string_view name) {
  if (name == "xnnpack") return std::make_unique<XnnpackBackend>();
  if (name == "reference") return std::make_unique<reference::ReferenceBackend>();
  return nullptr;
}

Result<LocalTarget> resolve_local_target(std::string_view text) {
  NNLAT_ASSIGN_OR_RETURN(TargetName name, parse_target_name(text));
  const std::string where = "target '" + name.str() + "'";
  if (name.device != "local") {
    return make_error(ErrorCode::kNotFound, where +
                                                ": nnlat measures only on this machine (device 'local'); "
                                                "measurements of other devices are imported (nnlat import)");
  }
  LocalTarget t;
  t.name = name;
  if (name.precision == "float") {
    t.config.precision = Precision::kFloat32;
  } else if (name.precision == "quant") {
    t.config.precision = Precision::kInt8;
  } else {
    return make_error(ErrorCode::kInvalidArgument, where + ": precision must be 'float' or 'quant'");
  }
  const std::string& config = name.config;
  if (config == "reference") {
    t.backend = "reference";
    return t;
  }
  const std::string prefix = "xnnpack-t";
  if (config.rfind(prefix, 0) != 0) {
    return make_error(ErrorCode::kNotFound,
                      where + ": unknown config '" + config + "' (xnnpack-t<threads>[-a<cpu>.<cpu>...] or reference)");
  }
  t.backend = "xnnpack";
  std::string_view rest = std::string_view(config).substr(prefix.size());
  const size_t dash = rest.find("-a");
  NNLAT_ASSIGN_OR_RETURN(t.config.threads, parse_positive(rest.substr(0, dash), where + " threads"));
  if (t.config.threads < 1 || t.config.threads > 256) {
    return make_error(ErrorCode::kInvalidArgument, where + ": threads must be between 1 and 256");
  }
  if (dash != std::string_view::npos) {
    std::string_view cpus = rest.substr(dash + 2);
    while (!cpus.empty()) {
      const size_t dot = cpus.find('.');
      NNLAT_ASSIGN_OR_RETURN(int cpu, parse_positive(cpus.substr(0, dot), where + " CPU id"));
      if (cpu >= hardware_threads()) {
        return make_error(ErrorCode::kNotFound, where + ": CPU " + std::to_string(cpu) + " does not exist here (" +
                                                    std::to_string(hardware_threads()) + " CPUs)");
      }
      t.config.affinity.push_back(cpu);
      cpus = dot == std::string_view::npos ? std::string_view() : cpus.substr(dot + 1);
    }
    if (t.config.affinity.empty()) return make_error(ErrorCode::kInvalidArgument, where + ": empty CPU list after -a");
  }
  return t;
}

std::vector<AvailableTarget> available_local_targets() {
  std::vector<AvailableTarget> out;
  for (int threads = 1; threads <= hardware_threads(); ++threads) {
    for (const char* precision : {"float", "quant"}) {
      out.push_back({"local:xnnpack-t" + std::to_string(threads) + ":" + precision, "xnnpack",
                     "XNNPACK on this CPU, " + std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") +
                         (std::string(precision) == "float" ? "fp32" : "int8 (QS8, per-channel weights)")});
    }
  }
  out.push_back({"local:reference:float", "reference", "naive reference loops (for checking, not for speed)"});
  return out;
}

}  // namespace nnlat::backends
