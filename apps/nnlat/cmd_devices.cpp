// `nnlat devices [--devices FILE] [--json]`: the targets nnlat can measure on this machine, the
// OpenCL devices behind the OpenCL targets, and the registered remote devices as their runners
// answer; `nnlat devices add NAME --ssh|--adb|--local ...` and `devices remove NAME` keep the
// registry, `devices deploy NAME [--bundle DIR]` puts a runner bundle on a device (docs/remote.md).
#include "cli_common.hpp"
#include "nnlat/app/deploy.hpp"
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
                          "Register a device reached over ssh or adb, or a runner on this machine (then put the "
                          "runner there with devices deploy NAME)");
  auto request = std::make_shared<app::AddDeviceRequest>();
  add->add_option("name", request->name, "Device name: the first part of its targets, e.g. pi4")->required();
  add->add_option("--ssh", request->ssh, "[USER@]HOST[:PORT], through the OpenSSH client (BatchMode, your ssh config)");
  add->add_option("--identity", request->identity, "ssh private key");
  add->add_option("--ssh-option", request->ssh_options,
                  "An ssh -o KEY=VALUE option kept with the device, e.g. StrictHostKeyChecking=no (repeatable)");
  add->add_option("--adb", request->adb, "adb serial (adb devices)");
  add->add_option("--local", request->local, "A runner on this machine, e.g. build/bundle/nnlat-device");
  add->add_option("--runner", request->runner,
                  "The runner's path on the device; devices deploy pushes the bundle into its folder (default: "
                  "nnlat/nnlat-device over ssh, "
                  "/data/local/tmp/nnlat/nnlat-device over adb)");
  add->callback([request, file, json, &exit_code] {
    request->file = *file;
    exit_code = print_result(app::add_device(*request), *json);
  });

  add->fallthrough();  // --devices and --json after the subcommand

  auto* deploy = cmd->add_subcommand(
      "deploy",
      "Push a runner bundle (make bundle) to a registered device, into its runner's folder, unless the device "
      "already has that bundle (its BUNDLE-ID file)");
  deploy->fallthrough();
  auto deploy_request = std::make_shared<app::DeployRequest>();
  deploy->add_option("name", deploy_request->name, "Device name")->required();
  deploy->add_option("--bundle", deploy_request->bundle_dir,
                     "The bundle folder, for the device's architecture (default: bundle/ beside this nnlat binary, "
                     "i.e. build/bundle from make bundle; or this nnlat's own folder when it runs from a bundle)");
  deploy->callback([deploy_request, file, json, &exit_code] {
    deploy_request->file = *file;
    deploy_request->program = program_path();
    exit_code = print_result(app::deploy_device(*deploy_request), *json);
  });

  auto* remove = cmd->add_subcommand("remove", "Forget a registered device (its measurements stay in the stores)");
  remove->fallthrough();
  auto name = std::make_shared<std::string>();
  remove->add_option("name", *name, "Device name")->required();
  remove->callback(
      [name, file, json, &exit_code] { exit_code = print_result(app::remove_device(*file, *name), *json); });
}

}  // namespace nnlat::cli
