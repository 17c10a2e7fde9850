// `nnlat devices add|remove` and the probe of registered devices (issue 14), with a runner on
// this machine standing in for a phone, and devices that cannot be reached.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

TEST(CliDevices, AddProbeAndRemove) {
  TempDir dir("devices");
  const std::string file = " --devices " + dir.file("devices.json");
  ASSERT_EQ(run_cli("devices add lo --local " + std::string(NNLAT_DEVICE_BINARY) + file).exit_code, 0);
  ASSERT_EQ(run_cli("devices add pixel --adb NO-SUCH-SERIAL --runner /nonexistent/nnlat-device" + file).exit_code, 0);
  auto twice = run_cli("devices add lo --adb x" + file);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("already registered"), std::string::npos) << twice.err;

  auto listed = run_cli("devices --json" + file);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto j = nlohmann::json::parse(listed.out);
  ASSERT_EQ(j["remote_devices"].size(), 2u);
  const auto& lo = j["remote_devices"][0];
  EXPECT_EQ(lo["name"], "lo");
  EXPECT_TRUE(lo["reachable"].get<bool>()) << lo.dump();
  bool has_t1 = false;
  for (const auto& t : lo["targets"]) has_t1 = has_t1 || t == "lo:xnnpack-t1:float";
  EXPECT_TRUE(has_t1) << lo.dump();
  const auto& pixel = j["remote_devices"][1];
  EXPECT_FALSE(pixel["reachable"].get<bool>());
  EXPECT_NE(pixel["error"].get<std::string>().find("pixel"), std::string::npos) << pixel.dump();

  auto text = run_cli("devices" + file);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("NOT REACHABLE"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("lo:xnnpack-t1:float"), std::string::npos) << text.out;

  ASSERT_EQ(run_cli("devices remove pixel" + file).exit_code, 0);
  auto gone = run_cli("devices remove pixel" + file);
  EXPECT_EQ(gone.exit_code, 2);
  auto after = nlohmann::json::parse(run_cli("devices --json" + file).out);
  EXPECT_EQ(after["remote_devices"].size(), 1u);
}

TEST(CliDevices, AMalformedDevicesFileIsACleanError) {
  TempDir dir("devices_bad");
  const std::string path = dir.file("devices.json");
  { std::ofstream(path) << "{\"format\": \"nnlat-devices\", \"version\": 1, \"devices\": 3}"; }
  auto r = run_cli("devices --devices " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nnlat
