// The device runner's protocol and serving loop (issue 14), in process: what nnlat-device
// answers to good, bad and unknown lines, and that every message survives a JSON round trip.
#include "nnlat/backends/device_runner.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat {
namespace {

using backends::MeasureRequest;

nlohmann::json tiny_graph() {
  auto g = models::load_model("zoo:mobilenet_v2?width=0.35&res=32");
  EXPECT_TRUE(g.ok());
  return nlohmann::json::parse(formats::graph_to_json(*g));
}

MeasureRequest request(const std::string& id, const std::string& target) {
  MeasureRequest r;
  r.id = id;
  r.target = target;
  r.graph = tiny_graph();
  r.protocol.warmup_runs = 1;
  r.protocol.min_repeats = 3;
  r.protocol.min_time_s = 0;
  r.protocol.max_remeasure = 0;
  r.weight_seed = 7;
  return r;
}

// Serves `lines` and returns the answers, one parsed JSON object per line.
std::vector<nlohmann::json> serve(const std::vector<std::string>& lines) {
  std::stringstream in;
  for (const auto& l : lines) in << l << "\n";
  std::stringstream out;
  EXPECT_TRUE(backends::serve_device_runner(in, out, "test").ok());
  std::vector<nlohmann::json> answers;
  std::string line;
  while (std::getline(out, line)) answers.push_back(nlohmann::json::parse(line));
  return answers;
}

TEST(DeviceRunner, GreetsThenAnswersEachRequestInOrderAndGoesOnAfterBadOnes) {
  const auto answers =
      serve({backends::to_json(request("a", "local:xnnpack-t1:float")).dump(), "{not json", R"({"type": "launch"})",
             R"({"type": "measure", "id": "c"})", backends::to_json(request("d", "local:xnnpack-t99x:float")).dump(),
             "", backends::to_json(request("e", "local:reference:float")).dump()});
  ASSERT_EQ(answers.size(), 7u);
  auto hello = backends::hello_from_json(answers[0]);
  ASSERT_TRUE(hello.ok()) << hello.error().message;
  EXPECT_EQ(hello->version, backends::kRunnerProtocolVersion);
  EXPECT_EQ(hello->runner_version, "test");
  EXPECT_FALSE(hello->targets.empty());
  EXPECT_NE(hello->environment.machine, measure::kUnknown);

  auto a = backends::measure_result_from_json(answers[1]);
  ASSERT_TRUE(a.ok()) << answers[1].dump();
  EXPECT_EQ(a->id, "a");
  EXPECT_EQ(a->measurement.samples_ms.size(), 3u);
  EXPECT_GT(a->measurement.median_ms, 0.0);
  EXPECT_EQ(a->environment.backend, "xnnpack");
  EXPECT_EQ(a->environment.threads, 1);

  auto unreadable = backends::runner_error_from_json(answers[2]);
  ASSERT_TRUE(unreadable.ok());
  EXPECT_EQ(unreadable->id, "");
  EXPECT_NE(unreadable->message.find("request line 2"), std::string::npos) << unreadable->message;
  auto unknown = backends::runner_error_from_json(answers[3]);
  ASSERT_TRUE(unknown.ok());
  EXPECT_NE(unknown->message.find("\"launch\""), std::string::npos) << unknown->message;
  auto incomplete = backends::runner_error_from_json(answers[4]);
  ASSERT_TRUE(incomplete.ok());
  EXPECT_EQ(incomplete->id, "c");
  EXPECT_NE(incomplete->message.find("missing \"target\""), std::string::npos) << incomplete->message;
  auto bad_target = backends::runner_error_from_json(answers[5]);
  ASSERT_TRUE(bad_target.ok());
  EXPECT_EQ(bad_target->id, "d");
  EXPECT_NE(bad_target->message.find("local:xnnpack-t99x:float"), std::string::npos) << bad_target->message;

  auto e = backends::measure_result_from_json(answers[6]);  // the empty line was skipped
  ASSERT_TRUE(e.ok()) << answers[6].dump();
  EXPECT_EQ(e->environment.backend, "reference");
}

// The steady warm-up and --cold-cache travel in the request and the runner applies them as a
// local campaign does (the same backends::measure_prepared), then says what it applied.
TEST(DeviceRunner, AppliesTheSteadyWarmupAndTheColdCacheItIsAskedFor) {
  auto asked = request("w", "local:xnnpack-t1:float");
  asked.cold_cache = true;
  asked.steady_warmup_s = 30;
  asked.steady_tolerance = 0.9;  // any two windows within 90%: steady after the second
  const auto answers =
      serve({backends::to_json(asked).dump(), backends::to_json(request("p", "local:xnnpack-t1:float")).dump()});
  ASSERT_EQ(answers.size(), 3u);
  auto w = backends::measure_result_from_json(answers[1]);
  ASSERT_TRUE(w.ok()) << answers[1].dump();
  EXPECT_EQ(w->warmup.windows, 2);
  EXPECT_TRUE(w->warmup.steady);
  EXPECT_GT(w->warmup.last_median_ms, 0.0);
  // One flush before each timed run: three runs, one attempt (request() sets no re-measurement).
  EXPECT_EQ(w->cache_flushes, 3u);
  EXPECT_EQ(w->measurement.samples_ms.size(), 3u);
  auto p = backends::measure_result_from_json(answers[2]);
  ASSERT_TRUE(p.ok()) << answers[2].dump();
  EXPECT_EQ(p->warmup.windows, 0);
  EXPECT_EQ(p->cache_flushes, 0u);
}

TEST(DeviceRunner, ByeEndsTheSession) {
  const auto answers =
      serve({R"({"type": "bye"})", backends::to_json(request("late", "local:reference:float")).dump()});
  ASSERT_EQ(answers.size(), 1u);  // the hello only
  EXPECT_EQ(answers[0]["type"], "hello");
}

TEST(DeviceRunner, AHostThatIsGoneIsAnError) {
  std::stringstream in(backends::to_json(request("a", "local:reference:float")).dump() + "\n");
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_FALSE(backends::serve_device_runner(in, out, "test").ok());
}

TEST(RunnerProtocol, MessagesRoundTripAndMalformedOnesNameTheField) {
  auto r = backends::measure_request_from_json(backends::to_json(request("x", "local:xnnpack-t2:float")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "x");
  EXPECT_EQ(r->target, "local:xnnpack-t2:float");
  EXPECT_EQ(r->weight_seed, 7u);
  EXPECT_EQ(r->protocol.min_repeats, 3);
  EXPECT_EQ(r->graph, tiny_graph());
  EXPECT_FALSE(r->cold_cache);
  EXPECT_EQ(r->steady_warmup_s, 0.0);
  auto warm = request("y", "local:xnnpack-t2:float");
  warm.cold_cache = true;
  warm.steady_warmup_s = 10;
  warm.steady_tolerance = 0.05;
  auto w = backends::measure_request_from_json(backends::to_json(warm));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_TRUE(w->cold_cache);
  EXPECT_EQ(w->steady_warmup_s, 10.0);
  EXPECT_EQ(w->steady_tolerance, 0.05);
  auto no_cold = backends::to_json(warm);
  no_cold.erase("cold_cache");  // a host of protocol version 2
  auto old_host = backends::measure_request_from_json(no_cold);
  ASSERT_FALSE(old_host.ok());
  EXPECT_NE(old_host.error().message.find("cold_cache"), std::string::npos);

  backends::MeasureResult result;
  result.id = "x";
  result.measurement = measure::measurement_from_samples({1.0, 1.2, 1.1});
  result.environment.backend = "xnnpack";
  result.environment.kernels = {{"conv", "gemm", 0.5}};
  result.warmup = {.windows = 4, .steady = true, .last_median_ms = 1.25};
  result.cache_flushes = 12;
  auto back = backends::measure_result_from_json(backends::to_json(result));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->warmup.windows, 4);
  EXPECT_TRUE(back->warmup.steady);
  EXPECT_EQ(back->warmup.last_median_ms, 1.25);
  EXPECT_EQ(back->cache_flushes, 12u);
  EXPECT_EQ(back->measurement.samples_ms, result.measurement.samples_ms);
  EXPECT_DOUBLE_EQ(back->measurement.median_ms, 1.1);
  EXPECT_EQ(back->environment, result.environment);

  auto j = backends::to_json(result);
  j["measurement"]["samples_ms"] = nlohmann::json::array();
  auto empty = backends::measure_result_from_json(j);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("samples_ms"), std::string::npos);
  auto wrong_type = backends::hello_from_json(backends::to_json(result));
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().message.find("expected a \"hello\""), std::string::npos);
  auto seed = backends::to_json(request("x", "local:reference:float"));
  seed["weight_seed"] = -1;
  auto negative = backends::measure_request_from_json(seed);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("weight_seed"), std::string::npos);
}

