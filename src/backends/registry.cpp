#include "nnlat/backends/registry.hpp"

#include <cctype>
#include <charconv>
#include <thread>

#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/measure/cpu_clusters.hpp"

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

// `opencl-<platform>[-d<device>]` -> the device selector "<platform>/<device>", checked
// against the devices present so that a missing device fails before any measurement.
Result<std::string> opencl_selector(std::string_view config, const std::string& where) {
  std::string_view rest = config.substr(std::string_view("opencl-").size());
  std::string platform(rest), device = "0";
  if (const size_t d = rest.rfind("-d"); d != std::string_view::npos && d > 0) {
    NNLAT_ASSIGN_OR_RETURN(int index, parse_positive(rest.substr(d + 2), where + " device index"));
    platform = std::string(rest.substr(0, d));
    device = std::to_string(index);
  }
  const std::string selector = platform + "/" + device;
  std::string known;
  for (const auto& dev : list_opencl_devices()) {
    if (dev.selector == selector) return selector;
    known += (known.empty() ? "" : ", ") + dev.target_config + " (" + dev.name + ")";
  }
  return make_error(ErrorCode::kNotFound,
                    where + ": no OpenCL device " + selector + " on this machine; " +
                        (known.empty() ? std::string("no OpenCL platform found (install an ICD, e.g. pocl-opencl-icd)")
                                       : "OpenCL configs here: " + known));
}

}  // namespace

std::vector<std::string> backend_names() { return {"xnnpack", "opencl", "reference"}; }

std::unique_ptr<Backend> make_backend(std::string_view name) {
  if (name == "xnnpack") return std::make_unique<XnnpackBackend>();
  if (name == "opencl") return std::make_unique<OpenClBackend>();
  if (name == "reference") return std::make_unique<reference::ReferenceBackend>();
  return nullptr;
}

std::unique_ptr<Backend> make_backend(const LocalTarget& target) {
  if (target.backend == "opencl") return std::make_unique<OpenClBackend>(target.config.device);
  return make_backend(target.backend);
}

Result<LocalTarget> resolve_local_target(std::string_view text) {
  return resolve_local_target(text, measure::cpu_clusters());
}

Result<LocalTarget> resolve_local_target(std::string_view text, const std::vector<measure::CpuCluster>& clusters) {
  NNLAT_ASSIGN_OR_RETURN(measure::TargetName name, measure::parse_target_name(text));
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
  } else if (name.precision == "fp16") {
    t.config.precision = Precision::kFloat16;
  } else {
    return make_error(ErrorCode::kInvalidArgument, where + ": precision must be 'float', 'quant' or 'fp16'");
  }
  const std::string& config = name.config;
  if (config == "reference") {
    if (t.config.precision != Precision::kFloat32) {
      return make_error(ErrorCode::kUnsupported, where + ": the reference runs float only");
    }
    t.backend = "reference";
    return t;
  }
  if (config.rfind("opencl-", 0) == 0) {
    if (t.config.precision == Precision::kInt8) {
      return make_error(ErrorCode::kUnsupported, where + ": the OpenCL backend runs float and fp16, not quant");
    }
    t.backend = "opencl";
    NNLAT_ASSIGN_OR_RETURN(t.config.device, opencl_selector(config, where));
    return t;
  }
  const std::string prefix = "xnnpack-t";
  const std::string core_set_prefix = "xnnpack-";
  const bool is_core_set = config.rfind(core_set_prefix, 0) == 0 && config.size() > core_set_prefix.size() &&
                           std::isdigit(static_cast<unsigned char>(config[core_set_prefix.size()]));
  if (config.rfind(prefix, 0) != 0 && !is_core_set) {
    return make_error(ErrorCode::kNotFound,
                      where + ": unknown config '" + config +
                          "' (xnnpack-t<threads>[-a<cpu>.<cpu>...], xnnpack-<core set> such as xnnpack-1large, "
                          "opencl-<platform>[-d<device>] or reference)");
  }
  if (t.config.precision == Precision::kFloat16) {
    return make_error(ErrorCode::kUnsupported, where + ": XNNPACK targets run float or quant (fp16: OpenCL only)");
  }
  t.backend = "xnnpack";
  if (is_core_set) {  // the phone datasets' core sets: xnnpack-1large, xnnpack-1large2med
    auto cpus = measure::core_set_cpus(std::string_view(config).substr(core_set_prefix.size()), clusters);
    if (!cpus.ok()) return cpus.error().with_context(where);
    t.config.threads = static_cast<int>(cpus->size());
    t.config.affinity = std::move(*cpus);
    return t;
  }
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
  // Core sets first where the CPU has clusters (a phone, an ARM board): what the phone
  // datasets measured, every count of every cluster.
  for (const auto& cluster : measure::cpu_clusters()) {
    for (size_t count = 1; count <= cluster.cpus.size(); ++count) {
      for (const char* precision : {"float", "quant"}) {
        out.push_back({"local:xnnpack-" + std::to_string(count) + cluster.name + ":" + precision, "xnnpack",
                       "XNNPACK on " + std::to_string(count) + " " + cluster.name + " core" + (count == 1 ? "" : "s") +
                           " (" + std::to_string(static_cast<int>(cluster.max_mhz + 0.5)) + " MHz), " +
                           (std::string(precision) == "float" ? "fp32" : "int8")});
      }
    }
  }
  for (int threads = 1; threads <= hardware_threads(); ++threads) {
    for (const char* precision : {"float", "quant"}) {
      out.push_back({"local:xnnpack-t" + std::to_string(threads) + ":" + precision, "xnnpack",
                     "XNNPACK on this CPU, " + std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") +
                         (std::string(precision) == "float" ? "fp32" : "int8 (QS8, per-channel weights)")});
    }
  }
  for (const auto& d : list_opencl_devices()) {
    out.push_back({"local:" + d.target_config + ":float", "opencl",
                   "OpenCL " + d.type + " '" + d.name + "' (" + d.platform + "), fp32"});
    out.push_back({"local:" + d.target_config + ":fp16", "opencl",
                   "OpenCL " + d.type + " '" + d.name + "' (" + d.platform + "), fp16 storage, fp32 arithmetic"});
  }
  out.push_back({"local:reference:float", "reference", "naive reference loops (for checking, not for speed)"});
  return out;
}

}  // namespace nnlat::backends
