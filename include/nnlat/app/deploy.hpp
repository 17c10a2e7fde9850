// `nnlat devices deploy NAME [--bundle DIR]` (issue 14; docs/remote.md): pushes a runner bundle
// to a registered device unless the device already has it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nnlat/backends/deploy.hpp"
#include "nnlat/backends/remote_device.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

struct DeployRequest {
  std::string file = backends::kDefaultDevicesFile;
  std::string name;
  std::string bundle_dir;  // empty: default_bundle_dir of this program
  std::string program;     // argv[0], for the default bundle
};

struct DeployResult {
  backends::RemoteDevice device;
  backends::DeployOutcome outcome;
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};

Result<DeployResult> deploy_device(const DeployRequest& request);

// Where `make bundle` leaves the bundle for the nnlat started as `program` (argv[0], looked up
// in PATH when it has no '/'): its own folder when it runs from a bundle (that folder holds
// nnlat-device and lib/), otherwise the bundle/ folder beside it (build/nnlat -> build/bundle).
std::string default_bundle_dir(const std::string& program);

}  // namespace nnlat::app
