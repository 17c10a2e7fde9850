// The host side of the device runner (issue 14): nnlat-device started as a subprocess, the
// way ssh and adb will start it on a device, and runners that misbehave: one that cannot
// start, one of another protocol version, one that falls silent, one that dies mid-session.
#include "nnlat/backends/runner_client.hpp"

#include <gtest/gtest.h>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat {
namespace {

using namespace std::chrono_literals;
using backends::RunnerClient;

backends::MeasureRequest tiny_request(const std::string& id, const std::string& target) {
  auto g = models::load_model("zoo:mobilenet_v2?width=0.35&res=32");
  EXPECT_TRUE(g.ok());
  backends::MeasureRequest r;
  r.id = id;
  r.target = target;
  r.graph = nlohmann::json::parse(formats::graph_to_json(*g));
  r.protocol.warmup_runs = 1;
  r.protocol.min_repeats = 3;
  r.protocol.min_time_s = 0;
  r.protocol.max_remeasure = 0;
  return r;
}

TEST(RunnerClient, MeasuresThroughTheRunnerAndPassesItsErrorsOn) {
  auto client = RunnerClient::start({NNLAT_DEVICE_BINARY}, "lo", 30s);
  ASSERT_TRUE(client.ok()) << client.error().message;
  EXPECT_EQ((*client)->hello().version, backends::kRunnerProtocolVersion);
  EXPECT_FALSE((*client)->hello().targets.empty());
  auto m = (*client)->measure(tiny_request("n1", "local:xnnpack-t1:float"), 60s);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->id, "n1");
  EXPECT_EQ(m->measurement.samples_ms.size(), 3u);
  EXPECT_GT(m->measurement.median_ms, 0.0);
  // A request the runner refuses is an error naming the device and the target; the session goes on.
  auto refused = (*client)->measure(tiny_request("n2", "local:nosuch:float"), 60s);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("lo: "), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("local:nosuch:float"), std::string::npos) << refused.error().message;
  EXPECT_TRUE((*client)->alive());
  auto again = (*client)->measure(tiny_request("n3", "local:reference:float"), 60s);
  EXPECT_TRUE(again.ok()) << again.error().message;
}

TEST(RunnerClient, ACommandThatCannotStartIsAClearError) {
  auto client = RunnerClient::start({"/nonexistent/nnlat-device"}, "phone", 5s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().message.find("phone: cannot start the runner"), std::string::npos) << client.error().message;
  EXPECT_EQ(client.error().code, ErrorCode::kNotFound);  // what `nnlat devices deploy` fixes
}

TEST(RunnerClient, AShellThatFindsNoRunnerIsToldApartFromOtherExits) {
  // Over ssh and adb the device's shell reports a missing runner as status 127 (126: not
  // executable): kNotFound, the runner is not there, unlike any other exit.
  auto missing = RunnerClient::start(
      {"sh", "-c", "echo 'sh: nnlat/nnlat-device: not found' >&2; exit 127", "nnlat/nnlat-device"}, "pi4", 5s);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
  EXPECT_NE(missing.error().message.find("not found"), std::string::npos) << missing.error().message;
  auto other = RunnerClient::start({"sh", "-c", "exit 3"}, "pi4", 5s);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kIoError) << other.error().message;
}

TEST(RunnerClient, AnotherProtocolVersionIsRefused) {
  auto client = RunnerClient::start(
      {"sh", "-c",
       R"(echo '{"type":"hello","version":99,"runner_version":"9.9","environment":{},"targets":[]}'; sleep 10)"},
      "old", 5s);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().message.find("protocol version 99"), std::string::npos) << client.error().message;
  EXPECT_EQ(client.error().code, ErrorCode::kUnsupported);  // also fixed by deploying this build's runner
}

TEST(RunnerClient, ASilentRunnerIsTimedOutAndADeadOneNamed) {
  const auto start = std::chrono::steady_clock::now();
  auto silent = RunnerClient::start({"sh", "-c", "sleep 30"}, "board", 300ms);
  ASSERT_FALSE(silent.ok());
  EXPECT_NE(silent.error().message.find("did not answer within"), std::string::npos) << silent.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);  // killed, not waited for

  auto dead = RunnerClient::start({"sh", "-c", "echo 'no such device' >&2; exit 3"}, "pi4", 5s);
  ASSERT_FALSE(dead.ok());
  EXPECT_NE(dead.error().message.find("exited with status 3"), std::string::npos) << dead.error().message;
  EXPECT_NE(dead.error().message.find("no such device"), std::string::npos) << dead.error().message;
}

TEST(RunnerClient, ARunnerThatDiesMidSessionIsAnErrorNotACrash) {
  // A hello, then the runner dies when the first request arrives: the request fails, naming it.
  const std::string hello = R"({"type":"hello","version":)" + std::to_string(backends::kRunnerProtocolVersion) +
                            R"(,"runner_version":"x","environment":{},"clusters":[],"targets":[]})";
  auto client = RunnerClient::start({"sh", "-c", "echo '" + hello + "'; read line; exit 7"}, "pixel", 5s);
  ASSERT_TRUE(client.ok()) << client.error().message;
  auto m = (*client)->measure(tiny_request("a", "local:reference:float"), 5s);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("pixel: the runner"), std::string::npos) << m.error().message;
  EXPECT_FALSE((*client)->alive());
  auto after = (*client)->measure(tiny_request("b", "local:reference:float"), 5s);
  EXPECT_FALSE(after.ok());
}

}  // namespace
}  // namespace nnlat
