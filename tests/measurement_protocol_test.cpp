#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "nnlat/measure/environment.hpp"
#include "nnlat/measure/measurement.hpp"

namespace nnlat::measure {
namespace {

using std::chrono::nanoseconds;

// A deterministic clock: time advances only when the fake run (or a sleep) says so.
struct FakeDevice {
  int64_t now_ns = 1'000'000'000;
  int calls = 0;
  std::vector<int64_t> sleeps_ns;
  // Duration in microseconds of call number `calls` (0-based, warm-up included).
  std::function<int64_t(int)> duration_us = [](int) { return 2000; };
  int fail_at_call = -1;

  Clock clock() {
    return Clock{[this] { return nanoseconds(now_ns); },
                 [this](nanoseconds d) {
                   sleeps_ns.push_back(d.count());
                   now_ns += d.count();
                 }};
  }
  std::function<Status()> run() {
    return [this]() -> Status {
      const int call = calls++;
      if (call == fail_at_call) return make_error(ErrorCode::kIoError, "device gone");
      now_ns += duration_us(call) * 1000;
      return Status::Ok();
    };
  }
};

TEST(MeasurementStats, EmptySingleAndKnownValues) {
  const Stats empty = compute_stats({});
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.median_ms, 0);
  EXPECT_EQ(empty.cv, 0);

  const std::vector<double> one{3.5};
  const Stats s1 = compute_stats(one);
  EXPECT_EQ(s1.count, 1u);
  EXPECT_EQ(s1.median_ms, 3.5);
  EXPECT_EQ(s1.mean_ms, 3.5);
  EXPECT_EQ(s1.std_ms, 0);
  EXPECT_EQ(s1.cv, 0);
  EXPECT_EQ(s1.min_ms, 3.5);

  const std::vector<double> v{9, 2, 4, 4, 5, 4, 7, 5};  // unsorted on purpose
  const Stats s = compute_stats(v);
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.median_ms, 4.5);
  EXPECT_DOUBLE_EQ(s.mean_ms, 5.0);
  EXPECT_DOUBLE_EQ(s.std_ms, std::sqrt(32.0 / 7.0));  // sample std (n - 1)
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(32.0 / 7.0) / 5.0);
  EXPECT_EQ(s.min_ms, 2);
  EXPECT_EQ(s.max_ms, 9);

  const std::vector<double> odd{5, 1, 3};
  EXPECT_EQ(compute_stats(odd).median_ms, 3);
  const std::vector<double> zeros{0, 0, 0};
  EXPECT_EQ(compute_stats(zeros).cv, 0);  // no division by zero
}

TEST(MeasurementProtocol, RepeatsUntilMinTimeAndCount) {
  FakeDevice dev;     // 2 ms per run
  ProtocolOptions o;  // 3 warm-up, >= 10 runs and >= 0.5 s
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->samples_ms.size(), 250u);  // 250 * 2 ms = 0.5 s
  EXPECT_EQ(dev.calls, 253);              // warm-up runs are not samples
  EXPECT_DOUBLE_EQ(m->median_ms, 2.0);
  EXPECT_DOUBLE_EQ(m->mean_ms, 2.0);
  EXPECT_DOUBLE_EQ(m->min_ms, 2.0);
  EXPECT_EQ(m->cv, 0);
  EXPECT_FALSE(m->unstable);
  EXPECT_EQ(m->remeasures, 0);
  EXPECT_TRUE(dev.sleeps_ns.empty());
}

TEST(MeasurementProtocol, MinCountWinsForSlowRuns) {
  FakeDevice dev;
  dev.duration_us = [](int) { return 200'000; };  // 200 ms: 0.5 s is reached after 3 runs
  auto m = measure(dev.run(), ProtocolOptions{}, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->samples_ms.size(), 10u);
  EXPECT_DOUBLE_EQ(m->median_ms, 200.0);
}

TEST(MeasurementProtocol, MaxRepeatsBoundsFastRuns) {
  FakeDevice dev;
  dev.duration_us = [](int) { return 1; };
  ProtocolOptions o;
  o.min_time_s = 100;
  o.max_repeats = 50;
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->samples_ms.size(), 50u);
  EXPECT_DOUBLE_EQ(m->median_ms, 0.001);
}

TEST(MeasurementProtocol, NoisyRunsAreRemeasuredAndFlagged) {
  FakeDevice dev;
  dev.duration_us = [](int call) { return call % 2 == 0 ? 1000 : 3000; };  // CV ~0.5
  ProtocolOptions o;
  o.min_time_s = 0;
  o.warmup_runs = 1;
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->unstable);
  EXPECT_EQ(m->remeasures, 2);
  EXPECT_EQ(m->samples_ms.size(), 10u);  // one attempt's samples, not all three
  EXPECT_EQ(dev.calls, 1 + 3 * 10);
  EXPECT_GT(m->cv, 0.4);
}

