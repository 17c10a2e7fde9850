// The device's thermal and clock state around a measurement (issue 13): the current CPU
// frequencies and thermal-zone temperatures from /sys, read just before and just after an
// item is measured and stored with it, so a measurement taken while the device throttled
// can be recognised afterwards. Reading never fails: what is not readable is left out.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::measure {

struct DeviceState {
  std::vector<double> cpu_mhz;         // per CPU (cpu0, cpu1, ...), scaling_cur_freq; empty: not readable
  std::vector<double> temperatures_c;  // per thermal zone (thermal_zone0, ...); empty: not readable

  bool empty() const { return cpu_mhz.empty() && temperatures_c.empty(); }
  friend bool operator==(const DeviceState&, const DeviceState&) = default;
};

// Reads the state now from `sys_root` (the /sys tree; tests pass a fake one).
DeviceState capture_device_state(const std::string& sys_root = "/sys");

// Each CPU's cpufreq governor ("schedutil", "performance", ...) in CPU order, read like the
// clocks: the list stops at the first CPU without one, and is empty where cpufreq is not
// readable (a VM).
std::vector<std::string> capture_cpu_governors(const std::string& sys_root = "/sys");

// Why the device changed too much during a measurement, or nothing: the fastest of `cpus`
// (every CPU when empty) lost more than `max_freq_drop` of its clock (a throttled device
// caps its clusters), or a thermal zone warmed by more than `max_temp_rise_c`. A bound of 0
// is not checked; what was not read before and after is not compared.
std::optional<std::string> state_change_beyond(const DeviceState& before, const DeviceState& after,
                                               double max_freq_drop, double max_temp_rise_c,
                                               std::span<const int> cpus = {});

nlohmann::json device_state_to_json(const DeviceState& state);
// Missing lists are empty; non-numeric entries are kParseError.
Result<DeviceState> device_state_from_json(const nlohmann::json& json);

}  // namespace nnlat::measure
