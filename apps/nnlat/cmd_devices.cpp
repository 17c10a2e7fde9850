// `nnlat devices [--devices FILE] [--json]`: the targets nnlat can measure on this machine, the
// OpenCL devices behind the OpenCL targets, and the registered remote devices as their runners
// answer; `nnlat devices add NAME --ssh|--adb|--local ...` and `devices remove NAME` keep the
// registry (docs/remote.md).
#include "cli_common.hpp"
#include "nnlat/app/devices.hpp"

namespace nnlat::cli {

void add_devices_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "devices", "List the targets available on this machine (XNNPACK CPU, OpenCL devices) and on registered devices");
  auto file = std::make_shared<std::string>(app::kDefaultDevicesFile);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--devices", *file, "The devices file")->capture_default_str();
  cmd->add_flag("--json", *json, "Print a JSON object");
  cmd->require_subcommand(0, 1);
  cmd->callback([cmd, file, json, &exit_code] {
    if (cmd->get_subcommands().empty()) exit_code = print_result(app::list_devices(*file), *json);
  });

  auto* add =
      cmd->add_subcommand("add",
                          "Register a device reached over ssh or adb, or a runner on this machine (NOT finished: "
                          "the runner must already be on the device; issue 14)");
  auto request = std::make_shared<app::AddDeviceRequest>();
  add->add_option("name", request->name, "Device name: the first part of its targets, e.g. pi4")->required();
  add->add_option("--ssh", request->ssh, "[USER@]HOST[:PORT], through the OpenSSH client (BatchMode, your ssh config)");
  add->add_option("--identity", request->identity, "ssh private key");
  add->add_option("--adb", request->adb, "adb serial (adb devices)");
  add->add_option("--local", request->local, "A runner on this machine, e.g. build/bundle/nnlat-device");
  add->add_option("--runner", request->runner,
                  "The runner's path on the device (default: nnlat/nnlat-device over ssh, "
                  "/data/local/tmp/nnlat/nnlat-device over adb)");
  add->callback([request, file, json, &exit_code] {
    request->file = *file;
    exit_code = print_result(app::add_device(*request), *json);
  });

  add->fallthrough();  // --devices and --json after the subcommand
  auto* remove = cmd->add_subcommand("remove", "Forget a registered device (its measurements stay in the stores)");
  remove->fallthrough();
  auto name = std::make_shared<std::string>();
  remove->add_option("name", *name, "Device name")->required();
  remove->callback(
      [name, file, json, &exit_code] { exit_code = print_result(app::remove_device(*file, *name), *json); });
}

}  // namespace nnlat::cli
