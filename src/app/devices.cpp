#include "nnlat/app/devices.hpp"

#include <fmt/core.h>

#include "nnlat/backends/registry.hpp"

namespace nnlat::app {

Result<DevicesResult> list_devices(const std::string& devices_file, std::chrono::milliseconds probe_timeout) {
  DevicesResult result;
  result.environment = measure::capture_environment();
  result.devices_file = devices_file;
  NNLAT_ASSIGN_OR_RETURN(result.remote, probe_devices(devices_file, probe_timeout));
  for (const auto& t : backends::available_local_targets()) {
    // Resolved, so that an OpenCL target's version names its own device.
    auto resolved = backends::resolve_local_target(t.name);
    auto backend = resolved.ok() ? backends::make_backend(*resolved) : backends::make_backend(t.backend);
    result.targets.push_back({t.name, t.backend, backend ? backend->version() : "", t.description});
  }
  result.opencl_devices = backends::list_opencl_devices();
  return result;
}

nlohmann::ordered_json DevicesResult::to_json() const {
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (const auto& d : opencl_devices) {
    devices.push_back({{"target", "local:" + d.target_config + ":float"},
                       {"platform", d.platform},
                       {"platform_version", d.platform_version},
                       {"device", d.name},
                       {"type", d.type},
                       {"driver_version", d.driver_version},
                       {"opencl_version", d.opencl_version},
                       {"fp16", d.fp16},
                       {"compute_units", d.compute_units},
                       {"global_memory_bytes", d.global_memory_bytes}});
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& t : targets) {
    list.push_back({{"target", t.name},
                    {"backend", t.backend},
                    {"backend_version", t.backend_version},
                    {"description", t.description}});
  }
  return {{"cpu", environment.cpu_model},
          {"cores", environment.cpu_cores},
          {"opencl_devices", devices},
          {"targets", list},
          {"remote_devices", probed_devices_to_json(remote)}};
}

std::string DevicesResult::to_text() const {
  std::string out = fmt::format("{} ({} CPUs, governor {})\n", environment.cpu_model, environment.cpu_cores,
                                environment.cpu_governor);
  for (const auto& t : targets) out += fmt::format("  {:<28} {}\n", t.name, t.description);
  out += "Pin threads with -a: e.g. local:xnnpack-t1-a0:float runs one thread on CPU 0.\n";
  if (opencl_devices.empty()) {
    out += "OpenCL: no platform found (no ICD installed, e.g. pocl-opencl-icd); no OpenCL targets.\n";
  } else {
    out += "OpenCL devices:\n";
    for (const auto& d : opencl_devices) {
      out += fmt::format("  {:<28} {} ({}, {}), driver {}, {}, fp16 arithmetic (cl_khr_fp16) {}\n",
                         "local:" + d.target_config + ":float", d.name, d.type, d.platform, d.driver_version,
                         d.opencl_version, d.fp16 ? "yes" : "no");
    }
  }
  return out + probed_devices_to_text(devices_file, remote);
}

}  // namespace nnlat::app
