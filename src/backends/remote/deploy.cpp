#include "nnlat/backends/deploy.hpp"

#include <sys/wait.h>

#include <filesystem>

#include "backends/remote/subprocess.hpp"
#include "nnlat/backends/bundle_id.hpp"
#include "nnlat/backends/deploy_commands.hpp"

namespace nnlat::backends {
namespace {

std::string where(const RemoteDevice& d) {
  std::string text = "device '" + d.name + "' (" + transport_name(d.transport);
  if (!d.address.empty()) text += " " + d.address;
  if (d.port > 0) text += ":" + std::to_string(d.port);
  return text + ")";
}

// What the device reports as installed: its id, or empty when there is none. A transport that
// cannot reach the device is an error (ssh exits with 255; adb says so on stderr).
Result<std::string> installed_id(const RemoteDevice& d, const std::string& remote_dir,
                                 std::chrono::milliseconds timeout) {
  NNLAT_ASSIGN_OR_RETURN(auto r, run_command(bundle_id_query(d, remote_dir), timeout));
  const auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kIoError, where(d) + ": cannot read its installed bundle id: " + why);
  };
  if (r.timed_out) return fail(r.describe());
  if (d.transport == Transport::kSsh && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255) {
    return fail("ssh " + r.describe());
  }
  if (d.transport == Transport::kAdb) {
    if (const auto reason = adb_failure_reason(r.err); !reason.empty()) return fail(reason);
  }
  // Any other failure is cat's: no id there.
  if (!r.ok()) return std::string();
  return parse_bundle_id(r.out).value_or("");
}

}  // namespace

Result<DeployOutcome> deploy_bundle(const RemoteDevice& d, const std::string& bundle_dir,
                                    std::chrono::milliseconds timeout) {
  DeployOutcome o;
  o.bundle_dir = bundle_dir;
  NNLAT_ASSIGN_OR_RETURN(o.remote_dir, remote_bundle_dir(d));
  const std::string runner_name = std::filesystem::path(d.runner_path).filename().string();
  auto bundle = read_bundle(bundle_dir, runner_name);
  if (!bundle.ok()) return bundle.error().with_context(where(d) + " runs '" + d.runner_path + "'");
  o.bundle_id = bundle->id;
  o.files = bundle->files;
  o.bytes = bundle->bytes;

  // A local runner registered inside the bundle itself already runs this bundle.
  std::error_code ec;
  if (d.transport == Transport::kLocal && std::filesystem::equivalent(bundle_dir, o.remote_dir, ec)) {
    o.previous_id = o.bundle_id;
    return o;
  }
  if (d.transport == Transport::kAdb) {
    NNLAT_ASSIGN_OR_RETURN(auto listing, run_command({adb_devices_command(), {}}, timeout));
    if (!listing.ok()) return make_error(ErrorCode::kIoError, where(d) + ": `adb devices` " + listing.describe());
    if (const auto problem = adb_device_problem(parse_adb_devices(listing.out), d.address); !problem.empty()) {
      return make_error(ErrorCode::kNotFound, where(d) + ": " + problem);
    }
  }
  NNLAT_ASSIGN_OR_RETURN(o.previous_id, installed_id(d, o.remote_dir, timeout));
  if (o.previous_id == o.bundle_id) return o;

  const auto commands = push_commands(d, bundle_dir, bundle->entries, o.remote_dir, o.bundle_id);
  for (size_t i = 0; i < commands.size(); ++i) {
    NNLAT_ASSIGN_OR_RETURN(auto r, run_command(commands[i], timeout));
    if (!r.ok()) {
      std::string why = r.describe();
      if (d.transport == Transport::kAdb) {
        if (const auto reason = adb_failure_reason(r.err); !reason.empty()) why = reason;
      }
      return make_error(ErrorCode::kIoError, where(d) + ": pushing the bundle to " + o.remote_dir + " failed (step " +
                                                 std::to_string(i + 1) + " of " + std::to_string(commands.size()) +
                                                 ", " + commands[i].argv[0] + "): " + why);
    }
  }
  NNLAT_ASSIGN_OR_RETURN(auto now, installed_id(d, o.remote_dir, timeout));
  if (now != o.bundle_id) {
    return make_error(ErrorCode::kIoError, where(d) + ": the push ended but " + o.remote_dir + "/" + kBundleIdFile +
                                               " reads '" + now + "', not " + o.bundle_id);
  }
  o.pushed = true;
  return o;
}

}  // namespace nnlat::backends