TEST(MeasurementProtocol, RemeasureKeepsTheBestAttempt) {
  FakeDevice dev;
  ProtocolOptions o;
  o.warmup_runs = 0;
  o.min_time_s = 0;
  o.min_repeats = 4;
  o.max_repeats = 4;
  o.max_remeasure = 2;
  // Attempt 1 (calls 0-3): CV ~0.5; attempt 2 (4-7): CV ~0.1 (best); attempt 3 (8-11): ~0.3.
  const std::vector<int64_t> us{1000, 3000, 1000, 3000, 1000, 1200, 1000, 1200, 1000, 1600, 1000, 1600};
  dev.duration_us = [&](int call) { return us.at(static_cast<size_t>(call)); };
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->remeasures, 2);
  EXPECT_TRUE(m->unstable);
  EXPECT_EQ(m->samples_ms, (std::vector<double>{1.0, 1.2, 1.0, 1.2}));
  EXPECT_DOUBLE_EQ(m->median_ms, 1.1);
}

TEST(MeasurementProtocol, StableRemeasureClearsTheFlag) {
  FakeDevice dev;
  ProtocolOptions o;
  o.warmup_runs = 0;
  o.min_time_s = 0;
  dev.duration_us = [](int call) { return call < 10 ? (call % 2 == 0 ? 1000 : 2000) : 1500; };
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->remeasures, 1);
  EXPECT_FALSE(m->unstable);
  EXPECT_EQ(m->cv, 0);
  EXPECT_DOUBLE_EQ(m->median_ms, 1.5);
  EXPECT_EQ(dev.calls, 20);
}

TEST(MeasurementProtocol, CooldownSleepsBeforeEachAttempt) {
  FakeDevice dev;
  dev.duration_us = [](int call) { return call % 2 == 0 ? 1000 : 3000; };
  ProtocolOptions o;
  o.min_time_s = 0;
  o.cooldown_s = 1.5;
  o.max_remeasure = 1;
  auto m = measure(dev.run(), o, dev.clock());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(dev.sleeps_ns, (std::vector<int64_t>{1'500'000'000, 1'500'000'000}));
  // Sleeping is not part of any sample.
  EXPECT_LE(compute_stats(m->samples_ms).max_ms, 3.0);
}

TEST(MeasurementProtocol, RunErrorsPropagateWithContext) {
  FakeDevice warm;
  warm.fail_at_call = 1;
  auto a = measure(warm.run(), ProtocolOptions{}, warm.clock());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kIoError);
  EXPECT_EQ(a.error().message, "warm-up run 2: device gone");

  FakeDevice timed;
  timed.fail_at_call = 3 + 4;  // after 3 warm-up and 4 timed runs
  auto b = measure(timed.run(), ProtocolOptions{}, timed.clock());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "timed run 5 of attempt 1: device gone");
}

TEST(MeasurementProtocol, InvalidOptionsAreRejected) {
  FakeDevice dev;
  auto bad = [&](auto mutate, const char* field) {
    ProtocolOptions o;
    mutate(o);
    auto m = measure(dev.run(), o, dev.clock());
    ASSERT_FALSE(m.ok()) << field;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(m.error().message.find(field), std::string::npos) << m.error().message;
  };
  bad([](ProtocolOptions& o) { o.min_repeats = 0; }, "min_repeats");
  bad([](ProtocolOptions& o) { o.max_repeats = 5; }, "max_repeats");
  bad([](ProtocolOptions& o) { o.warmup_runs = -1; }, "warmup_runs");
  bad([](ProtocolOptions& o) { o.min_time_s = -1; }, "min_time_s");
  bad([](ProtocolOptions& o) { o.cv_threshold = NAN; }, "cv_threshold");
  bad([](ProtocolOptions& o) { o.max_remeasure = -1; }, "max_remeasure");
  bad([](ProtocolOptions& o) { o.cooldown_s = -0.5; }, "cooldown_s");
  EXPECT_EQ(dev.calls, 0);
  EXPECT_FALSE(measure(nullptr, ProtocolOptions{}, dev.clock()).ok());
}

TEST(MeasurementProtocol, RealClockSmoke) {
  ProtocolOptions o;
  o.warmup_runs = 1;
  o.min_repeats = 3;
  o.min_time_s = 0.001;
  o.max_repeats = 100000;
  volatile int sink = 0;
  auto m = measure(
      [&]() -> Status {
        for (int i = 0; i < 1000; ++i) sink = sink + i;
        return Status::Ok();
      },
      o);
  ASSERT_TRUE(m.ok());
  EXPECT_GE(m->samples_ms.size(), 3u);
  for (double s : m->samples_ms) EXPECT_GE(s, 0);
  EXPECT_LE(m->min_ms, m->median_ms);
}

