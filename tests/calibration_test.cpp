// Drift calibration (predictors/calibration.hpp) and the device state read around each
// measurement (measure/device_state.hpp), issue 13.
#include "nnlat/predictors/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nnlat/measure/device_state.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat {
namespace {

using predictors::ReferenceFigure;

TEST(Calibration, FactorIsTheGeometricMeanOverSharedReferences) {
  const std::vector<ReferenceFigure> then = {{"a", "net-a", 2.0, 6}, {"b", "net-b", 1.0, 6}, {"c", "net-c", 5.0, 6}};
  // a is 20% slower now, b 5% faster; c was not measured now, d was not measured then.
  const std::vector<ReferenceFigure> now = {{"a", "net-a", 2.4, 3}, {"b", "net-b", 0.95, 3}, {"d", "net-d", 9.0, 3}};
  auto c = predictors::calibrate(then, now);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->networks, 2);
  ASSERT_EQ(c->ratios.size(), 2u);
  EXPECT_NEAR(c->factor, std::sqrt(1.2 * 0.95), 1e-12);
}

TEST(Calibration, NothingToCalibrateAgainstIsAnErrorThatSaysWhy) {
  auto none_trained = predictors::calibrate({}, {{"a", "net-a", 1.0, 1}});
  ASSERT_FALSE(none_trained.ok());
  EXPECT_NE(none_trained.error().message.find("--references"), std::string::npos);
  auto disjoint = predictors::calibrate({{"a", "net-a", 1.0, 1}}, {{"b", "net-b", 1.0, 1}});
  ASSERT_FALSE(disjoint.ok());
  EXPECT_EQ(disjoint.error().code, ErrorCode::kNotFound);
}

TEST(Calibration, AppliedToEveryFigureOfAPrediction) {
  predictors::NetworkPrediction p;
  p.latency_ms = 10;
  p.low_ms = 8;
  p.high_ms = 12;
  p.kernel_sum_ms = 9;
  p.kernels.resize(2);
  p.kernels[0].latency_ms = 4;
  p.kernels[1].latency_ms = 5;
  predictors::apply_calibration(p, 1.1);
  EXPECT_DOUBLE_EQ(p.latency_ms, 11);
  EXPECT_DOUBLE_EQ(p.low_ms, 8.8);
  EXPECT_DOUBLE_EQ(p.high_ms, 13.2);
  EXPECT_DOUBLE_EQ(p.kernel_sum_ms, 9.9);
  EXPECT_DOUBLE_EQ(p.kernels[0].latency_ms, 4.4);
  EXPECT_DOUBLE_EQ(p.kernels[1].latency_ms, 5.5);
}

TEST(Calibration, ReferencesRoundTripAndMalformedOnesAreRefused) {
  const std::vector<ReferenceFigure> refs = {{"h1", "mobilenet_v2", 0.45, 24}, {"h2", "resnet18", 0.18, 24}};
  auto back = predictors::references_from_json(predictors::references_to_json(refs));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].hash, "h2");
  EXPECT_EQ((*back)[1].name, "resnet18");
  EXPECT_DOUBLE_EQ((*back)[1].median_ms, 0.18);
  EXPECT_EQ((*back)[1].measurements, 24);
  for (const char* bad : {R"({"hash": "h"})", R"([{"hash": "h", "name": "n", "median_ms": 0, "measurements": 1}])",
                          R"([{"hash": "h", "name": "n", "median_ms": -1, "measurements": 1}])",
                          R"([{"hash": 3, "name": "n", "median_ms": 1, "measurements": 1}])",
                          R"([{"hash": "h", "name": "n", "median_ms": 1}])"}) {
    auto r = predictors::references_from_json(nlohmann::json::parse(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParseError) << bad;
  }
}

class DeviceStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("nnlat-sys-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& relative, const std::string& text) {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::filesystem::path root_;
};

TEST_F(DeviceStateTest, ReadsFrequenciesAndTemperaturesFromAFakeSysTree) {
  write("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2600000\n");  // kHz
  write("devices/system/cpu/cpu1/cpufreq/scaling_cur_freq", "1800000\n");
  write("class/thermal/thermal_zone0/temp", "45500\n");  // milli-degrees
  const auto s = measure::capture_device_state(root_.string());
  ASSERT_EQ(s.cpu_mhz.size(), 2u);
  EXPECT_DOUBLE_EQ(s.cpu_mhz[0], 2600);
  EXPECT_DOUBLE_EQ(s.cpu_mhz[1], 1800);
  ASSERT_EQ(s.temperatures_c.size(), 1u);
  EXPECT_DOUBLE_EQ(s.temperatures_c[0], 45.5);
  auto back = measure::device_state_from_json(measure::device_state_to_json(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
}

TEST_F(DeviceStateTest, ReadsEachCpusGovernorUntilTheFirstWithout) {
  write("devices/system/cpu/cpu0/cpufreq/scaling_governor", "schedutil\n");
  write("devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n");
  write("devices/system/cpu/cpu3/cpufreq/scaling_governor", "powersave\n");  // after a gap: not read
  EXPECT_EQ(measure::capture_cpu_governors(root_.string()), (std::vector<std::string>{"schedutil", "performance"}));
  EXPECT_TRUE(measure::capture_cpu_governors((root_ / "missing").string()).empty());
}

TEST_F(DeviceStateTest, WhatIsNotReadableIsLeftOut) {
  write("devices/system/cpu/cpu0/online", "1\n");  // a CPU without cpufreq (a VM)
  const auto s = measure::capture_device_state(root_.string());
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(measure::device_state_to_json(s).empty());
  EXPECT_TRUE(measure::capture_device_state((root_ / "missing").string()).empty());
  EXPECT_FALSE(measure::device_state_from_json(nlohmann::json::parse(R"({"cpu_mhz": ["fast"]})")).ok());
  EXPECT_FALSE(measure::device_state_from_json(nlohmann::json::parse(R"({"cpu_mhz": 3})")).ok());
  EXPECT_FALSE(measure::device_state_from_json(nlohmann::json::array()).ok());
}

TEST(DeviceStateBounds, AClockDropOrATemperatureRiseBeyondItsBoundIsNamed) {
  measure::DeviceState before{.cpu_mhz = {2400, 1800, 1000}, .temperatures_c = {40, 50}};
  auto after = before;
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.1, 5));
  after.cpu_mhz = {2200, 1800, 300};  // the fastest CPU lost 8%, an idle one more: no throttling
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.1, 5));
  after.cpu_mhz = {2000, 1800, 1000};  // the fastest lost 17%
  const auto why = measure::state_change_beyond(before, after, 0.1, 5);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("2400 to 2000 MHz"), std::string::npos) << *why;
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.2, 5));
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0, 5));  // 0: not checked
  // Only the CPUs the run was pinned to count: CPU 1 kept its clock.
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.1, 5, std::vector<int>{1}));
  EXPECT_TRUE(measure::state_change_beyond(before, after, 0.1, 5, std::vector<int>{0, 1}));

  after = before;
  after.temperatures_c = {40, 56};
  const auto warm = measure::state_change_beyond(before, after, 0.1, 5);
  ASSERT_TRUE(warm);
  EXPECT_NE(warm->find("thermal_zone1"), std::string::npos) << *warm;
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.1, 7));
  EXPECT_FALSE(measure::state_change_beyond(before, after, 0.1, 0));
  // What was not read on both sides is not compared.
  EXPECT_FALSE(measure::state_change_beyond(before, measure::DeviceState{}, 0.1, 5));
}

}  // namespace
}  // namespace nnlat
