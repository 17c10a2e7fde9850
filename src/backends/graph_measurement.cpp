#include "nnlat/backends/graph_measurement.hpp"

namespace nnlat::backends {

CacheFlusher::CacheFlusher() : buffer_(64u << 20, 1) {}

void CacheFlusher::flush() {
  for (size_t i = 0; i < buffer_.size(); i += 64) buffer_[i] = static_cast<char>(buffer_[i] + 1);
  ++flushes_;
}

Result<GraphMeasurement> measure_prepared(PreparedGraph& prepared, const MeasureSettings& settings,
                                          const measure::Clock& clock) {
  GraphMeasurement out;
  const auto run = [&] { return prepared.run(); };
  if (settings.steady_warmup_s > 0) {
    // A GPU's clock ramps up from idle over seconds: run until two windows agree.
    NNLAT_ASSIGN_OR_RETURN(out.warmup,
                           measure::warm_until_steady(run, kSteadyWarmupWindowRuns, settings.steady_tolerance,
                                                      settings.steady_warmup_s, clock));
  }
  std::function<void()> before_each_timed_run;
  CacheFlusher* flusher = settings.cold_cache;
  const size_t flushes_before = flusher ? flusher->flushes() : 0;
  if (flusher) before_each_timed_run = [flusher] { flusher->flush(); };
  out.state_before = measure::capture_device_state();
  NNLAT_ASSIGN_OR_RETURN(out.measurement, measure::measure(run, settings.protocol, clock, before_each_timed_run));
  out.state_after = measure::capture_device_state();
  if (flusher) out.cache_flushes = flusher->flushes() - flushes_before;
  if (settings.kernel_timing_runs > 0) {
    NNLAT_ASSIGN_OR_RETURN(out.kernels, prepared.kernel_runs(settings.kernel_timing_runs));
  }
  return out;
}

}  // namespace nnlat::backends