backends::CheckRequest check_request(const std::string& id, const std::string& target) {
  backends::CheckRequest r;
  r.id = id;
  r.target = target;
  r.graph = tiny_graph();
  r.weight_seed = 7;
  return r;
}

TEST(DeviceRunner, ChecksATargetAgainstItsReferenceLoops) {
  auto bad = backends::to_json(check_request("b", "local:xnnpack-t1:float"));
  bad["input_lo"] = 2;  // above input_hi
  const auto answers = serve({backends::to_json(check_request("a", "local:xnnpack-t1:float")).dump(), bad.dump(),
                              backends::to_json(check_request("c", "local:nosuch:float")).dump()});
  ASSERT_EQ(answers.size(), 4u);
  auto checked = backends::check_result_from_json(answers[1]);
  ASSERT_TRUE(checked.ok()) << answers[1].dump();
  EXPECT_EQ(checked->id, "a");
  EXPECT_EQ(checked->outputs, 1);
  EXPECT_LE(checked->max_relative_error, 1e-4);
  EXPECT_GE(checked->max_relative_error, 0.0);
  auto bad_answer = backends::runner_error_from_json(answers[2]);
  ASSERT_TRUE(bad_answer.ok()) << answers[2].dump();
  EXPECT_EQ(bad_answer->id, "b");
  EXPECT_NE(bad_answer->message.find("input_lo"), std::string::npos) << bad_answer->message;
  auto unknown = backends::runner_error_from_json(answers[3]);
  ASSERT_TRUE(unknown.ok()) << answers[3].dump();
  EXPECT_NE(unknown->message.find("local:nosuch:float"), std::string::npos) << unknown->message;
}

