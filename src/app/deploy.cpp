#include "nnlat/app/deploy.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "nnlat/backends/ssh_multiplexing.hpp"

namespace nnlat::app {
namespace {

namespace fs = std::filesystem;

// Each command of a deployment (a push of tens of MB over a slow link included) may take this long.
constexpr auto kDeployCommandTimeout = std::chrono::minutes(10);

fs::path program_file(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::error_code ec;
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return program;
}

}  // namespace

std::string default_bundle_dir(const std::string& program) {
  if (program.empty()) return "build/bundle";
  const fs::path dir = program_file(program).parent_path();
  std::error_code ec;
  if (fs::is_regular_file(dir / "nnlat-device", ec) && fs::is_directory(dir / "lib", ec)) {
    return dir.empty() ? "." : dir.string();
  }
  return (dir / "bundle").string();
}

Result<DeployResult> deploy_device(const DeployRequest& r) {
  NNLAT_ASSIGN_OR_RETURN(auto devices, backends::load_devices(r.file));
  const auto it = std::find_if(devices.begin(), devices.end(), [&](const auto& d) { return d.name == r.name; });
  if (it == devices.end()) {
    return make_error(ErrorCode::kNotFound,
                      r.file + ": no device '" + r.name + "' (nnlat devices add " + r.name + " ...)");
  }
  const std::string bundle = r.bundle_dir.empty() ? default_bundle_dir(r.program) : r.bundle_dir;
  // The id read, the push and the read back share one ssh connection (ssh_multiplexing.hpp).
  NNLAT_ASSIGN_OR_RETURN(auto outcome, backends::deploy_bundle(backends::SshMasters::of_process().share(*it), bundle,
                                                               kDeployCommandTimeout));
  // Remembered for the device, so that a profile can deploy it again when it finds the device's
  // runner gone or of another protocol version (remote_device.hpp).
  std::error_code ec;
  const std::string absolute = fs::absolute(bundle, ec).lexically_normal().string();
  if (!ec && it->bundle != absolute) {
    it->bundle = absolute;
    NNLAT_RETURN_IF_ERROR(backends::save_devices(r.file, devices));
  }
  return DeployResult{*it, std::move(outcome)};
}

nlohmann::ordered_json DeployResult::to_json() const {
  const auto& o = outcome;
  return {{"device", device.name},    {"transport", backends::transport_name(device.transport)},
          {"bundle", o.bundle_dir},   {"remote_dir", o.remote_dir},
          {"bundle_id", o.bundle_id}, {"previous_id", o.previous_id},
          {"pushed", o.pushed},       {"files", o.files},
          {"bytes", o.bytes}};
}

std::string DeployResult::to_text() const {
  const auto& o = outcome;
  if (!o.pushed) {
    return fmt::format("{}: up to date (bundle {} in {}), nothing pushed\n", device.name, o.bundle_id, o.remote_dir);
  }
  return fmt::format("{}: pushed bundle {} ({} files, {:.1f} MB) from {} to {} over {}, replacing {}\n", device.name,
                     o.bundle_id, o.files, static_cast<double>(o.bytes) / 1e6, o.bundle_dir, o.remote_dir,
                     backends::transport_name(device.transport),
                     o.previous_id.empty() ? std::string("no bundle") : "bundle " + o.previous_id);
}

}  // namespace nnlat::app
