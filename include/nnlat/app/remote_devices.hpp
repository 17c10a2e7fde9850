// `nnlat devices add|remove` and the probe of registered devices that `nnlat devices` prints
// (issue 14; docs/remote.md). The devices file defaults to nnlat-devices.json in the working
// directory.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/backends/remote_device.hpp"
#include "nnlat/backends/runner_protocol.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

using backends::kDefaultDevicesFile;

struct AddDeviceRequest {
  std::string file = kDefaultDevicesFile;
  std::string name;
  std::string ssh;                       // [USER@]HOST[:PORT]
  std::string identity;                  // ssh private key
  std::vector<std::string> ssh_options;  // ssh -o KEY=VALUE, kept with the device
  std::string adb;                       // serial
  std::string local;                     // a runner on this machine (a bundle's nnlat-device)
  std::string runner;                    // the runner's path on the device; empty: the transport's default
};

struct DeviceChange {
  std::string file;
  std::string action;  // "added", "removed"
  backends::RemoteDevice device;
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};

// Exactly one of ssh, adb, local; a name already registered is an error (remove it first).
Result<DeviceChange> add_device(const AddDeviceRequest& request);
Result<DeviceChange> remove_device(const std::string& file, const std::string& name);

// One registered device as its runner answered (or not).
struct ProbedDevice {
  backends::RemoteDevice device;
  bool reachable = false;
  std::string error;  // why not, when not reachable
  backends::RunnerHello hello;
  std::vector<std::string> targets;  // the runner's targets under the device's name: NAME:xnnpack-t4:float
};

// Starts each device's runner, reads its hello, says bye. Never fails for an unreachable
// device (it is reported as such); a malformed devices file is an error.
Result<std::vector<ProbedDevice>> probe_devices(const std::string& file, std::chrono::milliseconds timeout);

nlohmann::ordered_json probed_devices_to_json(const std::vector<ProbedDevice>& devices);
std::string probed_devices_to_text(const std::string& file, const std::vector<ProbedDevice>& devices);

}  // namespace nnlat::app
