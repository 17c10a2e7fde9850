// How one prepared graph is measured, wherever it runs: a local campaign (campaigns/profiler)
// and the device runner (nnlat-device, for a remote campaign) both call `measure_prepared`, so
// a phone applies the steady warm-up and `--cold-cache` exactly as this machine does: the
// warm-up windows, then the device state, the measurement protocol with a cache flush before
// every timed run, the device state again, and the per-kernel runs.
#pragma once

#include <cstddef>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/measure/device_state.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/schedule.hpp"

namespace nnlat::backends {

// Writes a buffer larger than any last-level cache so the next run starts cold. Its 64 MiB are
// allocated once and kept by whoever measures many items.
class CacheFlusher {
 public:
  CacheFlusher();
  void flush();
  size_t flushes() const { return flushes_; }

 private:
  std::vector<char> buffer_;
  size_t flushes_ = 0;
};

// How to measure, beyond the protocol.
struct MeasureSettings {
  measure::ProtocolOptions protocol;
  // > 0: before measuring, run windows until two consecutive ones agree within
  // `steady_tolerance`, at most this long (measure::warm_until_steady); 0: no such warm-up. A
  // campaign asks for it once, with its first item, on accelerator backends (schedule.hpp).
  double steady_warmup_s = 0;
  double steady_tolerance = 0.02;
  // Set: flushed before every timed run (`--cold-cache`).
  CacheFlusher* cold_cache = nullptr;
  int kernel_timing_runs = 0;  // > 0: per-kernel device times (backends that report kernels)
};

// Runs per window of the steady warm-up.
inline constexpr int kSteadyWarmupWindowRuns = 5;

struct GraphMeasurement {
  measure::Measurement measurement;
  measure::DeviceState state_before;
  measure::DeviceState state_after;
  std::vector<measure::KernelRun> kernels;
  measure::SteadyWarmup warmup;  // windows 0: none asked for
  size_t cache_flushes = 0;      // flushes before timed runs in this measurement; 0 without --cold-cache
};

// Errors from the warm-up, the protocol or the kernel runs, with the protocol's context.
Result<GraphMeasurement> measure_prepared(PreparedGraph& prepared, const MeasureSettings& settings,
                                          const measure::Clock& clock = measure::Clock::steady());

}  // namespace nnlat::backends
