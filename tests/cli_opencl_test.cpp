// The profile → eval loop on the OpenCL target through the real CLI (CI: pocl's CPU device),
// with tiny fast-protocol runs: structure and error handling, not timing quality. Skipped
// when there is no OpenCL device; a machine without an OpenCL platform is simulated by
// pointing the ICD loader at an empty vendor directory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/predictors/training_set.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

constexpr const char* kFast =
    " --warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0 --quiet --rounds 1"
    " --references none";

TEST(CliOpenCl, ProfileNetworksAndKernelsThenEvalWithFiveFolds) {
  const auto devices = backends::list_opencl_devices();
  if (devices.empty()) GTEST_SKIP() << "no OpenCL platform/device on this machine (install pocl-opencl-icd)";
  const std::string target = " --target local:" + devices.front().target_config + ":float";
  TempDir dir("cli_opencl");
  const std::string db = dir.file("m.db"), nets = " " + dir.file("nb201");
  ASSERT_EQ(run_cli("sample nb201 --n 10 --seed 4 --out" + nets).exit_code, 0);

  auto profiled = run_cli("profile networks" + target + " --db " + db + nets + kFast + " --json");
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  auto j = nlohmann::json::parse(profiled.out);
  EXPECT_EQ(j["measured"], 10);
  for (const auto& item : j["items"]) {
    EXPECT_GT(item["median_ms"].get<double>(), 0.0);
    // Kernels timed on the device: their sum and the host-side gap are reported.
    ASSERT_TRUE(item.contains("device_ms")) << item.dump();
    EXPECT_GT(item["device_ms"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(item["gap_ms"].get<double>(), item["median_ms"].get<double>() - item["device_ms"].get<double>());
  }
  // Every measurement records each kernel's implementation and device time.
  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok()) << store.error().message;
  size_t rows = 0;
  ASSERT_TRUE(store
                  ->for_each_measurement(std::nullopt,
                                         [&](const store::MeasurementRow& row) {
                                           auto env = nlohmann::json::parse(row.environment_json);
                                           EXPECT_FALSE(env["kernels"].empty());
                                           for (const auto& k : env["kernels"]) {
                                             EXPECT_FALSE(k["implementation"].get<std::string>().empty());
                                             EXPECT_GE(k["device_ms"].get<double>(), 0.0);
                                           }
                                           ++rows;
                                           return Status::Ok();
                                         })
                  .ok());
  EXPECT_EQ(rows, 10u);
  // ... and the per-kernel breakdown (kernel_timings) lines up with the tflite-gpu kernels,
  // so the training set takes each network's kernels as in-network rows.
  const std::string target_name = "local:" + devices.front().target_config + ":float";
  auto timings = store->kernel_timings(target_name);
  ASSERT_TRUE(timings.ok()) << timings.error().message;
  EXPECT_EQ(timings->size(), 10u);
  auto data = predictors::load_training_set(*store, target_name, "tflite-gpu");
  ASSERT_TRUE(data.ok()) << data.error().message;
  size_t in_network = 0;
  for (const auto& k : data->kernels) in_network += k.network ? 1 : 0;
  EXPECT_GT(in_network, 10u);

  // Kernels default to the GPU delegate's fusions (tflite-gpu) on an OpenCL target.
  auto kernels = run_cli("profile kernels" + target + " --db " + db + " --from" + nets + kFast + " --json");
  ASSERT_EQ(kernels.exit_code, 0) << kernels.err;
  EXPECT_GT(nlohmann::json::parse(kernels.out)["measured"].get<int>(), 0);

  auto eval = run_cli("eval --db " + db + target + " --method opwise-gbdt --cv 5 --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  auto e = nlohmann::json::parse(eval.out);
  EXPECT_EQ(e["n"].get<int>(), 10);
  EXPECT_GE(e["mape"].get<double>(), 0.0);

  auto stats = run_cli("db stats --db " + db + " --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["per_target"][0]["backend"], "opencl");

  // fp16 storage is a target of its own.
  const std::string half = " --target local:" + devices.front().target_config + ":fp16";
  auto fp16 = run_cli("profile networks" + half + " --db " + db + " 'zoo:mobilenet_v2?width=0.35&res=32'" + kFast);
  ASSERT_EQ(fp16.exit_code, 0) << fp16.err;
  auto both = nlohmann::json::parse(run_cli("db stats --db " + db + " --json").out);
  EXPECT_EQ(both["targets"], 2);
}

TEST(CliOpenCl, WithoutAPlatformDevicesStillListsTheCpuAndProfilingFailsCleanly) {
  TempDir empty("no_icd");
  const std::string env = "OCL_ICD_VENDORS=" + empty.path().string() + " ";
  auto devices = run_cli("devices");
  ASSERT_EQ(devices.exit_code, 0) << devices.err;
  EXPECT_NE(devices.out.find("local:xnnpack-t1:float"), std::string::npos);
  // The ICD loader reads OCL_ICD_VENDORS: an empty directory means no OpenCL platform.
  auto none = testing::run_cli_with_env(env, "devices");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("local:xnnpack-t1:float"), std::string::npos);
  EXPECT_NE(none.out.find("OpenCL: no platform found"), std::string::npos) << none.out;
  EXPECT_EQ(none.out.find("local:opencl-"), std::string::npos) << none.out;

  TempDir dir("cli_opencl_missing");
  auto profile = testing::run_cli_with_env(env, "profile networks --target local:opencl-pocl:float --db " +
                                                    dir.file("m.db") + " 'zoo:mobilenet_v2?width=0.35&res=32'" + kFast);
  EXPECT_EQ(profile.exit_code, 2) << profile.out;
  EXPECT_NE(profile.err.find("no OpenCL"), std::string::npos) << profile.err;
}

}  // namespace
}  // namespace nnlat
