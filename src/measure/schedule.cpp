#include "nnlat/measure/schedule.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "nnlat/core/options_json.hpp"
#include "nnlat/core/sampling.hpp"

namespace nnlat::measure {
namespace {

using ScheduleField = options::Field<ScheduleOptions>;
using S = ScheduleOptions;
constexpr auto kScheduleWording = options::Wording::kSymbols;

const auto kScheduleFields = std::to_array<ScheduleField>({
    {.key = "rounds",
     .member = &S::rounds,
     .help = "Interleaved rounds over a campaign's items, each in a shuffled order; the stored figure is the median "
             "over rounds (1: a single pass)",
     .bounds = {.min = 1}},
    {.key = "order_seed", .member = &S::order_seed, .help = "Seed of the rounds' shuffled orders"},
    {.key = "round_cooldown_s",
     .member = &S::round_cooldown_s,
     .help = "Seconds of sleep between rounds",
     .bounds = {.min = 0},
     .flag = "--round-cooldown"},
    {.key = "steady_warmup_s",
     .member = &S::steady_warmup_s,
     .help = "Accelerator targets, here or on a registered device: before the first round, warm up until two "
             "windows agree, at most this many seconds (0: off)",
     .bounds = {.min = 0},
     .flag = "--steady-warmup"},
    {.key = "steady_tolerance",
     .member = &S::steady_tolerance,
     .help = "Warm-up windows agree when their medians differ by at most this fraction",
     .bounds = {.min = 0, .min_exclusive = true}},
});

}  // namespace

std::span<const ScheduleField> schedule_option_fields() { return kScheduleFields; }

std::string schedule_options_markdown() { return options::markdown_table(schedule_option_fields(), kScheduleWording); }

Status validate(const ScheduleOptions& o) {
  return options::validate(o, schedule_option_fields(), kScheduleWording, "measurement schedule");
}

nlohmann::json schedule_to_json(const ScheduleOptions& o) { return options::to_json(o, schedule_option_fields()); }

std::vector<size_t> round_order(size_t items, int round, std::uint64_t seed) {
  if (round <= 0) {
    std::vector<size_t> plan(items);
    for (size_t i = 0; i < items; ++i) plan[i] = i;
    return plan;
  }
  // One stream per round: the golden-ratio step keeps the rounds' seeds apart.
  return seeded_permutation(items, seed + 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(round));
}

double median_of(std::vector<double> values) { return values.empty() ? 0 : quantile(std::move(values), 0.5); }

std::vector<double> round_drift_factors(const std::vector<std::vector<double>>& per_round) {
  const size_t rounds = per_round.size();
  size_t items = 0;
  for (const auto& r : per_round) items = std::max(items, r.size());
  std::vector<std::vector<double>> ratios(rounds);
  for (size_t i = 0; i < items; ++i) {
    std::vector<double> values;
    for (const auto& r : per_round) {
      if (i < r.size() && std::isfinite(r[i]) && r[i] > 0) values.push_back(r[i]);
    }
    if (values.size() < 2) continue;
    const double centre = median_of(values);
    for (size_t k = 0; k < rounds; ++k) {
      const auto& r = per_round[k];
      if (i < r.size() && std::isfinite(r[i]) && r[i] > 0) ratios[k].push_back(r[i] / centre);
    }
  }
  std::vector<double> factors(rounds, 1.0);
  for (size_t k = 0; k < rounds; ++k) {
    if (!ratios[k].empty()) factors[k] = median_of(std::move(ratios[k]));
  }
  return factors;
}

Result<SteadyWarmup> warm_until_steady(const std::function<Status()>& run_once, int window_runs, double tolerance,
                                       double max_s, const Clock& clock) {
  if (window_runs < 1) return make_error(ErrorCode::kInvalidArgument, "steady warm-up: window_runs must be >= 1");
  SteadyWarmup out;
  const auto start = clock.now();
  const auto budget = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(max_s));
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (;;) {
    std::vector<double> window;
    for (int i = 0; i < window_runs; ++i) {
      const auto t0 = clock.now();
      Status s = run_once();
      const auto t1 = clock.now();
      if (!s.ok()) return s.error().with_context("steady warm-up window " + std::to_string(out.windows + 1));
      window.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    ++out.windows;
    const double current = median_of(std::move(window));
    out.last_median_ms = current;
    if (std::isfinite(previous) && std::fabs(current - previous) <= tolerance * std::max(previous, current)) {
      out.steady = true;
      return out;
    }
    previous = current;
    if (out.windows >= 2 && clock.now() - start >= budget) return out;
  }
}

}  // namespace nnlat::measure
