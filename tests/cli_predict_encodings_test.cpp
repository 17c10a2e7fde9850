// `nnlat predict --encodings FILE --space SPACE` through the real binary: the same figures as
// `predict` on the models' references, one a line or as JSON, and errors naming the file and
// line of a malformed encoding. The predictor is trained here on the synthetic target (no
// device, no store).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "nnlat/predictors/synthetic.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

class CliPredictEncodings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("cli_predict_encodings");
    predictor_ = dir_->file("p.json");
    auto data = predictors::make_synthetic_training_set({}, 12, 6, 300, 3);
    ASSERT_TRUE(data.ok());
    predictors::TrainOptions o;
    o.calibrate = false;
    auto p = predictors::LatencyPredictor::train(*data, o);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->save(predictor_).ok());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_->file(name);
    std::ofstream(path) << text;
    return path;
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  static TempDir* dir_;
  static std::string predictor_;
};
TempDir* CliPredictEncodings::dir_ = nullptr;
std::string CliPredictEncodings::predictor_;

TEST_F(CliPredictEncodings, FiguresEqualPredictOnReferences) {
  for (const std::string space : {"nb201", "mbv2"}) {
    const auto encodings = *models::sample_space(space, 6, 11);
    std::string file_text = "# a comment, then a blank line\n\n";
    std::string references;
    for (const auto& e : encodings) {
      file_text += e + "\n";
      references += " '" + std::string(space == "nb201" ? "nb201:" : "space:mbv2:") + e + "'";
    }
    const std::string file = write(space + ".txt", file_text);
    auto fast =
        run_cli("predict --predictor " + predictor_ + " --encodings " + file + " --space " + space + " --threads 2");
    ASSERT_EQ(fast.exit_code, 0) << fast.err;
    auto generic = run_cli("predict --predictor " + predictor_ + " --json --no-breakdown" + references);
    ASSERT_EQ(generic.exit_code, 0) << generic.err;
    const auto ms = lines(fast.out);
    const auto json = lines(generic.out);
    ASSERT_EQ(ms.size(), encodings.size());
    ASSERT_EQ(json.size(), encodings.size());
    for (size_t i = 0; i < ms.size(); ++i) {
      EXPECT_EQ(std::stod(ms[i]), nlohmann::json::parse(json[i])["latency_ms"].get<double>()) << encodings[i];
    }
    auto as_json =
        run_cli("predict --predictor " + predictor_ + " --encodings " + file + " --space " + space + " --json");
    ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
    const auto objects = lines(as_json.out);
    ASSERT_EQ(objects.size(), encodings.size());
    const auto first = nlohmann::json::parse(objects[0]);
    EXPECT_EQ(first["line"].get<int>(), 3);  // after the comment and the blank line
    EXPECT_EQ(first["encoding"].get<std::string>(), encodings[0]);
    EXPECT_EQ(first["latency_ms"].get<double>(), std::stod(ms[0]));
    EXPECT_LE(first["low_ms"].get<double>(), first["latency_ms"].get<double>());
  }
}

TEST_F(CliPredictEncodings, MalformedEncodingNamesFileAndLine) {
  const auto encodings = *models::sample_space("nb201", 3, 2);
  const std::string file =
      write("bad.txt", encodings[0] + "\n" + encodings[1] + "\n|nor_conv_3x3~0|+|bogus~0|none~1|\n" + encodings[2]);
  auto r = run_cli("predict --predictor " + predictor_ + " --encodings " + file + " --space nb201");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(file + ":3:"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  auto space = run_cli("predict --predictor " + predictor_ + " --encodings " + file + " --space nb999");
  EXPECT_NE(space.exit_code, 0);
  EXPECT_NE(space.err.find("nb999"), std::string::npos) << space.err;
  auto missing =
      run_cli("predict --predictor " + predictor_ + " --encodings " + dir_->file("none.txt") + " --space nb201");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("none.txt"), std::string::npos) << missing.err;
  auto no_space = run_cli("predict --predictor " + predictor_ + " --encodings " + file);
  EXPECT_NE(no_space.exit_code, 0);
  auto nothing = run_cli("predict --predictor " + predictor_);
  EXPECT_NE(nothing.exit_code, 0);
  EXPECT_NE(nothing.err.find("--encodings"), std::string::npos) << nothing.err;
}

TEST_F(CliPredictEncodings, HelpDescribesEncodings) {
  auto help = run_cli("predict --help");
  ASSERT_EQ(help.exit_code, 0);
  for (const char* s : {"--encodings", "--space", "--threads", "nb201", "mbv2"}) {
    EXPECT_NE(help.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace nnlat
