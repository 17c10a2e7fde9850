// `nnlat predict --target` and `nnlat predictors` through the real binary: a phone GPU
// prediction from the shipped data with no store (the real path: the whole data, trained on
// first use into a fresh cache), the listing, bad input, and two processes building at once.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "ready_data_cut.hpp"

namespace nnlat {
namespace {

namespace fs = std::filesystem;
using testing::run_cli_with_env;
using testing::TempDir;

class CliReady : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = new TempDir("cli_ready"); }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  // The source tree's data (the build-time default) and this suite's own cache.
  static std::string env() { return "NNLAT_DATA_DIR= NNLAT_CACHE_DIR=" + dir_->file("cache") + " "; }
  static TempDir* dir_;
};
TempDir* CliReady::dir_ = nullptr;

TEST_F(CliReady, PredictOnAPhoneGpuWithNoStoreThenListIt) {
  auto pred = run_cli_with_env(env(), "predict --target pixel4:gpu:float zoo:mobilenet_v2 --json");
  ASSERT_EQ(pred.exit_code, 0) << pred.err;
  const auto j = nlohmann::json::parse(pred.out);
  EXPECT_EQ(j["target"], "pixel4:gpu:float");
  EXPECT_EQ(j["method"], "opwise-gbdt");
  const double ms = j["latency_ms"].get<double>();
  EXPECT_TRUE(std::isfinite(ms) && ms > 0) << ms;
  EXPECT_FALSE(j["kernels"].empty());
  EXPECT_NE(pred.err.find("training opwise-gbdt"), std::string::npos) << pred.err;  // first use said so

  // Second use: served from the cache, nothing trained, the same figure.
  auto again = run_cli_with_env(env(), "predict --target pixel4:gpu:float zoo:mobilenet_v2 --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("training"), std::string::npos) << again.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(again.out)["latency_ms"].get<double>(), ms);

  // NAS encodings on the same ready target through the fast path (GPU rules, mbv2 spliced
  // from segments): the figures of predict on the references.
  const std::string mbv2[] = {
      "k3e6-k5e3se-k7e6hs-skip-k3e1-k5e6-skip-skip-k3e3sehs-k7e1-skip-k3e6-k5e3-skip-k3e6-k7e6",
      "k7e1sehs-skip-k5e3se-skip-skip-k3e6hs-skip-skip-skip-k7e6sehs-skip-skip-k5e1-skip-skip-k3e3"};
  const std::string cells = dir_->file("mbv2.txt");
  write_file_atomic(cells, mbv2[0] + "\n" + mbv2[1] + "\n").ok();
  auto fast = run_cli_with_env(env(), "predict --target pixel4:gpu:float --encodings " + cells + " --space mbv2");
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  auto generic =
      run_cli_with_env(env(), "predict --target pixel4:gpu:float --json --no-breakdown space:mbv2:" + mbv2[0] +
                                  " space:mbv2:" + mbv2[1]);
  ASSERT_EQ(generic.exit_code, 0) << generic.err;
  std::istringstream fast_lines(fast.out);
  std::istringstream generic_lines(generic.out);
  for (const auto& e : mbv2) {
    std::string f, g;
    ASSERT_TRUE(std::getline(fast_lines, f) && std::getline(generic_lines, g)) << fast.out << generic.out;
    EXPECT_EQ(std::stod(f), nlohmann::json::parse(g)["latency_ms"].get<double>()) << e;
  }

  auto list = run_cli_with_env(env(), "predictors --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto l = nlohmann::json::parse(list.out);
  size_t built = 0;
  size_t targets = 0;
  for (const auto& p : l["predictors"]) {
    ++targets;
    if (!p["built"].get<bool>()) {
      EXPECT_TRUE(p["cv_mape"].is_null()) << p;
      continue;
    }
    ++built;
    EXPECT_EQ(p["target"], "pixel4:gpu:float");
    EXPECT_EQ(p["networks"], 102);
    const double mape = p["cv_mape"].get<double>();
    const double within = p["cv_within_10"].get<double>();
    EXPECT_TRUE(std::isfinite(mape) && mape > 0 && mape < 1) << mape;
    EXPECT_TRUE(within >= 0 && within <= 1) << within;
    EXPECT_TRUE(predictors::LatencyPredictor::load(p["path"].get<std::string>()).ok());
  }
  EXPECT_EQ(built, 1u);
  // Every setting of both end-to-end files: 10 + 9 float and quant settings on pixel4 and s10,
  // 7 + 6 on iphonexs, under TFLite and under PyTorch Mobile (read from the data, counted here
  // by hand from the headers).
  EXPECT_EQ(targets, 102u);
  auto text = run_cli_with_env(env(), "predictors");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("pixel4:gpu:float"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1 of 102 built"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pixel4:torch-vulkan:float"), std::string::npos) << text.out;
}

// A vision transformer on a phone CPU core set: the ready predictor runs end to end on the
// zoo's graph, routed to the core set's model trained with the transformers (recipe 4).
TEST_F(CliReady, PredictAZooTransformerOnAPhoneCpuCoreSet) {
  const fs::path data = fs::path(NNLAT_SOURCE_DIR) / "data" / "mobile-ml-benchmark" / "tflite_cnn_e2e.csv";
  if (!fs::exists(data)) GTEST_SKIP() << data << " not found";
  auto pred = run_cli_with_env(env(), "predict --target pixel4:1large:float zoo:deit_tiny_patch16_224 --json");
  ASSERT_EQ(pred.exit_code, 0) << pred.err;
  const auto j = nlohmann::json::parse(pred.out);
  EXPECT_EQ(j["target"], "pixel4:1large:float");
  EXPECT_EQ(j["method"], "e2e-gbdt");
  EXPECT_EQ(fs::path(j["predictor"].get<std::string>()).filename().string(), "pixel4:1large:float.json");
  const double ms = j["latency_ms"].get<double>();
  EXPECT_TRUE(std::isfinite(ms) && ms > 0) << ms;
}

TEST_F(CliReady, BadInputIsAClearError) {
  auto unknown = run_cli_with_env(env(), "predict --target pixel9:gpu:float zoo:mobilenet_v2");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no ready predictor for target 'pixel9:gpu:float'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("iphonexs:gpu:float"), std::string::npos) << unknown.err;

  auto both = run_cli_with_env(env(), "predict --target pixel4:gpu:float --predictor p.json zoo:mobilenet_v2");
  EXPECT_EQ(both.exit_code, 2);
  auto neither = run_cli_with_env(env(), "predict zoo:mobilenet_v2");
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.err.find("--predictor"), std::string::npos) << neither.err;
  EXPECT_NE(neither.err.find("--target"), std::string::npos) << neither.err;

  auto no_data = run_cli_with_env("NNLAT_DATA_DIR=" + dir_->file("none") + " NNLAT_CACHE_DIR=" + dir_->file("c2") + " ",
                                  "predict --target pixel4:gpu:float zoo:mobilenet_v2");
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_NE(no_data.err.find(dir_->file("none") + "/mobile-ml-benchmark/tflite_cnn_e2e.csv: not found"),
            std::string::npos)
      << no_data.err;
  EXPECT_NE(no_data.err.find("NNLAT_DATA_DIR"), std::string::npos) << no_data.err;

  auto stray = run_cli_with_env(env(), "predictors --build nope:gpu:float");
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_NE(stray.err.find("no ready predictor for target 'nope:gpu:float'"), std::string::npos) << stray.err;
}

