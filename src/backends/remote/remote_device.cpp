#include "nnlat/backends/remote_device.hpp"

#include <charconv>
#include <filesystem>

#include "nnlat/core/file_io.hpp"

namespace nnlat::backends {
namespace {

constexpr const char* kFormat = "nnlat-devices";
constexpr int kVersion = 1;

Result<Transport> transport_of(const std::string& name) {
  if (name == "local") return Transport::kLocal;
  if (name == "ssh") return Transport::kSsh;
  if (name == "adb") return Transport::kAdb;
  return make_error(ErrorCode::kParseError, "unknown transport '" + name + "' (local, ssh or adb)");
}

}  // namespace

const char* transport_name(Transport transport) {
  switch (transport) {
    case Transport::kLocal:
      return "local";
    case Transport::kSsh:
      return "ssh";
    case Transport::kAdb:
      return "adb";
  }
  return "unknown";
}

std::string default_runner_path(Transport transport) {
  switch (transport) {
    case Transport::kSsh:
      return "nnlat/nnlat-device";
    case Transport::kAdb:
      return "/data/local/tmp/nnlat/nnlat-device";
    case Transport::kLocal:
      break;
  }
  return "";
}

Result<std::pair<std::string, int>> parse_ssh_destination(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "ssh destination '" + text + "': " + why + " ([USER@]HOST[:PORT])");
  };
  std::string host = text;
  int port = 0;
  if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    const std::string digits = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
      return bad("the port must be 1..65535");
    }
  }
  const size_t at = host.find('@');
  const std::string bare = at == std::string::npos ? host : host.substr(at + 1);
  if (bare.empty() || (at != std::string::npos && at == 0)) return bad("no host");
  if (host.find_first_of(" \t'\"") != std::string::npos || host.front() == '-') return bad("not a host name");
  return std::pair{host, port};
}

Status validate_device_name(const std::string& name) {
  const bool ok =
      !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
  if (!ok) {
    return make_error(ErrorCode::kInvalidArgument,
                      "device name '" + name + "': use lowercase letters, digits, '-' and '_' (it starts its targets)");
  }
  if (name == "local") return make_error(ErrorCode::kInvalidArgument, "device name 'local' is this machine's own");
  return Status::Ok();
}

Status validate_ssh_option(const std::string& option) {
  const size_t eq = option.find('=');
  if (eq == std::string::npos || eq == 0 || option.front() == '-' ||
      option.find_first_of("\n\r") != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ssh option '" + option + "': write it as KEY=VALUE, e.g. StrictHostKeyChecking=no");
  }
  return Status::Ok();
}

