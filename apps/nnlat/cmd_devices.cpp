// `nnlat devices [--json]`: the targets nnlat can measure on this machine.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/backends/environment.hpp"
#include "nnlat/backends/registry.hpp"

namespace nnlat::cli {

void add_devices_command(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("devices", "List the targets available on this machine (XNNPACK CPU; OpenCL: not yet)");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON object");
  cmd->callback([json, &exit_code] {
    const auto env = backends::capture_environment();
    const auto targets = backends::available_local_targets();
    if (*json) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& t : targets) {
        auto backend = backends::make_backend(t.backend);
        list.push_back({{"target", t.name},
                        {"backend", t.backend},
                        {"backend_version", backend ? backend->version() : ""},
                        {"description", t.description}});
      }
      nlohmann::ordered_json doc{{"cpu", env.cpu_model}, {"cores", env.cpu_cores}, {"targets", list}};
      fmt::print("{}\n", doc.dump(2));
    } else {
      fmt::print("{} ({} CPUs, governor {})\n", env.cpu_model, env.cpu_cores, env.cpu_governor);
      for (const auto& t : targets) fmt::print("  {:<28} {}\n", t.name, t.description);
      fmt::print("Pin threads with -a: e.g. local:xnnpack-t1-a0:float runs one thread on CPU 0.\n");
      fmt::print("OpenCL GPU targets: not implemented yet.\n");
    }
    exit_code = kExitOk;
  });
}

}  // namespace nnlat::cli
