// The train → predict → eval loop through the real CLI on real (tiny, fast-protocol)
// measurements of this machine: structure, consistency and error handling. Accuracy figures
// come from scripts/accuracy-campaign.sh, not from here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

constexpr const char* kFast = " --warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0 --quiet --rounds 1";
constexpr const char* kTarget = " --target local:xnnpack-t1:float";

class CliPredict : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("cli_predict");
    db_ = dir_->file("m.db");
    const std::string nets = " " + dir_->file("nb201");
    ASSERT_EQ(run_cli("sample nb201 --n 8 --seed 4 --out" + nets).exit_code, 0);
    ASSERT_EQ(run_cli(std::string("profile networks") + kTarget + " --db " + db_ + nets + kFast).exit_code, 0);
    ASSERT_EQ(run_cli(std::string("profile kernels") + kTarget + " --db " + db_ + " --from" + nets + kFast).exit_code,
              0);
    ASSERT_EQ(run_cli(std::string("profile kernels") + kTarget + " --db " + db_ + " --around" + nets +
                      " --n 40 --seed 2" + kFast)
                  .exit_code,
              0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
  static std::string db_;
};
TempDir* CliPredict::dir_ = nullptr;
std::string CliPredict::db_;

TEST_F(CliPredict, TrainPredictAndBreakdownAgree) {
  const std::string p = dir_->file("p.json");
  auto train = run_cli("train --db " + db_ + kTarget + " -o " + p);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("overhead model"), std::string::npos) << train.out;
  auto pred = run_cli("predict --predictor " + p + " zoo:mobilenet_v2 nb201:'|nor_conv_3x3~0|+|nor_conv_3x3~0|" +
                      "avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|' --json");
  ASSERT_EQ(pred.exit_code, 0) << pred.err;
  std::istringstream lines(pred.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    const double ms = j["latency_ms"].get<double>();
    EXPECT_GT(ms, 0);
    EXPECT_LE(j["low_ms"].get<double>(), ms);
    EXPECT_GE(j["high_ms"].get<double>(), ms);
    ASSERT_FALSE(j["kernels"].empty());
    double sum = 0;
    for (const auto& k : j["kernels"]) {
      EXPECT_TRUE(k.contains("name") && k.contains("type"));
      sum += k["latency_ms"].get<double>();
    }
    EXPECT_NEAR(sum, j["kernel_sum_ms"].get<double>(), 1e-9 * sum);
    ++n;
  }
  EXPECT_EQ(n, 2);
  // MobileNetV2's kernels (224x224, many families) lie outside what NB201 networks teach.
  auto mbv2 = nlohmann::json::parse(pred.out.substr(0, pred.out.find('\n')));
  EXPECT_GT(mbv2["extrapolated_kernels"].get<int>(), 0);
  auto table = run_cli("predict --predictor " + p + " zoo:mobilenet_v2 --top 5");
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("share"), std::string::npos);
  EXPECT_NE(table.out.find("more kernels"), std::string::npos);
}