std::vector<std::string> ssh_command(const RemoteDevice& d) {
  // BatchMode: never prompt (a campaign runs unattended); the user's ssh config applies.
  std::vector<std::string> argv = {"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
  for (const auto& o : d.ssh_options) argv.insert(argv.end(), {"-o", o});
  // A board that hangs or drops off the network is noticed within about a minute instead of
  // when TCP gives up (or the campaign's 10-minute bound on an item); after the device's own
  // options, so that theirs win (ssh takes an option's first value).
  argv.insert(argv.end(), {"-o", "ServerAliveInterval=" + std::to_string(kSshServerAliveInterval), "-o",
                           "ServerAliveCountMax=" + std::to_string(kSshServerAliveCountMax)});
  if (d.port > 0) argv.insert(argv.end(), {"-p", std::to_string(d.port)});
  if (!d.identity.empty()) argv.insert(argv.end(), {"-i", d.identity});
  argv.push_back(d.address);
  return argv;
}

std::vector<std::string> runner_command(const RemoteDevice& d) {
  switch (d.transport) {
    case Transport::kLocal:
      return {d.runner_path};
    case Transport::kSsh: {
      auto argv = ssh_command(d);
      argv.push_back(d.runner_path);
      return argv;
    }
    case Transport::kAdb:
      return {"adb", "-s", d.address, "shell", d.runner_path};
  }
  return {};
}

Error with_deploy_advice(const Error& error, const std::string& device, const std::string& devices_file) {
  if (error.code != ErrorCode::kNotFound && error.code != ErrorCode::kUnsupported) return error;
  std::string command = "nnlat devices deploy " + device;
  if (devices_file != kDefaultDevicesFile) command += " --devices " + devices_file;
  return Error{error.code, error.message + "; put this build's runner there with: " + command + " [--bundle DIR]"};
}

std::string device_target_name(const std::string& device, const std::string& runner_target) {
  const size_t colon = runner_target.find(':');
  return device + (colon == std::string::npos ? ":" + runner_target : runner_target.substr(colon));
}

nlohmann::json to_json(const RemoteDevice& d) {
  nlohmann::json j = {{"name", d.name}, {"transport", transport_name(d.transport)}, {"runner", d.runner_path}};
  if (!d.address.empty()) j["address"] = d.address;
  if (d.port > 0) j["port"] = d.port;
  if (!d.identity.empty()) j["identity"] = d.identity;
  if (!d.ssh_options.empty()) j["ssh_options"] = d.ssh_options;
  if (!d.bundle.empty()) j["bundle"] = d.bundle;
  return j;
}

Result<RemoteDevice> remote_device_from_json(const nlohmann::json& j) {
  const auto bad = [](const std::string& why) { return make_error(ErrorCode::kParseError, "device entry: " + why); };
  if (!j.is_object()) return bad("must be an object");
  for (const char* key : {"name", "transport", "runner"}) {
    if (!j.contains(key) || !j[key].is_string()) return bad(std::string("\"") + key + "\" must be a string");
  }
  RemoteDevice d;
  d.name = j["name"].get<std::string>();
  if (auto s = validate_device_name(d.name); !s.ok()) return bad(s.error().message);
  NNLAT_ASSIGN_OR_RETURN(d.transport, transport_of(j["transport"].get<std::string>()));
  d.runner_path = j["runner"].get<std::string>();
  if (d.runner_path.empty()) return bad("\"runner\" is empty");
  if (j.contains("address")) {
    if (!j["address"].is_string()) return bad("\"address\" must be a string");
    d.address = j["address"].get<std::string>();
  }
  if (j.contains("port")) {
    if (!j["port"].is_number_integer() || j["port"].get<int>() < 1 || j["port"].get<int>() > 65535) {
      return bad("\"port\" must be 1..65535");
    }
    d.port = j["port"].get<int>();
  }
  if (j.contains("identity")) {
    if (!j["identity"].is_string()) return bad("\"identity\" must be a string");
    d.identity = j["identity"].get<std::string>();
  }
  if (j.contains("ssh_options")) {
    if (!j["ssh_options"].is_array()) return bad("\"ssh_options\" must be an array of strings");
    for (const auto& o : j["ssh_options"]) {
      if (!o.is_string()) return bad("\"ssh_options\" must be an array of strings");
      if (auto s = validate_ssh_option(o.get<std::string>()); !s.ok()) return bad(s.error().message);
      d.ssh_options.push_back(o.get<std::string>());
    }
  }
  if (j.contains("bundle")) {
    if (!j["bundle"].is_string()) return bad("\"bundle\" must be a string");
    d.bundle = j["bundle"].get<std::string>();
  }
  if (d.transport != Transport::kLocal && d.address.empty()) return bad(d.name + ": \"address\" is required");
  return d;
}

Result<std::vector<RemoteDevice>> load_devices(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<RemoteDevice>{};
  NNLAT_ASSIGN_OR_RETURN(auto text, read_file(path));
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto bad = [&](const std::string& why) { return make_error(ErrorCode::kParseError, path + ": " + why); };
  // Compared as JSON: value() would throw on a "format" that is not a string.
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat) return bad("not an nnlat devices file");
  if (!j.contains("version") || j["version"] != kVersion) return bad("unsupported version (expected 1)");
  if (!j.contains("devices") || !j["devices"].is_array()) return bad("\"devices\" must be an array");
  std::vector<RemoteDevice> devices;
  for (const auto& e : j["devices"]) {
    auto d = remote_device_from_json(e);
    if (!d.ok()) return bad(d.error().message);
    for (const auto& other : devices) {
      if (other.name == d->name) return bad("device '" + d->name + "' is listed twice");
    }
    devices.push_back(std::move(*d));
  }
  return devices;
}

Status save_devices(const std::string& path, const std::vector<RemoteDevice>& devices) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : devices) list.push_back(to_json(d));
  const nlohmann::json j = {{"format", kFormat}, {"version", kVersion}, {"devices", list}};
  return write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace nnlat::backends