TEST(MeasurementProtocol, OptionsJsonRoundTrip) {
  ProtocolOptions o;
  o.warmup_runs = 7;
  o.min_time_s = 1.25;
  o.cooldown_s = 2;
  auto back = protocol_from_json(protocol_to_json(o));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, o);
  EXPECT_EQ(*protocol_from_json(nlohmann::json::object()), ProtocolOptions{});
  EXPECT_FALSE(protocol_from_json(nlohmann::json{{"min_repeats", "ten"}}).ok());
  EXPECT_FALSE(protocol_from_json(nlohmann::json{{"min_repeats", 0}}).ok());
  EXPECT_FALSE(protocol_from_json(nlohmann::json{{"max_repeats", int64_t{1} << 40}}).ok());
  EXPECT_FALSE(protocol_from_json(nlohmann::json::array()).ok());
}

TEST(MeasurementProtocol, FromSamples) {
  const Measurement m = measurement_from_samples({4, 2, 3});
  EXPECT_EQ(m.samples_ms, (std::vector<double>{4, 2, 3}));
  EXPECT_EQ(m.median_ms, 3);
  EXPECT_EQ(m.min_ms, 2);
  EXPECT_FALSE(m.unstable);
}

// ---- environment

TEST(EnvironmentCpuinfo, X86ModelName) {
  const char* text =
      "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
      "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\ncpu MHz\t\t: 2200.000\n\nprocessor\t: 1\n"
      "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(text), "Intel(R) Xeon(R) CPU @ 2.20GHz");
}

TEST(EnvironmentCpuinfo, ArmFields) {
  const char* android =
      "Processor\t: AArch64 Processor rev 14 (aarch64)\nprocessor\t: 0\nCPU implementer\t: 0x51\n"
      "CPU part\t: 0x805\n\nHardware\t: Qualcomm Technologies, Inc SM8150\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(android), "Qualcomm Technologies, Inc SM8150");
  const char* both = "model name\t: ARMv8 Processor rev 14 (v8l)\nHardware\t: Qualcomm SDM845\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(both), "Qualcomm SDM845 (ARMv8 Processor rev 14 (v8l))");
  const char* bare = "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(bare), "CPU implementer 0x41 part 0xd0c");
  EXPECT_EQ(cpu_model_from_cpuinfo(""), "unknown");
  EXPECT_EQ(cpu_model_from_cpuinfo("garbage without colons\n\n"), "unknown");
}

TEST(EnvironmentMeminfo, MemTotalInMiB) {
  EXPECT_EQ(memory_total_mb_from_meminfo("MemTotal:       16314024 kB\nMemFree:         1000 kB\n"), 15931);
  EXPECT_EQ(memory_total_mb_from_meminfo("MemFree: 1000 kB\n"), 0);
  EXPECT_EQ(memory_total_mb_from_meminfo("MemTotal: lots\n"), 0);
  EXPECT_EQ(memory_total_mb_from_meminfo(""), 0);
  EXPECT_GT(capture_memory_total_mb(), 0);  // every Linux has /proc/meminfo
}

TEST(EnvironmentCapture, FieldsAreFilledOrUnknown) {
  const Environment env = capture_environment();
  EXPECT_FALSE(env.cpu_model.empty());
  EXPECT_GT(env.cpu_cores, 0);
  EXPECT_FALSE(env.cpu_governor.empty());
  EXPECT_EQ(env.kernel.rfind("Linux", 0), 0u) << env.kernel;
  EXPECT_NE(env.hostname, "");
  EXPECT_EQ(env.nnlat_version, NNLAT_VERSION);
  EXPECT_TRUE(std::regex_match(env.time_utc, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << env.time_utc;
  EXPECT_EQ(env.backend, "unknown");  // the caller's fields are left alone
  EXPECT_EQ(env.threads, 0);
}

TEST(EnvironmentJson, RoundTrip) {
  Environment env = capture_environment();
  env.threads = 4;
  env.affinity = {4, 5, 6, 7};
  env.backend = "xnnpack";
  env.backend_version = "2024.01";
  env.kernels = {{"conv1+relu1", "conv2d_winograd4x4", 0.25}, {"fc", "fully_connected_gemv", -1}};
  const nlohmann::json j = environment_to_json(env);
  EXPECT_EQ(j["kernels"][0]["implementation"], "conv2d_winograd4x4");
  EXPECT_EQ(j["affinity"], nlohmann::json({4, 5, 6, 7}));
  auto back = environment_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, env);
  EXPECT_EQ(*environment_from_json(nlohmann::json::object()), Environment{});
  EXPECT_FALSE(environment_from_json(nlohmann::json{{"threads", "four"}}).ok());
  EXPECT_FALSE(environment_from_json(nlohmann::json{{"affinity", {1, "x"}}}).ok());
  EXPECT_FALSE(environment_from_json(nlohmann::json{{"kernels", {{{"name", "a"}}}}}).ok());
  EXPECT_FALSE(environment_to_json(Environment{}).contains("kernels"));  // older records keep their shape
}

TEST(EnvironmentTime, Iso8601) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(1700000000), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace nnlat::measure
