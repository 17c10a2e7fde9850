// `nnlat devices [--json]`: the targets nnlat can measure on this machine, and the OpenCL
// devices behind the OpenCL targets.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

  nlohmann::ordered_json to_json() const;  // {cpu, cores, opencl_devices: [...], targets: [...]}
  std::string to_text() const;             // the CPU line, one line per target, the OpenCL devices
};

// Never fails: a machine without OpenCL simply has no OpenCL devices.
Result<DevicesResult> list_devices();

}  // namespace nnlat::app