// The reference networks every campaign re-measures travel with the predictor; a store
// measured later scales predictions by their drift (issue 13).
TEST_F(CliPredict, CalibrationAgainstAStoreMeasuredLater) {
  const std::string p = dir_->file("calibrated.json");
  ASSERT_EQ(run_cli("train --db " + db_ + kTarget + " -o " + p).exit_code, 0);
  const auto file = nlohmann::json::parse(std::ifstream(p));
  ASSERT_TRUE(file.contains("references"));
  EXPECT_EQ(file["references"].size(), 2u);
  const std::string model = " 'zoo:mobilenet_v2?width=0.5&res=64' --json";
  auto plain = run_cli("predict --predictor " + p + model);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const double plain_ms = nlohmann::json::parse(plain.out)["latency_ms"].get<double>();

  // Against its own store: factor 1 exactly.
  auto same = run_cli("predict --predictor " + p + " --calibrate " + db_ + model);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto j = nlohmann::json::parse(same.out);
  EXPECT_DOUBLE_EQ(j["calibration"]["factor"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), plain_ms);

  // Against a store measured now: the references' ratio, applied to every figure.
  const std::string later = dir_->file("later.db");
  ASSERT_EQ(run_cli(std::string("profile networks") + kTarget + " --db " + later +
                    " 'zoo:mobilenet_v2?width=0.35&res=32'" + kFast)
                .exit_code,
            0);
  auto now = run_cli("predict --predictor " + p + " --calibrate " + later + model);
  ASSERT_EQ(now.exit_code, 0) << now.err;
  auto k = nlohmann::json::parse(now.out);
  const double factor = k["calibration"]["factor"].get<double>();
  EXPECT_EQ(k["calibration"]["reference_networks"], 2);
  EXPECT_GT(factor, 0.2);
  EXPECT_LT(factor, 5.0);
  EXPECT_NEAR(k["latency_ms"].get<double>(), plain_ms * factor, 1e-9 * plain_ms);

  // eval on the later store, as trained and calibrated: the same factor, and a systematic
  // error (bias, a geometric mean) moved by exactly that factor.
  auto as_trained = run_cli("eval --db " + later + " --predictor " + p + " --json");
  ASSERT_EQ(as_trained.exit_code, 0) << as_trained.err;
  auto calibrated = run_cli("eval --db " + later + " --predictor " + p + " --calibrate --json");
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  const auto ej = nlohmann::json::parse(as_trained.out);
  const auto ec = nlohmann::json::parse(calibrated.out);
  EXPECT_FALSE(ej.contains("calibration"));
  EXPECT_DOUBLE_EQ(ec["calibration"]["factor"].get<double>(), factor);
  EXPECT_NEAR(1 + ec["bias"].get<double>(), (1 + ej["bias"].get<double>()) * factor, 1e-9);
  auto without_predictor = run_cli("eval --db " + later + kTarget + " --calibrate");
  EXPECT_EQ(without_predictor.exit_code, 2);
  EXPECT_NE(without_predictor.err.find("--predictor"), std::string::npos) << without_predictor.err;

  // A store without reference networks cannot calibrate: a clean error naming it.
  const std::string bare = dir_->file("bare.db");
  ASSERT_EQ(run_cli(std::string("profile networks") + kTarget + " --db " + bare +
                    " 'zoo:mobilenet_v2?width=0.35&res=32' --references none" + kFast)
                .exit_code,
            0);
  auto none = run_cli("predict --predictor " + p + " --calibrate " + bare + model);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find(bare), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("reference"), std::string::npos) << none.err;
}

TEST_F(CliPredict, EvalReportsTheMethodAndTheBaselines) {
  auto r = run_cli("eval --db " + db_ + kTarget + " --method opwise-gbdt --cv 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n"].get<int>(), 8);
  for (const char* key : {"mape", "rmspe", "acc5", "acc10", "kendall_tau", "spearman"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_GE(j["mape"].get<double>(), 0);
  for (const char* b : {"flops", "lut", "e2e-ridge"}) EXPECT_TRUE(j["baselines"].contains(b)) << b;
  EXPECT_EQ(j["networks"].size(), 8u);

  auto repeated = run_cli("eval --db " + db_ + kTarget + " --method flops --train-size 4 --repeats 3 --json");
  ASSERT_EQ(repeated.exit_code, 0) << repeated.err;
  auto rj = nlohmann::json::parse(repeated.out);
  EXPECT_EQ(rj["repeats"].get<int>(), 3);
  EXPECT_EQ(rj["repeat_mean"]["n"].get<int>(), 4);
  // Top level: the mean over the draws; all draws pooled apart.
  EXPECT_DOUBLE_EQ(rj["mape"].get<double>(), rj["repeat_mean"]["mape"].get<double>());
  EXPECT_DOUBLE_EQ(rj["spearman"].get<double>(), rj["repeat_mean"]["spearman"].get<double>());
  EXPECT_EQ(rj["pooled"]["n"].get<int>(), 12);

  const std::string csv = dir_->file("curve.csv");
  auto curve = run_cli("learning-curve --db " + db_ + kTarget +
                       " --method opwise-linear --kernels 20,0 --networks 2,0 --repeats 1 --csv " + csv);
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("method,kernels,networks", 0), 0u);
  int rows = 0;
  for (std::string row; std::getline(in, row);) ++rows;
  EXPECT_EQ(rows, 4);
}

