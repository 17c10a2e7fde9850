#include "nnlat/backends/deploy_commands.hpp"

#include <algorithm>
#include <sstream>

namespace nnlat::backends {
namespace {

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> adb_prefix(const RemoteDevice& d) { return {"adb", "-s", d.address}; }

std::vector<std::string> with(std::vector<std::string> argv, std::initializer_list<std::string> more) {
  argv.insert(argv.end(), more);
  return argv;
}

}  // namespace

Result<std::string> remote_bundle_dir(const RemoteDevice& d) {
  std::string runner = d.runner_path;
  if (runner.rfind("~/", 0) == 0) runner.erase(0, 2);
  const size_t slash = runner.rfind('/');
  std::string dir = slash == std::string::npos ? "" : runner.substr(0, slash);
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir == "." || dir == "~") {
    return make_error(ErrorCode::kInvalidArgument,
                      "device '" + d.name + "': its runner '" + d.runner_path +
                          "' has no folder of its own to deploy a bundle into (register it with --runner "
                          "FOLDER/nnlat-device)");
  }
  return dir;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

DeployCommand bundle_id_query(const RemoteDevice& d, const std::string& remote_dir) {
  const std::string file = remote_dir + "/" + kBundleIdFile;
  switch (d.transport) {
    case Transport::kLocal:
      return {{"cat", file}, {}};
    case Transport::kSsh:
      return {with(ssh_command(d), {"cat " + shell_quote(file)}), {}};
    case Transport::kAdb:
      return {with(adb_prefix(d), {"shell", "cat " + shell_quote(file)}), {}};
  }
  return {};
}

std::optional<std::string> parse_bundle_id(const std::string& output) {
  const std::string id = trim(output);
  if (id.size() != 16 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  return id;
}

std::vector<DeployCommand> push_commands(const RemoteDevice& d, const std::string& bundle_dir,
                                         const std::vector<std::string>& entries, const std::string& remote_dir,
                                         const std::string& bundle_id) {
  const std::string dir = shell_quote(remote_dir);
  const std::string id_file = shell_quote(remote_dir + "/" + kBundleIdFile);
  switch (d.transport) {
    case Transport::kLocal:
      // Positional parameters: no path is ever parsed by the shell.
      return {{{"sh", "-c",
                "mkdir -p \"$2\" && rm -f \"$2/" + std::string(kBundleIdFile) + "\" && cp -R \"$1/.\" \"$2/\" && " +
                    "echo \"$3\" >\"$2/" + kBundleIdFile + "\"",
                "sh", bundle_dir, remote_dir, bundle_id},
               {}}};
    case Transport::kSsh:
      return {{with(ssh_command(d), {"mkdir -p " + dir + " && rm -f " + id_file + " && tar xf - -C " + dir +
                                     " && echo " + bundle_id + " >" + id_file}),
               {"tar", "cf", "-", "-C", bundle_dir, "."}}};
    case Transport::kAdb: {
      std::vector<std::string> push = with(adb_prefix(d), {"push"});
      for (const auto& e : entries) push.push_back(bundle_dir + "/" + e);
      push.push_back(remote_dir + "/");
      return {{with(adb_prefix(d), {"shell", "rm -f " + id_file + " && mkdir -p " + dir}), {}},
              {push, {}},
              {with(adb_prefix(d), {"shell", "echo " + bundle_id + " >" + id_file}), {}}};
    }
  }
  return {};
}

std::vector<std::string> adb_devices_command() { return {"adb", "devices"}; }

std::vector<AdbDevice> parse_adb_devices(const std::string& output) {
  std::vector<AdbDevice> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line.front() == '*' || line.rfind("List of devices", 0) == 0) continue;
    const size_t gap = line.find_first_of(" \t");
    if (gap == std::string::npos) continue;  // not a device line
    AdbDevice d;
    d.serial = line.substr(0, gap);
    const std::string rest = trim(line.substr(gap));
    d.state = rest.rfind("no permissions", 0) == 0 ? rest : rest.substr(0, rest.find_first_of(" \t"));
    out.push_back(std::move(d));
  }
  return out;
}

std::string adb_device_problem(const std::vector<AdbDevice>& listing, const std::string& serial) {
  const auto it = std::find_if(listing.begin(), listing.end(), [&](const auto& d) { return d.serial == serial; });
  if (it == listing.end()) {
    std::string seen;
    for (const auto& d : listing) seen += (seen.empty() ? "" : ", ") + d.serial;
    return "adb does not list it (" + (seen.empty() ? std::string("no device connected") : "connected: " + seen) +
           "): check the cable, USB debugging in the developer options, and `adb devices`";
  }
  const std::string& s = it->state;
  if (s == "device") return "";
  if (s == "unauthorized") return "unauthorized: accept the USB debugging prompt on the phone's screen";
  if (s == "offline") return "offline: reconnect the cable or restart adb (adb kill-server)";
  if (s.rfind("no permissions", 0) == 0) return "adb has no permission to open it: " + s;
  return "it is in '" + s + "' mode, not booted into Android";
}

std::string adb_failure_reason(const std::string& stderr_text) {
  std::string first_error;
  std::istringstream lines(stderr_text);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.rfind("error:", 0) != 0 && line.rfind("adb: error:", 0) != 0) continue;
    if (contains(line, "not found") && contains(line, "device")) {
      return "adb does not see the device (" + line + "): check the cable, USB debugging and `adb devices`";
    }
    if (contains(line, "no devices/emulators found")) return "no device is connected to adb (" + line + ")";
    if (contains(line, "unauthorized")) return "unauthorized: accept the USB debugging prompt on the phone's screen";
    if (contains(line, "offline")) return "the device is offline: reconnect the cable or restart adb (adb kill-server)";
    if (first_error.empty()) first_error = line;
  }
  return first_error;
}

}  // namespace nnlat::backends
