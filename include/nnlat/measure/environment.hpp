// The environment a measurement was taken in (DESIGN.md principle 7), stored with every
// measurement so that a dataset says where its numbers came from. Capturing never fails:
// a field that cannot be read is "unknown" (strings) or 0 (counts).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/measure/device_state.hpp"

namespace nnlat::measure {

inline constexpr const char* kUnknown = "unknown";

// One kernel of a measured graph as the backend ran it, for backends that report their
// kernels (OpenCL): predictors must learn the implementation a GPU delegate chose.
struct KernelRun {
  std::string name;            // its IR nodes joined by '+'
  std::string implementation;  // e.g. "conv2d_winograd4x4"
  double device_ms = -1;       // median device time over the kernel-timing runs; < 0: not timed

  friend bool operator==(const KernelRun&, const KernelRun&) = default;
};

struct Environment {
  // Filled by capture_environment().
  std::string cpu_model = kUnknown;     // /proc/cpuinfo "model name", else "Hardware", ...
  int cpu_cores = 0;                    // online logical CPUs; 0: unknown
  std::string cpu_governor = kUnknown;  // cpu0 scaling_governor
  std::string kernel = kUnknown;        // uname: "Linux 6.1.0-18-amd64"
  std::string machine = kUnknown;       // uname: "x86_64", "aarch64"
  std::string hostname = kUnknown;
  std::string nnlat_version = kUnknown;
  std::string time_utc = kUnknown;  // ISO-8601, "2024-05-01T12:34:56Z"

  // Filled by the caller (the backend / the measuring command).
  int threads = 0;            // 0: unknown
  std::vector<int> affinity;  // CPU ids the run was pinned to; empty: not pinned
  std::string backend = kUnknown;
  std::string backend_version = kUnknown;
  // The measured graph's kernels, in execution order; empty when the backend reports none.
  std::vector<KernelRun> kernels;
  // CPU frequencies and temperatures just before and just after the measurement.
  DeviceState state_before;
  DeviceState state_after;

  friend bool operator==(const Environment&, const Environment&) = default;
};

// Reads the machine's fields now; caller fields are left at their defaults.
Environment capture_environment();

// A JSON object with the field names above ("kernels": [{"name", "implementation",
// "device_ms"}], only when there are kernels; "state_before"/"state_after" only when read).
nlohmann::json environment_to_json(const Environment& env);
// Missing fields keep their defaults; a field of the wrong type is kParseError.
Result<Environment> environment_from_json(const nlohmann::json& json);

// Pure helpers, exposed for tests.
// The CPU model from /proc/cpuinfo text: "Hardware (model name)" when both are present
// (Android/ARM), else "model name" (x86), else "Hardware",
// else "Processor"/"cpu model"/"cpu" (older ARM, MIPS, POWER), else "CPU implementer 0x41
// part 0xd0b" from the ARM id fields; "unknown" when none is present.
std::string cpu_model_from_cpuinfo(std::string_view cpuinfo);
// MemTotal of /proc/meminfo text, in MiB; 0 when it is absent.
int64_t memory_total_mb_from_meminfo(std::string_view meminfo);
// This machine's MemTotal in MiB (0: unknown).
int64_t capture_memory_total_mb();
// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the Unix epoch.
std::string iso8601_utc(long long unix_seconds);

}  // namespace nnlat::measure
