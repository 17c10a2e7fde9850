// The measurement protocol (DESIGN.md principle 7), written once and used by every backend:
// warm-up runs, then timed runs until both a minimum count and a minimum total time are
// reached (bounded by a maximum count), raw samples kept, median/mean/std/CV reported, a
// re-measurement when the CV is too high, and an `unstable` flag when it stays high.
//
// Timing is taken around each call of `run_once` with a monotonic clock; tests inject a
// fake clock so that nothing depends on the speed of the machine.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/options.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::measure {

struct ProtocolOptions {
  int warmup_runs = 3;         // untimed runs before the first timed attempt
  int min_repeats = 10;        // timed runs per attempt, at least ...
  double min_time_s = 0.5;     // ... and at least this much time spent in the timed phase
  int max_repeats = 1000;      // hard bound on timed runs per attempt (wins over min_time_s)
  double cv_threshold = 0.05;  // an attempt with a higher CV is re-measured
  int max_remeasure = 2;       // at most this many extra attempts
  double cooldown_s = 0;       // sleep before each attempt (thermal cool-down); 0: none
  // The device's state around a measurement (issue 14): a clock drop or a temperature rise
  // beyond these between just before and just after it flags it unstable, like a high CV.
  double max_freq_drop = 0.10;   // fraction of the fastest CPU's frequency lost; 0: no check
  double max_temp_rise_c = 5.0;  // degrees Celsius gained by the hottest-rising zone; 0: no check

  friend bool operator==(const ProtocolOptions&, const ProtocolOptions&) = default;
};

// Each field once: JSON key (the member's name), the historical flag, help and bounds. JSON,
// validation, the `profile` flags and the docs' table all come from this list.
std::span<const options::Field<ProtocolOptions>> protocol_option_fields();
// The docs' table of the fields (docs/options.md holds it; a test keeps them equal).
std::string protocol_options_markdown();

// Ok, or kInvalidArgument naming the first bad field.
Status validate(const ProtocolOptions& options);

// The options as a JSON object with the field names above (stored with every measurement).
nlohmann::json protocol_to_json(const ProtocolOptions& options);
// Missing fields take their defaults; wrong types or invalid values are kParseError.
Result<ProtocolOptions> protocol_from_json(const nlohmann::json& json);

struct Stats {
  size_t count = 0;
  double median_ms = 0;  // mean of the two middle samples for an even count
  double mean_ms = 0;
  double std_ms = 0;  // sample standard deviation (n - 1); 0 for fewer than two samples
  double cv = 0;      // std / mean; 0 when the mean is 0
  double min_ms = 0;
  double max_ms = 0;
};

// Pure; all fields 0 for an empty span.
Stats compute_stats(std::span<const double> samples_ms);

struct Measurement {
  std::vector<double> samples_ms;  // raw samples of the attempt reported (the best CV)
  double median_ms = 0;
  double mean_ms = 0;
  double std_ms = 0;
  double cv = 0;
  double min_ms = 0;
  bool unstable = false;  // CV stayed above the threshold after every re-measurement
  int remeasures = 0;     // extra attempts taken (0 when the first attempt was stable)
};

// Builds a Measurement from samples (stats filled, unstable false, remeasures 0): for
// measurements taken elsewhere, e.g. replayed from a dataset.
Measurement measurement_from_samples(std::vector<double> samples_ms);

// Where time comes from. `now` is a monotonic clock; `sleep` is used for the cool-down.
struct Clock {
  std::function<std::chrono::nanoseconds()> now;
  std::function<void(std::chrono::nanoseconds)> sleep;

  // std::chrono::steady_clock and std::this_thread::sleep_for.
  static Clock steady();
};

// Runs the protocol. An error from `run_once` stops it and is returned with the run it
// happened in as context ("warm-up run 2: ...", "timed run 7 of attempt 1: ...").
// `before_each_timed_run`, when set, runs before every timed call and outside the timing
// (e.g. a cache flush for cold-cache kernel measurements); min_time_s counts timed calls only.
Result<Measurement> measure(const std::function<Status()>& run_once, const ProtocolOptions& options,
                            const Clock& clock = Clock::steady(),
                            const std::function<void()>& before_each_timed_run = {});

}  // namespace nnlat::measure
