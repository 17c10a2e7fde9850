// Registered remote devices (issue 14): a phone over adb, a board over ssh, or a runner started
// locally (a bundle on this machine, for tests and for a second architecture under qemu). A
// device is reached by starting its runner (`nnlat-device`) with the command its transport
// gives (runner_client.hpp); the devices file keeps them in the working directory.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::backends {

// Where devices are registered unless told otherwise: the working directory.
inline constexpr const char* kDefaultDevicesFile = "nnlat-devices.json";

enum class Transport { kLocal, kSsh, kAdb };

struct RemoteDevice {
  std::string name;  // the device part of its targets: NAME:xnnpack-t4:float
  Transport transport = Transport::kLocal;
  std::string address;      // ssh: [USER@]HOST; adb: the serial; local: empty
  int port = 0;             // ssh: 0 for ssh's default
  std::string identity;     // ssh: a private key file; empty for ssh's default
  std::string runner_path;  // the runner on the device (ssh: relative to the login's home)
  // ssh: extra `-o KEY=VALUE` options, e.g. StrictHostKeyChecking=no for a throw-away sshd. A
  // list of the device rather than an ssh config file given with -F, because -F would replace
  // the user's ~/.ssh/config (ProxyJump, ControlMaster) instead of adding to it.
  std::vector<std::string> ssh_options;
  // The bundle folder last deployed to it with `nnlat devices deploy` (absolute; "": none). A
  // profile that finds the device's runner missing or of another protocol version deploys it
  // again from there, once, before giving up: the user chose it for this device's architecture.
  std::string bundle = {};

  friend bool operator==(const RemoteDevice&, const RemoteDevice&) = default;
};

// Where the runner is by default: ssh `nnlat/nnlat-device` (the bundle unpacked in the home
// folder), adb `/data/local/tmp/nnlat/nnlat-device`; local has no default.
std::string default_runner_path(Transport transport);

// `[USER@]HOST[:PORT]` -> address and port; errors name the text.
Result<std::pair<std::string, int>> parse_ssh_destination(const std::string& text);

// A device name is what comes before the first ':' of a target: lowercase letters, digits,
// '-' and '_', not "local" (this machine's own targets).
Status validate_device_name(const std::string& name);

// An ssh option given to `devices add --ssh-option`: KEY=VALUE, as `ssh -o` takes it.
Status validate_ssh_option(const std::string& option);

// ssh's keep-alive: a device that stops answering is given up after 15 s x 4 unanswered probes.
inline constexpr int kSshServerAliveInterval = 15;
inline constexpr int kSshServerAliveCountMax = 4;

// ssh up to the destination, a remote command to be appended (runner_command, deploy):
//   ssh -o BatchMode=yes -o ConnectTimeout=10 [-o OPTION...] -o ServerAliveInterval=15
//       -o ServerAliveCountMax=4 [-p PORT] [-i KEY] [USER@]HOST
std::vector<std::string> ssh_command(const RemoteDevice& device);

// The argv that starts the device's runner with its stdin/stdout as the protocol's pipes:
//   local  RUNNER
//   ssh    ssh_command(device) RUNNER
//   adb    adb -s SERIAL shell RUNNER
std::vector<std::string> runner_command(const RemoteDevice& device);

const char* transport_name(Transport transport);  // "local", "ssh", "adb"

// An error of RunnerClient::start on device `device`, with the command that fixes it when the
// device lacks this build's runner (kNotFound: none there; kUnsupported: another protocol
// version): "nnlat devices deploy NAME [--devices FILE]". Other errors are returned as they are.
// nnlat does not deploy by itself: which bundle fits the device (its architecture) is the
// user's to say, and a deploy is one short command that changes nothing when repeated.
Error with_deploy_advice(const Error& error, const std::string& device, const std::string& devices_file);

// A runner's own target (local:xnnpack-t4:float) as the host names it on device `device`
// (pi4:xnnpack-t4:float); a name without a device part gets one.
std::string device_target_name(const std::string& device, const std::string& runner_target);

nlohmann::json to_json(const RemoteDevice& device);
Result<RemoteDevice> remote_device_from_json(const nlohmann::json& json);

// The devices file: {"format": "nnlat-devices", "version": 1, "devices": [...]}. A missing
// file is an empty registry; a malformed one is an error naming the file.
Result<std::vector<RemoteDevice>> load_devices(const std::string& path);
// Written atomically (a temporary file renamed over it).
Status save_devices(const std::string& path, const std::vector<RemoteDevice>& devices);

}  // namespace nnlat::backends