// A second family (sampled fire networks) beside the NB201 cells, measured twice: --cv family
// holds each family out in turn, and every method carries its MAPE over the noise floor's.
TEST_F(CliPredict, LeaveOneFamilyOutAndTheNoiseFloorRatio) {
  const std::string db = dir_->file("families.db");
  std::filesystem::copy_file(db_, db);
  const std::string nets = " " + dir_->file("fire");
  ASSERT_EQ(run_cli("sample fire --n 3 --seed 1 --out" + nets).exit_code, 0);
  for (const char* repeat : {"", " --repeat second"}) {
    auto p = run_cli(std::string("profile networks") + kTarget + " --db " + db + nets + kFast + repeat);
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  const std::string eval = "eval --db " + db + kTarget + " --no-intervals --baselines flops,e2e-ridge";
  auto r = run_cli(eval + " --cv family --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cv"], "family");
  EXPECT_EQ(j["splits"].get<int>(), 2);
  EXPECT_EQ(j["n"].get<int>(), 11);
  EXPECT_EQ(j["per_family"]["blocks-fire"]["n"].get<int>(), 3);
  EXPECT_EQ(j["per_family"]["nb201"]["n"].get<int>(), 8);
  for (const auto& n : j["networks"]) {  // the split index names the held-out family (name order)
    EXPECT_EQ(n["split"].get<int>(), n["family"] == "blocks-fire" ? 0 : 1) << n["model"];
  }
  ASSERT_EQ(j["noise_floor"]["n"].get<int>(), 3);
  const double floor = j["noise_floor"]["mape"].get<double>();
  ASSERT_GT(floor, 0);
  EXPECT_NEAR(j["noise_floor_ratio"].get<double>(), j["mape"].get<double>() / floor, 1e-9);
  for (const char* b : {"flops", "e2e-ridge"}) {
    const auto& bj = j["baselines"][b];
    EXPECT_EQ(bj["per_family"].size(), 2u) << b;
    EXPECT_NEAR(bj["noise_floor_ratio"].get<double>(), bj["mape"].get<double>() / floor, 1e-9) << b;
  }
  auto text = run_cli(eval + " --cv family");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("leave-one-family-out"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("MAPE/floor"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("per held-out family"), std::string::npos) << text.out;
  auto kfold = run_cli(eval + " --cv 3 --json");
  ASSERT_EQ(kfold.exit_code, 0) << kfold.err;
  EXPECT_EQ(nlohmann::json::parse(kfold.out)["cv"], "kfold");
  // No floor, no ratio: the NB201-only store measured every network once.
  auto once = run_cli("eval --db " + db_ + kTarget + " --no-intervals --baselines none --cv 4 --json");
  ASSERT_EQ(once.exit_code, 0) << once.err;
  EXPECT_FALSE(nlohmann::json::parse(once.out).contains("noise_floor_ratio"));
}

TEST_F(CliPredict, ARuleFileGivenByPathTravelsWithThePredictor) {
  const std::string p = dir_->file("rules_path.json");
  const std::string rules = dir_->file("my_rules.json");
  std::filesystem::copy_file(std::string(NNLAT_SOURCE_DIR) + "/data/fusion/xnnpack.json", rules);
  auto train = run_cli("train --db " + db_ + kTarget + " --method opwise-linear --rules " + rules + " -o " + p);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  std::filesystem::remove(rules);  // the predictor carries its own copy of the rule set
  auto pred = run_cli("predict --predictor " + p + " zoo:mobilenet_v2 --no-breakdown --json");
  ASSERT_EQ(pred.exit_code, 0) << pred.err;
  EXPECT_GT(nlohmann::json::parse(pred.out)["latency_ms"].get<double>(), 0);
}

TEST_F(CliPredict, BadInputIsACleanError) {
  auto missing = run_cli("train --db " + dir_->file("none.db") + kTarget + " -o " + dir_->file("x.json"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.db"), std::string::npos);
  auto target = run_cli("eval --db " + db_ + " --target pixel9:gpu:float --cv 3");
  EXPECT_EQ(target.exit_code, 2);
  auto method = run_cli("train --db " + db_ + kTarget + " --method magic -o " + dir_->file("x.json"));
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.err.find("magic"), std::string::npos);
  const std::string junk = dir_->file("junk.json");
  std::ofstream(junk) << "{\"format\": \"nnlat-predictor\", \"version\": 1";
  auto bad = run_cli("predict --predictor " + junk + " zoo:mobilenet_v2");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("junk.json"), std::string::npos);
  auto folds = run_cli("eval --db " + db_ + kTarget + " --cv 50");
  EXPECT_EQ(folds.exit_code, 2);
  EXPECT_NE(folds.err.find("--cv"), std::string::npos);
  auto word = run_cli("eval --db " + db_ + kTarget + " --cv families");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_NE(word.err.find("--cv must be a number of folds (an integer >= 2) or 'family'"), std::string::npos)
      << word.err;
  auto one_family = run_cli("eval --db " + db_ + kTarget + " --cv family");  // NB201 cells only
  EXPECT_EQ(one_family.exit_code, 2);
  EXPECT_NE(one_family.err.find("at least two families"), std::string::npos) << one_family.err;
  auto both = run_cli("eval --db " + db_ + kTarget + " --cv family --train-size 3");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("give one of them"), std::string::npos) << both.err;
  auto space = run_cli("sample blocks --n 2 --out " + dir_->file("x"));
  EXPECT_EQ(space.exit_code, 2);
  EXPECT_NE(space.err.find("unknown NAS space 'blocks'"), std::string::npos) << space.err;
}

}  // namespace
}  // namespace nnlat
