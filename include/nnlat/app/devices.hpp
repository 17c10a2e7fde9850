// `nnlat devices [--json]`: the targets nnlat can measure on this machine, and the OpenCL
// devices behind the OpenCL targets.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/remote_devices.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/measure/environment.hpp"

namespace nnlat::app {

struct DeviceTarget {
  std::string name;  // "local:xnnpack-t1:float"
  std::string backend;
  std::string backend_version;  // of the resolved target: an OpenCL target's names its device
  std::string description;
};

struct DevicesResult {
  measure::Environment environment;  // the machine fields (CPU model, cores, governor)
  std::vector<backends::OpenClDevice> opencl_devices;
  std::vector<DeviceTarget> targets;
  std::string devices_file;
  std::vector<ProbedDevice> remote;  // the registered devices, probed

  // {cpu, cores, opencl_devices: [...], targets: [...], remote_devices: [...]}
  nlohmann::ordered_json to_json() const;
  // the CPU line, one line per target, the OpenCL devices, the registered devices
  std::string to_text() const;
};

// A machine without OpenCL simply has no OpenCL devices, an unreachable registered device is
// listed as such; only a malformed devices file is an error.
Result<DevicesResult> list_devices(const std::string& devices_file = kDefaultDevicesFile,
                                   std::chrono::milliseconds probe_timeout = std::chrono::seconds(20));

}  // namespace nnlat::app
