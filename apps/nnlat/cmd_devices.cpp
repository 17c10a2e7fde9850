// `nnlat devices [--json]`: the targets nnlat can measure on this machine, and the OpenCL
// devices behind the OpenCL targets.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/measure/environment.hpp"

namespace nnlat::cli {

void add_devices_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("devices", "List the targets available on this machine (XNNPACK CPU, OpenCL devices)");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON object");
  cmd->callback([json, &exit_code] {
    const auto env = measure::capture_environment();
    const auto targets = backends::available_local_targets();
    const auto gpus = backends::list_opencl_devices();
    if (*json) {
      nlohmann::ordered_json devices = nlohmann::ordered_json::array();
      for (const auto& d : gpus) {
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
        // Resolved, so that an OpenCL target's version names its own device.
        auto resolved = backends::resolve_local_target(t.name);
        auto backend = resolved.ok() ? backends::make_backend(*resolved) : backends::make_backend(t.backend);
        list.push_back({{"target", t.name},
                        {"backend", t.backend},
                        {"backend_version", backend ? backend->version() : ""},
                        {"description", t.description}});
      }
      nlohmann::ordered_json doc{
          {"cpu", env.cpu_model}, {"cores", env.cpu_cores}, {"opencl_devices", devices}, {"targets", list}};
      fmt::print("{}\n", doc.dump(2));
    } else {
      fmt::print("{} ({} CPUs, governor {})\n", env.cpu_model, env.cpu_cores, env.cpu_governor);
      for (const auto& t : targets) fmt::print("  {:<28} {}\n", t.name, t.description);
      fmt::print("Pin threads with -a: e.g. local:xnnpack-t1-a0:float runs one thread on CPU 0.\n");
      if (gpus.empty()) {
        fmt::print("OpenCL: no platform found (no ICD installed, e.g. pocl-opencl-icd); no OpenCL targets.\n");
      } else {
        fmt::print("OpenCL devices:\n");
        for (const auto& d : gpus) {
          fmt::print("  {:<28} {} ({}, {}), driver {}, {}, fp16 arithmetic (cl_khr_fp16) {}\n",
                     "local:" + d.target_config + ":float", d.name, d.type, d.platform, d.driver_version,
                     d.opencl_version, d.fp16 ? "yes" : "no");
        }
      }
    }
    exit_code = kExitOk;
  });
}

}  // namespace nnlat::cli