TEST(RunnerProtocol, TheHelloCarriesTheClusters) {
  backends::RunnerHello hello;
  hello.runner_version = "1.0";
  hello.clusters = {{"large", 2841.6, {7}}, {"small", 1785.6, {0, 1, 2, 3}}};
  hello.targets = {{"local:xnnpack-1large:float", "xnnpack", "XNNPACK on 1 large core"}};
  auto back = backends::hello_from_json(backends::to_json(hello));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->clusters, hello.clusters);
  auto j = backends::to_json(hello);
  j["clusters"][1]["cpus"] = {0, -1};
  auto bad = backends::hello_from_json(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cpus"), std::string::npos) << bad.error().message;
}

TEST(RunnerProtocol, TheHelloCarriesBuildMemoryClocksAndGovernorsOptionally) {
  backends::RunnerHello hello;
  hello.runner_version = "1.0";
  hello.build = "0123456789abcdef";
  hello.memory_mb = 7812;
  hello.state = {.cpu_mhz = {1785.6, 2841.6}, .temperatures_c = {41.5}};
  hello.governors = {"schedutil", "performance"};
  auto back = backends::hello_from_json(backends::to_json(hello));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->build, hello.build);
  EXPECT_EQ(back->memory_mb, hello.memory_mb);
  EXPECT_EQ(back->state, hello.state);
  EXPECT_EQ(back->governors, hello.governors);
  // A runner of this protocol version that does not send them (an older build) is read as unknown.
  auto j = backends::to_json(hello);
  for (const char* key : {"build", "memory_mb", "state", "governors"}) j.erase(key);
  auto older = backends::hello_from_json(j);
  ASSERT_TRUE(older.ok()) << older.error().message;
  EXPECT_EQ(older->build, "");
  EXPECT_EQ(older->memory_mb, 0);
  EXPECT_TRUE(older->state.empty());
  EXPECT_TRUE(older->governors.empty());
  // When present, they are checked.
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{{"build", 3},
                                                                                      {"memory_mb", -1},
                                                                                      {"memory_mb", "8G"},
                                                                                      {"state", {{"cpu_mhz", "fast"}}},
                                                                                      {"governors", {1}}}) {
    auto bad_json = backends::to_json(hello);
    bad_json[key] = value;
    auto bad = backends::hello_from_json(bad_json);
    ASSERT_FALSE(bad.ok()) << key << " " << value.dump();
    EXPECT_NE(bad.error().message.find(key), std::string::npos) << bad.error().message;
  }
}

TEST(DeviceRunner, TheLocalHelloDescribesThisMachineAndTheRunnersBuild) {
  const auto hello = backends::local_hello("test", "0123456789abcdef");
  EXPECT_EQ(hello.build, "0123456789abcdef");
  EXPECT_GT(hello.memory_mb, 0);
  // The build id hashes the running executable (this test program): 16 hex digits, the same twice.
  const std::string id = backends::runner_build_id(nullptr);
  EXPECT_EQ(id.size(), 16u) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  EXPECT_EQ(backends::runner_build_id(nullptr), id);
}

TEST(RunnerProtocol, CheckMessagesRoundTripAndAnInfiniteErrorTravelsAsNull) {
  auto request = check_request("k", "local:xnnpack-t1:quant");
  request.input_seed = 5;
  request.input_lo = -2;
  request.input_hi = 3;
  auto back = backends::check_request_from_json(backends::to_json(request));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->input_seed, 5u);
  EXPECT_EQ(back->input_lo, -2);
  EXPECT_EQ(back->input_hi, 3);
  EXPECT_EQ(back->graph, request.graph);

  const auto nan_output = backends::to_json(backends::CheckResult{"k", INFINITY, 2});
  EXPECT_TRUE(nan_output["max_relative_error"].is_null());
  auto result = backends::check_result_from_json(nlohmann::json::parse(nan_output.dump()));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(std::isinf(result->max_relative_error));  // never read as a perfect 0
  auto j = backends::to_json(request);
  j.erase("input_seed");
  auto missing = backends::check_request_from_json(j);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("input_seed"), std::string::npos);
}

}  // namespace
}  // namespace nnlat
