// `nnlat devices deploy` (issue 14): puts a runner bundle on a registered device, over the
// device's own transport, once per bundle: the device's BUNDLE-ID is read first and an identical
// bundle is not pushed again (docs/remote.md, "Deploying the runner").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "nnlat/backends/remote_device.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

struct DeployOutcome {
  std::string bundle_dir;
  std::string remote_dir;   // the bundle's folder on the device (the runner's folder)
  std::string bundle_id;    // of the bundle given
  std::string previous_id;  // what the device had; empty: none (never deployed, or a push cut short)
  bool pushed = false;      // false: the device already had this bundle
  size_t files = 0;
  uintmax_t bytes = 0;
};

// Reads the bundle (it must hold the runner the device is registered with, e.g. nnlat-device),
// asks the device for its bundle id, pushes only when it differs, and reads the id back after a
// push. adb devices are first looked up in `adb devices`. Every error names the device and
// says which step failed with the transport's own message (ssh's, adb's). `timeout` bounds each
// command.
Result<DeployOutcome> deploy_bundle(const RemoteDevice& device, const std::string& bundle_dir,
                                    std::chrono::milliseconds timeout);

}  // namespace nnlat::backends
