// How a campaign schedules its items over time (issue 13): a device drifts between runs
// (clocks ramp from idle, other load comes and goes, a phone warms up), and a protocol that
// measures each item once, back to back, turns that drift into differences between items.
// So every item is measured in several interleaved rounds, each round in its own seeded
// shuffled order, and the figure stored for the campaign is the median over the rounds: a
// slow phase confined to one round, or a slow drift, moves no item's figure.
//
// Before the first round, backends on an accelerator are warmed up until consecutive windows
// of runs agree (a GPU's clock ramps from idle over seconds), bounded in time.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/options.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/measure/measurement.hpp"

namespace nnlat::measure {

struct ScheduleOptions {
  int rounds = 3;                  // interleaved rounds per campaign; 1: the old single pass
  std::uint64_t order_seed = 1;    // seeds each round's shuffled order
  double round_cooldown_s = 0;     // sleep between rounds (thermal cool-down); 0: none
  double steady_warmup_s = 10;     // accelerators: warm up until steady, at most this long; 0: off
  double steady_tolerance = 0.02;  // two consecutive warm-up windows agree within this fraction

  friend bool operator==(const ScheduleOptions&, const ScheduleOptions&) = default;
};

std::span<const options::Field<ScheduleOptions>> schedule_option_fields();
std::string schedule_options_markdown();
Status validate(const ScheduleOptions& options);
nlohmann::json schedule_to_json(const ScheduleOptions& options);

// The order in which round `round` (0-based) visits `items` items: round 0 keeps the plan's
// order, later rounds a permutation drawn from (seed, round). Deterministic.
std::vector<size_t> round_order(size_t items, int round, std::uint64_t seed);

// Median of a non-empty list (core's quantile at 0.5: the mean of the two middle values for
// an even count); 0 if empty.
double median_of(std::vector<double> values);

// Per-round drift factors of a campaign: `per_round[r][i]` is item i's figure in round r
// (NaN: not measured). Each round's factor is the median over items of the item's figure in
// that round divided by its median over rounds, so 1.07 says "this round ran 7% slow". Items
// measured in fewer than two rounds do not count; a round with no such item gets 1.
std::vector<double> round_drift_factors(const std::vector<std::vector<double>>& per_round);

struct SteadyWarmup {
  int windows = 0;      // windows run
  bool steady = false;  // the last two windows agreed within the tolerance
  double last_median_ms = 0;
};

// Runs windows of `window_runs` untimed-for-the-result runs until the medians of two
// consecutive windows agree within `tolerance`, or `max_s` seconds have passed (at least two
// windows). An error from `run_once` stops it.
Result<SteadyWarmup> warm_until_steady(const std::function<Status()>& run_once, int window_runs, double tolerance,
                                       double max_s, const Clock& clock = Clock::steady());

}  // namespace nnlat::measure
