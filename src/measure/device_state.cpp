#include "nnlat/measure/device_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

namespace nnlat::measure {
namespace {

// The first number in a /sys file, or nothing.
std::optional<double> read_number(const std::filesystem::path& path) {
  std::ifstream in(path);
  double v = 0;
  if (in >> v) return v;
  return std::nullopt;
}

// Values of `file` under dir/<prefix>0, dir/<prefix>1, ... while the directories exist; the
// list stops at the first unreadable value so indices stay the CPUs' and zones' own.
std::vector<double> numbered(const std::filesystem::path& dir, const std::string& prefix, const std::string& file,
                             double scale) {
  std::vector<double> out;
  for (int i = 0;; ++i) {
    const auto entry = dir / (prefix + std::to_string(i));
    std::error_code ec;
    if (!std::filesystem::exists(entry, ec)) break;
    const auto v = read_number(entry / file);
    if (!v) break;
    out.push_back(*v * scale);
  }
  return out;
}

}  // namespace

DeviceState capture_device_state(const std::string& sys_root) {
  const std::filesystem::path root(sys_root);
  DeviceState s;
  s.cpu_mhz = numbered(root / "devices/system/cpu", "cpu", "cpufreq/scaling_cur_freq", 1e-3);  // kHz
  s.temperatures_c = numbered(root / "class/thermal", "thermal_zone", "temp", 1e-3);           // milli-degrees
  return s;
}

std::vector<std::string> capture_cpu_governors(const std::string& sys_root) {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    std::ifstream in(std::filesystem::path(sys_root) / "devices/system/cpu" / ("cpu" + std::to_string(i)) /
                     "cpufreq/scaling_governor");
    std::string governor;
    if (!(in >> governor)) break;
    out.push_back(governor);
  }
  return out;
}

std::optional<std::string> state_change_beyond(const DeviceState& before, const DeviceState& after,
                                               double max_freq_drop, double max_temp_rise_c,
                                               std::span<const int> cpus) {
  if (max_freq_drop > 0) {
    double fastest_before = 0, fastest_after = 0;
    const size_t n = std::min(before.cpu_mhz.size(), after.cpu_mhz.size());
    for (size_t i = 0; i < n; ++i) {
      if (!cpus.empty() && std::find(cpus.begin(), cpus.end(), static_cast<int>(i)) == cpus.end()) continue;
      fastest_before = std::max(fastest_before, before.cpu_mhz[i]);
      fastest_after = std::max(fastest_after, after.cpu_mhz[i]);
    }
    if (fastest_before > 0 && fastest_after < fastest_before * (1 - max_freq_drop)) {
      return fmt::format(
          "the fastest CPU's clock fell from {:.0f} to {:.0f} MHz during the measurement (bound: {:.0f}%)",
          fastest_before, fastest_after, 100 * max_freq_drop);
    }
  }
  if (max_temp_rise_c > 0) {
    const size_t n = std::min(before.temperatures_c.size(), after.temperatures_c.size());
    for (size_t i = 0; i < n; ++i) {
      const double rise = after.temperatures_c[i] - before.temperatures_c[i];
      if (rise > max_temp_rise_c) {
        return fmt::format("thermal_zone{} warmed from {:.1f} to {:.1f} °C during the measurement (bound: {:g} °C)", i,
                           before.temperatures_c[i], after.temperatures_c[i], max_temp_rise_c);
      }
    }
  }
  return std::nullopt;
}

nlohmann::json device_state_to_json(const DeviceState& state) {
  nlohmann::json j = nlohmann::json::object();
  if (!state.cpu_mhz.empty()) j["cpu_mhz"] = state.cpu_mhz;
  if (!state.temperatures_c.empty()) j["temperatures_c"] = state.temperatures_c;
  return j;
}

Result<DeviceState> device_state_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(ErrorCode::kParseError, "device state: must be a JSON object");
  DeviceState s;
  for (auto [key, out] : {std::pair{"cpu_mhz", &s.cpu_mhz}, std::pair{"temperatures_c", &s.temperatures_c}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_array())
      return make_error(ErrorCode::kParseError, std::string("device state: ") + key + " must be an array");
    for (const auto& v : j[key]) {
      if (!v.is_number()) {
        return make_error(ErrorCode::kParseError, std::string("device state: ") + key + " must hold numbers");
      }
      out->push_back(v.get<double>());
    }
  }
  return s;
}

}  // namespace nnlat::measure
