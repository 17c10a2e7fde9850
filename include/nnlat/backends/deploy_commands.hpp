// Deploying a runner bundle (`make bundle`'s folder) to a registered device (issue 14): the
// commands, as argv vectors, and the reading of what the device and adb answer. Pure functions,
// so that what cannot run here (adb without a phone) is still tested
// (tests/remote_device_test.cpp); backends/deploy.hpp runs them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nnlat/backends/remote_device.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

// The file in the device's bundle folder that names the bundle installed there (bundle_id.hpp).
// It is written last, after every other file arrived, so a push cut short leaves no id and is
// pushed again.
inline constexpr const char* kBundleIdFile = "BUNDLE-ID";

// One command of a deployment; `input_from`, when not empty, is a second command whose output
// is piped into it (`tar c ... | ssh HOST 'tar x ...'`). Otherwise its stdin is /dev/null.
struct DeployCommand {
  std::vector<std::string> argv;
  std::vector<std::string> input_from;
  friend bool operator==(const DeployCommand&, const DeployCommand&) = default;
};

// The bundle's folder on the device: the runner's folder (nnlat/nnlat-device -> nnlat, relative
// to the ssh login's home; a leading ~/ is dropped, being the same). The runner must have a
// folder of its own: a push into the home folder or / is refused, naming the device.
Result<std::string> remote_bundle_dir(const RemoteDevice& device);

// `text` in single quotes for a POSIX shell (the remote command of ssh and adb shell).
std::string shell_quote(const std::string& text);

// Prints the installed bundle id on the device:
//   local  cat DIR/BUNDLE-ID
//   ssh    ssh_command(device) "cat 'DIR/BUNDLE-ID'"
//   adb    adb -s SERIAL shell "cat 'DIR/BUNDLE-ID'"
// A missing file is a failed cat (no id); ssh's own failures exit with 255.
DeployCommand bundle_id_query(const RemoteDevice& device, const std::string& remote_dir);

// The id in what the query printed: 16 hex digits, surrounding whitespace ignored; nothing for
// anything else (no file, an error message, a truncated write).
std::optional<std::string> parse_bundle_id(const std::string& output);

// Pushes the bundle folder `bundle_dir` (whose top-level entries are `entries`: nnlat-device,
// bin, lib, ...) into `remote_dir` and then writes `bundle_id` into its BUNDLE-ID:
//   local  sh -c 'mkdir -p "$2" && rm -f "$2/BUNDLE-ID" && cp -R "$1/." "$2/" && echo "$3" >"$2/BUNDLE-ID"'
//          sh BUNDLE DIR ID
//   ssh    tar cf - -C BUNDLE . | ssh_command(device) "mkdir -p 'DIR' && rm -f 'DIR/BUNDLE-ID' &&
//          tar xf - -C 'DIR' && echo ID >'DIR/BUNDLE-ID'"   (tar: any board has one, busybox too;
//          scp would need an sftp server, which dropbear lacks)
//   adb    adb -s SERIAL shell "rm -f 'DIR/BUNDLE-ID' && mkdir -p 'DIR'"
//          adb -s SERIAL push BUNDLE/ENTRY... DIR/
//          adb -s SERIAL shell "echo ID >'DIR/BUNDLE-ID'"
// adb pushes the entries into the existing folder rather than `adb push BUNDLE DIR`, which
// copies to DIR when DIR is missing but to DIR/BUNDLE's-name when it exists (a second push).
// Files of an earlier bundle that this one lacks are left in place (harmless: nothing names them).
std::vector<DeployCommand> push_commands(const RemoteDevice& device, const std::string& bundle_dir,
                                         const std::vector<std::string>& entries, const std::string& remote_dir,
                                         const std::string& bundle_id);

// adb: `adb devices` and its listing. Lines are SERIAL<TAB>STATE [key:value ...] (with -l);
// the "List of devices attached" header, adb's "* daemon ..." notes and blank lines are skipped.
// A state is one word (device, offline, unauthorized, recovery, ...) or adb's "no permissions
// (...)" sentence, kept whole.
struct AdbDevice {
  std::string serial;
  std::string state;
  friend bool operator==(const AdbDevice&, const AdbDevice&) = default;
};
std::vector<std::string> adb_devices_command();
std::vector<AdbDevice> parse_adb_devices(const std::string& output);

// Why `serial` cannot be used, from the listing, with advice; empty when it is listed as
// "device" (booted and authorized).
std::string adb_device_problem(const std::vector<AdbDevice>& listing, const std::string& serial);

// adb's own failure on stderr ("error: device 'X' not found", "adb: error: failed to get
// feature set: device 'X' not found", "error: device unauthorized.", "error: device offline",
// "error: no devices/emulators found"), as one line with advice; adb's first error line as it
// is for any other; empty when stderr holds no adb error (the device's own command failed).
std::string adb_failure_reason(const std::string& stderr_text);

}  // namespace nnlat::backends
