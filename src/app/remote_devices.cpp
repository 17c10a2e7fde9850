#include "nnlat/app/remote_devices.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "nnlat/backends/runner_client.hpp"
#include "nnlat/backends/ssh_multiplexing.hpp"

namespace nnlat::app {
namespace {

std::string describe(const backends::RemoteDevice& d) {
  std::string where = d.address;
  if (d.port > 0) where += ":" + std::to_string(d.port);
  return fmt::format("{}{}{}, runner {}", backends::transport_name(d.transport), where.empty() ? "" : " ", where,
                     d.runner_path);
}

}  // namespace

nlohmann::ordered_json DeviceChange::to_json() const {
  return {{"file", file}, {"action", action}, {"device", backends::to_json(device)}};
}

std::string DeviceChange::to_text() const {
  return fmt::format("{} {} ({}) {} {}\n", action, device.name, describe(device), action == "added" ? "to" : "from",
                     file);
}

Result<DeviceChange> add_device(const AddDeviceRequest& r) {
  NNLAT_RETURN_IF_ERROR(backends::validate_device_name(r.name));
  const int given = !r.ssh.empty() + !r.adb.empty() + !r.local.empty();
  if (given != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "devices add " + r.name + ": give exactly one of --ssh, --adb, --local");
  }
  if ((!r.identity.empty() || !r.ssh_options.empty()) && r.ssh.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "devices add " + r.name + ": --identity and --ssh-option are for --ssh");
  }
  for (const auto& o : r.ssh_options) NNLAT_RETURN_IF_ERROR(backends::validate_ssh_option(o));
  backends::RemoteDevice d;
  d.name = r.name;
  if (!r.ssh.empty()) {
    d.transport = backends::Transport::kSsh;
    NNLAT_ASSIGN_OR_RETURN(auto destination, backends::parse_ssh_destination(r.ssh));
    std::tie(d.address, d.port) = destination;
    d.identity = r.identity;
    d.ssh_options = r.ssh_options;
  } else if (!r.adb.empty()) {
    d.transport = backends::Transport::kAdb;
    d.address = r.adb;
  } else {
    d.transport = backends::Transport::kLocal;
    d.runner_path = r.local;
  }
  if (!r.runner.empty()) d.runner_path = r.runner;
  if (d.runner_path.empty()) d.runner_path = backends::default_runner_path(d.transport);
  NNLAT_ASSIGN_OR_RETURN(auto devices, backends::load_devices(r.file));
  if (std::any_of(devices.begin(), devices.end(), [&](const auto& e) { return e.name == d.name; })) {
    return make_error(ErrorCode::kInvalidArgument,
                      r.file + ": device '" + d.name + "' is already registered (nnlat devices remove " + d.name + ")");
  }
  devices.push_back(d);
  NNLAT_RETURN_IF_ERROR(backends::save_devices(r.file, devices));
  return DeviceChange{r.file, "added", d};
}

Result<DeviceChange> remove_device(const std::string& file, const std::string& name) {
  NNLAT_ASSIGN_OR_RETURN(auto devices, backends::load_devices(file));
  const auto it = std::find_if(devices.begin(), devices.end(), [&](const auto& e) { return e.name == name; });
  if (it == devices.end()) return make_error(ErrorCode::kNotFound, file + ": no device '" + name + "'");
  DeviceChange change{file, "removed", *it};
  devices.erase(it);
  NNLAT_RETURN_IF_ERROR(backends::save_devices(file, devices));
  return change;
}

Result<std::vector<ProbedDevice>> probe_devices(const std::string& file, std::chrono::milliseconds timeout) {
  NNLAT_ASSIGN_OR_RETURN(auto devices, backends::load_devices(file));
  std::vector<ProbedDevice> out;
  for (const auto& d : devices) {
    ProbedDevice p;
    p.device = d;
    const auto shared = backends::SshMasters::of_process().share(d);
    auto client = backends::RunnerClient::start(backends::runner_command(shared), d.name, timeout);
    if (!client.ok()) {
      p.error = backends::with_deploy_advice(client.error(), d.name, file).message;
    } else {
      p.reachable = true;
      p.hello = (*client)->hello();
      for (const auto& t : p.hello.targets) p.targets.push_back(backends::device_target_name(d.name, t.name));
    }
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::ordered_json probed_devices_to_json(const std::vector<ProbedDevice>& devices) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& p : devices) {
    nlohmann::ordered_json j = {{"name", p.device.name},
                                {"transport", backends::transport_name(p.device.transport)},
                                {"reachable", p.reachable}};
    if (p.reachable) {
      j["runner_version"] = p.hello.runner_version;
      j["cpu"] = p.hello.environment.cpu_model;
      j["cores"] = p.hello.environment.cpu_cores;
      j["machine"] = p.hello.environment.machine;
      nlohmann::ordered_json clusters = nlohmann::ordered_json::array();
      for (const auto& c : p.hello.clusters) {
        clusters.push_back({{"name", c.name}, {"max_mhz", c.max_mhz}, {"cpus", c.cpus}});
      }
      j["clusters"] = std::move(clusters);
      j["targets"] = p.targets;
    } else {
      j["error"] = p.error;
    }
    list.push_back(std::move(j));
  }
  return list;
}

std::string probed_devices_to_text(const std::string& file, const std::vector<ProbedDevice>& devices) {
  if (devices.empty()) return "";
  std::string out = fmt::format("Registered devices ({}):\n", file);
  for (const auto& p : devices) {
    if (!p.reachable) {
      out += fmt::format("  {:<12} {}: NOT REACHABLE: {}\n", p.device.name, describe(p.device), p.error);
      continue;
    }
    out += fmt::format("  {:<12} {}: {} ({}, {} CPUs), runner {}\n", p.device.name, describe(p.device),
                       p.hello.environment.cpu_model, p.hello.environment.machine, p.hello.environment.cpu_cores,
                       p.hello.runner_version);
    for (const auto& c : p.hello.clusters) {
      out += fmt::format("    cluster {}: {} CPUs at {:.0f} MHz\n", c.name, c.cpus.size(), c.max_mhz);
    }
    for (const auto& t : p.targets) out += fmt::format("    {}\n", t);
  }
  out +=
      "Profile them with nnlat profile ... --target NAME:CONFIG:PRECISION; put this build's runner on one with "
      "nnlat devices deploy NAME.\n";
  return out;
}

}  // namespace nnlat::app
