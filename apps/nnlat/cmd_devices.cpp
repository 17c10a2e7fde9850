// `nnlat devices [--json]`: the targets nnlat can measure on this machine, and the OpenCL
// devices behind the OpenCL targets.
#include "cli_common.hpp"
#include "nnlat/app/devices.hpp"

namespace nnlat::cli {

void add_devices_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("devices", "List the targets available on this machine (XNNPACK CPU, OpenCL devices)");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON object");
  cmd->callback([json, &exit_code] { exit_code = print_result(app::list_devices(), *json); });
}

}  // namespace nnlat::cli
