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

// A cluster's clock now (the fastest of its CPUs) and governor (its first CPU's), from the
// hello's per-CPU lists; 0 and "" when the device does not report them.
double cluster_now_mhz(const backends::RunnerHello& h, const measure::CpuCluster& c) {
  double mhz = 0;
  for (int cpu : c.cpus) {
    if (static_cast<size_t>(cpu) < h.state.cpu_mhz.size()) mhz = std::max(mhz, h.state.cpu_mhz[cpu]);
  }
  return mhz;
}

std::string cluster_governor(const backends::RunnerHello& h, const measure::CpuCluster& c) {
  return !c.cpus.empty() && static_cast<size_t>(c.cpus.front()) < h.governors.size() ? h.governors[c.cpus.front()] : "";
}

// The OpenCL devices a runner offers, as its float targets describe them ("OpenCL GPU 'Mali-G78'
// (ARM Platform)").
std::vector<std::string> opencl_devices(const backends::RunnerHello& h) {
  std::vector<std::string> out;
  for (const auto& t : h.targets) {
    if (t.backend != "opencl" || !t.name.ends_with(":float")) continue;
    out.push_back(t.description.substr(0, t.description.rfind(", fp32")));
  }
  return out;
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
      const auto& h = p.hello;
      j["runner_version"] = h.runner_version;
      j["build"] = h.build;
      j["cpu"] = h.environment.cpu_model;
      j["cores"] = h.environment.cpu_cores;
      j["machine"] = h.environment.machine;
      j["memory_mb"] = h.memory_mb;
      nlohmann::ordered_json clusters = nlohmann::ordered_json::array();
      for (const auto& c : h.clusters) {
        clusters.push_back({{"name", c.name},
                            {"max_mhz", c.max_mhz},
                            {"now_mhz", cluster_now_mhz(h, c)},
                            {"governor", cluster_governor(h, c)},
                            {"cpus", c.cpus}});
      }
      j["clusters"] = std::move(clusters);
      j["cpu_mhz_now"] = h.state.cpu_mhz;
      j["governors"] = h.governors;
      j["temperatures_c"] = h.state.temperatures_c;
      j["opencl"] = opencl_devices(h);
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
    const auto& h = p.hello;
    out += fmt::format("  {:<12} {}: {} ({}, {} CPUs, {} MiB), runner {}{}\n", p.device.name, describe(p.device),
                       h.environment.cpu_model, h.environment.machine, h.environment.cpu_cores, h.memory_mb,
                       h.runner_version, h.build.empty() ? "" : " build " + h.build);
    for (const auto& c : h.clusters) {
      const double now = cluster_now_mhz(h, c);
      const std::string governor = cluster_governor(h, c);
      out += fmt::format("    cluster {}: {} CPUs at {:.0f} MHz{}{}\n", c.name, c.cpus.size(), c.max_mhz,
                         now > 0 ? fmt::format(", now {:.0f} MHz", now) : "",
                         governor.empty() ? "" : ", governor " + governor);
    }
    for (const auto& d : opencl_devices(h)) out += fmt::format("    {}\n", d);
    for (const auto& t : p.targets) out += fmt::format("    {}\n", t);
  }
  out +=
      "Profile them with nnlat profile ... --target NAME:CONFIG:PRECISION; put this build's runner on one with "
      "nnlat devices deploy NAME.\n";
  return out;
}

}  // namespace nnlat::app
