#include "nnlat/measure/measurement.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "nnlat/core/options_json.hpp"

namespace nnlat::measure {
namespace {

using Field = options::Field<ProtocolOptions>;
using P = ProtocolOptions;
constexpr std::string_view kWhat = "measurement protocol";
constexpr auto kWording = options::Wording::kSymbols;

// Flags keep the spellings `profile` has always had; keys are what every stored measurement holds.
const auto kFields = std::to_array<Field>({
    {.key = "warmup_runs",
     .member = &P::warmup_runs,
     .help = "Untimed runs first",
     .bounds = {.min = 0},
     .flag = "--warmup"},
    {.key = "min_repeats", .member = &P::min_repeats, .help = "Timed runs, at least", .bounds = {.min = 1}},
    {.key = "min_time_s",
     .member = &P::min_time_s,
     .help = "Seconds of timed runs, at least",
     .bounds = {.min = 0},
     .flag = "--min-time"},
    {.key = "max_repeats", .member = &P::max_repeats, .help = "Timed runs, at most"},
    {.key = "cv_threshold",
     .member = &P::cv_threshold,
     .help = "Re-measure when the CV is above this",
     .bounds = {.min = 0}},
    {.key = "max_remeasure", .member = &P::max_remeasure, .help = "Re-measurements, at most", .bounds = {.min = 0}},
    {.key = "cooldown_s",
     .member = &P::cooldown_s,
     .help = "Seconds of sleep before each item",
     .bounds = {.min = 0},
     .flag = "--cool-down,--cooldown"},
    {.key = "max_freq_drop",
     .member = &P::max_freq_drop,
     .help = "Flag a measurement unstable when the fastest CPU's clock fell by more than this fraction during it (0: "
             "no check)",
     .bounds = {.min = 0, .max = 1}},
    {.key = "max_temp_rise_c",
     .member = &P::max_temp_rise_c,
     .help = "Flag a measurement unstable when a thermal zone warmed by more than this many degrees Celsius during it "
             "(0: no check)",
     .bounds = {.min = 0},
     .flag = "--max-temp-rise"},
});

}  // namespace

std::span<const Field> protocol_option_fields() { return kFields; }

std::string protocol_options_markdown() { return options::markdown_table(protocol_option_fields(), kWording); }

Status validate(const ProtocolOptions& o) {
  NNLAT_RETURN_IF_ERROR(options::validate(o, protocol_option_fields(), kWording, kWhat));
  // The one rule between two fields, so not a bound of either.
  if (o.max_repeats < o.min_repeats) {
    return make_error(ErrorCode::kInvalidArgument, std::string(kWhat) + ": max_repeats must be >= min_repeats");
  }
  return Status::Ok();
}

nlohmann::json protocol_to_json(const ProtocolOptions& o) { return options::to_json(o, protocol_option_fields()); }

Result<ProtocolOptions> protocol_from_json(const nlohmann::json& j) {
  ProtocolOptions o;  // a missing key keeps its default
  NNLAT_RETURN_IF_ERROR(options::from_json(j, o, protocol_option_fields(), kWhat, options::Missing::kDefault));
  if (Status s = validate(o); !s.ok()) return make_error(ErrorCode::kParseError, s.error().message);
  return o;
}

Stats compute_stats(std::span<const double> samples) {
  Stats s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  s.min_ms = sorted.front();
  s.max_ms = sorted.back();
  s.median_ms = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean_ms = sum / static_cast<double>(n);
  if (n >= 2) {
    double sq = 0;
    for (double v : samples) sq += (v - s.mean_ms) * (v - s.mean_ms);
    s.std_ms = std::sqrt(sq / static_cast<double>(n - 1));
  }
  s.cv = s.mean_ms != 0 ? s.std_ms / std::fabs(s.mean_ms) : 0;
  return s;
}

Measurement measurement_from_samples(std::vector<double> samples_ms) {
  const Stats s = compute_stats(samples_ms);
  Measurement m;
  m.samples_ms = std::move(samples_ms);
  m.median_ms = s.median_ms;
  m.mean_ms = s.mean_ms;
  m.std_ms = s.std_ms;
  m.cv = s.cv;
  m.min_ms = s.min_ms;
  return m;
}

Clock Clock::steady() {
  return Clock{[] {
                 return std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now().time_since_epoch());
               },
               [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }};
}

Result<Measurement> measure(const std::function<Status()>& run_once, const ProtocolOptions& options, const Clock& clock,
                            const std::function<void()>& before_each_timed_run) {
  NNLAT_RETURN_IF_ERROR(validate(options));
  if (!run_once) return make_error(ErrorCode::kInvalidArgument, "measurement protocol: no run function");
  if (!clock.now) return make_error(ErrorCode::kInvalidArgument, "measurement protocol: clock has no now()");
  if (options.cooldown_s > 0 && !clock.sleep) {
    return make_error(ErrorCode::kInvalidArgument,
                      "measurement protocol: cool-down requested but clock has no sleep()");
  }
  using std::chrono::nanoseconds;
  const auto cooldown = std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(options.cooldown_s));
  const auto min_time = std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(options.min_time_s));

  for (int i = 0; i < options.warmup_runs; ++i) {
    if (i == 0 && options.cooldown_s > 0) clock.sleep(cooldown);
    Status s = run_once();
    if (!s.ok()) return s.error().with_context("warm-up run " + std::to_string(i + 1));
  }

  std::vector<double> best;
  double best_cv = 0;
  int attempts = 0;
  for (int attempt = 0; attempt <= options.max_remeasure; ++attempt) {
    // The first attempt's cool-down came before the warm-up.
    if (options.cooldown_s > 0 && (attempt > 0 || options.warmup_runs == 0)) clock.sleep(cooldown);
    std::vector<double> samples;
    samples.reserve(static_cast<size_t>(options.min_repeats));
    nanoseconds timed_total{0};  // only the timed calls: an untimed cache flush does not count
    for (;;) {
      if (before_each_timed_run) before_each_timed_run();
      const nanoseconds t0 = clock.now();
      Status s = run_once();
      const nanoseconds t1 = clock.now();
      if (!s.ok()) {
        return s.error().with_context("timed run " + std::to_string(samples.size() + 1) + " of attempt " +
                                      std::to_string(attempt + 1));
      }
      samples.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      timed_total += t1 - t0;
      const int count = static_cast<int>(samples.size());
      if (count >= options.max_repeats) break;
      if (count >= options.min_repeats && timed_total >= min_time) break;
    }
    ++attempts;
    const double cv = compute_stats(samples).cv;
    if (best.empty() || cv < best_cv) {
      best = std::move(samples);
      best_cv = cv;
    }
    if (best_cv <= options.cv_threshold) break;
  }

  Measurement m = measurement_from_samples(std::move(best));
  m.remeasures = attempts - 1;
  m.unstable = m.cv > options.cv_threshold;
  return m;
}

}  // namespace nnlat::measure
