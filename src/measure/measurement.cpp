#include "nnlat/measure/measurement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace nnlat::measure {
namespace {

Error invalid(const std::string& field, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "measurement protocol: " + field + " " + why);
}

}  // namespace

Status validate(const ProtocolOptions& o) {
  if (o.warmup_runs < 0) return invalid("warmup_runs", "must be >= 0");
  if (o.min_repeats < 1) return invalid("min_repeats", "must be >= 1");
  if (o.max_repeats < o.min_repeats) return invalid("max_repeats", "must be >= min_repeats");
  if (!std::isfinite(o.min_time_s) || o.min_time_s < 0) return invalid("min_time_s", "must be a finite value >= 0");
  if (!std::isfinite(o.cv_threshold) || o.cv_threshold < 0) {
    return invalid("cv_threshold", "must be a finite value >= 0");
  }
  if (o.max_remeasure < 0) return invalid("max_remeasure", "must be >= 0");
  if (!std::isfinite(o.cooldown_s) || o.cooldown_s < 0) return invalid("cooldown_s", "must be a finite value >= 0");
  return Status::Ok();
}

nlohmann::json protocol_to_json(const ProtocolOptions& o) {
  nlohmann::json j;
  j["warmup_runs"] = o.warmup_runs;
  j["min_repeats"] = o.min_repeats;
  j["min_time_s"] = o.min_time_s;
  j["max_repeats"] = o.max_repeats;
  j["cv_threshold"] = o.cv_threshold;
  j["max_remeasure"] = o.max_remeasure;
  j["cooldown_s"] = o.cooldown_s;
  return j;
}

Result<ProtocolOptions> protocol_from_json(const nlohmann::json& j) {
  auto fail = [](const std::string& why) { return make_error(ErrorCode::kParseError, "measurement protocol: " + why); };
  if (!j.is_object()) return fail("must be a JSON object");
  ProtocolOptions o;
  auto get_int = [&](const char* key, int& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < std::numeric_limits<int>::min() ||
        j[key].get<int64_t>() > std::numeric_limits<int>::max()) {
      return fail(std::string(key) + " must be an integer");
    }
    out = static_cast<int>(j[key].get<int64_t>());
    return Status::Ok();
  };
  auto get_double = [&](const char* key, double& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_number()) return fail(std::string(key) + " must be a number");
    out = j[key].get<double>();
    return Status::Ok();
  };
  NNLAT_RETURN_IF_ERROR(get_int("warmup_runs", o.warmup_runs));
  NNLAT_RETURN_IF_ERROR(get_int("min_repeats", o.min_repeats));
  NNLAT_RETURN_IF_ERROR(get_double("min_time_s", o.min_time_s));
  NNLAT_RETURN_IF_ERROR(get_int("max_repeats", o.max_repeats));
  NNLAT_RETURN_IF_ERROR(get_double("cv_threshold", o.cv_threshold));
  NNLAT_RETURN_IF_ERROR(get_int("max_remeasure", o.max_remeasure));
  NNLAT_RETURN_IF_ERROR(get_double("cooldown_s", o.cooldown_s));
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