TEST_F(CliReady, TwoProcessesBuildingAtOnceBothSucceed) {
  const std::string data = dir_->file("cut");
  testing::write_ready_data_cut(data, 20);
  const std::string env = "NNLAT_DATA_DIR=" + data + " NNLAT_CACHE_DIR=" + dir_->file("race") + " ";
  auto one = [&](const std::string& tag) {
    const std::string out = dir_->file(tag);
    return "(" + env + NNLAT_BINARY + " predictors --build pixel4:1large:float >" + out + ".out 2>" + out +
           ".err; echo $? >" + out + ".rc)";
  };
  ASSERT_EQ(std::system((one("a") + " & " + one("b") + " & wait").c_str()), 0);
  for (const char* tag : {"a", "b"}) {
    EXPECT_EQ(*read_file(dir_->file(tag) + ".rc"), "0\n") << *read_file(dir_->file(tag) + ".err");
  }
  auto list = run_cli_with_env(env, "predictors --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto listing = nlohmann::json::parse(list.out);
  size_t built = 0;
  for (const auto& p : listing["predictors"]) {
    if (!p["built"].get<bool>()) continue;
    ++built;
    EXPECT_TRUE(predictors::LatencyPredictor::load(p["path"].get<std::string>()).ok());
    // Only the published file: no temporary file of either process is left beside it.
    for (const auto& f : fs::directory_iterator(fs::path(p["path"].get<std::string>()).parent_path())) {
      EXPECT_EQ(f.path().filename().string().find(".tmp"), std::string::npos) << f.path();
    }
  }
  EXPECT_EQ(built, 1u) << list.out;
}

}  // namespace
}  // namespace nnlat
