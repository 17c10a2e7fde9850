// Ready predictors (app/ready_predictors.hpp) on a cut of the shipped phone data: unknown
// targets, build on first use, cache hits without retraining, stale keys and damaged files
// rebuilt, the stored CV equal to `nnlat eval`'s, outdated files refused with the command that
// rebuilds them. The full data and the CLI: tests/cli_ready_test.cpp.
#include "nnlat/app/ready_predictors.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "cli_test_util.hpp"
#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/import.hpp"
#include "nnlat/app/predict.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "ready_data_cut.hpp"

namespace nnlat {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A whole-network (CPU) target: fast to train, so each test can build from scratch.
constexpr const char* kCpuTarget = "pixel4:1large:float";

class ReadyPredictors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>("ready");
    testing::write_ready_data_cut(dir_->file("data"), 24);
    options_.data_dir = dir_->file("data");
    options_.cache_dir = dir_->file("cache");
    options_.progress = [this](const std::string& line) { lines_.push_back(line); };
  }
  // Progress lines that say a predictor was trained.
  size_t trainings() const {
    size_t n = 0;
    for (const auto& l : lines_) n += l.find(": training ") != std::string::npos ? 1 : 0;
    return n;
  }
  std::unique_ptr<TempDir> dir_;
  app::ReadyOptions options_;
  std::vector<std::string> lines_;
};

TEST_F(ReadyPredictors, UnknownTargetNamesTheKnownOnes) {
  auto r = app::ready_predictor_path("pixel9:gpu:float", options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("pixel9:gpu:float"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("pixel4:gpu:float"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("s10:2large:quant"), std::string::npos) << r.error().message;
  auto odd = app::ready_predictor_path("not a target", options_);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(trainings(), 0u);
  EXPECT_FALSE(app::build_ready_predictors({"pixel4:1large:float", "nope:x:float"}, options_).ok());
}

// With PyTorch Mobile's pair in the folder its targets join the list (GPU op-wise, core sets
// whole-network) and build like TFLite's; without it (the other tests' cut) none is listed.
TEST_F(ReadyPredictors, PyTorchMobileTargetsAreListedAndBuiltWhenTheirFilesArePresent) {
  auto tflite_only = app::list_ready_predictors(options_);
  ASSERT_TRUE(tflite_only.ok()) << tflite_only.error().message;
  for (const auto& p : *tflite_only) EXPECT_EQ(p.target.find(":torch-"), std::string::npos) << p.target;

  testing::write_ready_data_cut(dir_->file("both"), 24, /*torch=*/true);
  options_.data_dir = dir_->file("both");
  auto listing = app::list_ready_predictors(options_);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  std::map<std::string, std::string> methods;
  for (const auto& p : *listing) methods[p.target] = p.method;
  EXPECT_EQ(methods["pixel4:gpu:float"], "opwise-gbdt");
  EXPECT_EQ(methods["pixel4:torch-vulkan:float"], "opwise-gbdt");
  EXPECT_EQ(methods["iphonexs:torch-metal:float"], "opwise-gbdt");
  EXPECT_EQ(methods["pixel4:torch-1large:float"], "e2e-gbdt");
  EXPECT_EQ(methods["s10:torch-4small:quant"], "e2e-gbdt");
  EXPECT_GT(listing->size(), tflite_only->size());

  auto path = app::ready_predictor_path("pixel4:torch-1large:float", options_);
  ASSERT_TRUE(path.ok()) << path.error().message;
  auto loaded = predictors::LatencyPredictor::load(*path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->target(), "pixel4:torch-1large:float");
  auto graph = models::load_model("zoo:resnet18");
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  auto prediction = loaded->predict(*graph);
  ASSERT_TRUE(prediction.ok()) << prediction.error().message;
  EXPECT_TRUE(std::isfinite(prediction->latency_ms) && prediction->latency_ms > 0) << prediction->latency_ms;
}

// With the framework's transformer file in the folder a CPU core set trains on the CNNs and
// the transformers (a CNN-only one puts a ViT at about a tenth of its time), its stored CV
// reports the transformers alone, and a zoo ViT is predicted near its measured time; the GPU
// target stays CNN-only and op-wise.
TEST_F(ReadyPredictors, CoreSetsTrainOnTheTransformersWhenTheirFileIsPresent) {
  testing::write_ready_data_cut(dir_->file("vit"), 24, /*torch=*/false, /*transformers=*/true);
  options_.data_dir = dir_->file("vit");
  auto listing = app::list_ready_predictors(options_);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  std::map<std::string, app::ReadyPredictorInfo> info;
  for (const auto& p : *listing) info[p.target] = p;
  EXPECT_EQ(info[kCpuTarget].transformer_networks, 28u);
  EXPECT_EQ(info[kCpuTarget].networks, 24u + 28u);
  EXPECT_EQ(info["pixel4:gpu:float"].transformer_networks, 0u);

  auto built = app::build_ready_predictors({kCpuTarget}, options_);
  ASSERT_TRUE(built.ok()) << built.error().message;
  ASSERT_EQ(built->size(), 1u);
  const auto& p = built->front();
  ASSERT_TRUE(p.cv_transformers_mape.has_value());
  // Held out in the CV, the transformers are within tens of percent, not a factor of ten.
  EXPECT_LT(*p.cv_transformers_mape, 0.5) << *p.cv_transformers_mape;
  auto text = read_file(p.path);
  ASSERT_TRUE(text.ok()) << text.error().message;
  const auto ready = nlohmann::json::parse(*text).at("ready");
  EXPECT_EQ(ready.at("transformer_networks").get<size_t>(), 28u);
  EXPECT_EQ(ready.at("cv").at("transformers").at("n").get<size_t>(), 28u);
  EXPECT_NE(ready.at("reproduce").get<std::string>().find("tflite_transformer_e2e.csv"), std::string::npos);

  // deit-tiny's measured time on the target, from the file (µs).
  std::ifstream csv(fs::path(options_.data_dir) / "mobile-ml-benchmark" / "tflite_transformer_e2e.csv");
  std::string header, line;
  std::getline(csv, header);
  ASSERT_EQ(header.find("model,FLOPS,size,pixel4|1large|float|mean,"), 0u) << header;
  double measured_ms = 0;
  while (std::getline(csv, line)) {
    if (line.rfind("deit-tiny-distilled-patch16-224,", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    measured_ms = std::stod(cells.at(3)) / 1000.0;
  }
  ASSERT_GT(measured_ms, 0);
  auto predictor = predictors::LatencyPredictor::load(p.path);
  ASSERT_TRUE(predictor.ok()) << predictor.error().message;
  auto graph = models::load_model("zoo:deit_tiny_distilled_patch16_224");
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  auto prediction = predictor->predict(*graph);
  ASSERT_TRUE(prediction.ok()) << prediction.error().message;
  EXPECT_GT(prediction->latency_ms, 0.5 * measured_ms) << prediction->latency_ms << " ms vs " << measured_ms;
  EXPECT_LT(prediction->latency_ms, 2.0 * measured_ms) << prediction->latency_ms << " ms vs " << measured_ms;
}

TEST_F(ReadyPredictors, MissingDataNamesTheFolderAndTheVariable) {
  options_.data_dir = dir_->file("nowhere");
  auto r = app::list_ready_predictors(options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find(dir_->file("nowhere")), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("NNLAT_DATA_DIR"), std::string::npos) << r.error().message;
}

TEST_F(ReadyPredictors, FirstUseBuildsThenTheCacheServesWithoutRetraining) {
  auto before = app::list_ready_predictors(options_);
  ASSERT_TRUE(before.ok()) << before.error().message;
  for (const auto& p : *before) EXPECT_FALSE(p.built) << p.target;

  auto path = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(trainings(), 1u);
  ASSERT_TRUE(fs::exists(*path));
  EXPECT_EQ(fs::path(*path).parent_path().parent_path().parent_path(), fs::path(options_.cache_dir));
  auto loaded = predictors::LatencyPredictor::load(*path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->target(), kCpuTarget);
  EXPECT_EQ(predictors::method_name(loaded->method()), "e2e-gbdt");
  const auto written = fs::last_write_time(*path);

  auto again = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *path);
  EXPECT_EQ(trainings(), 1u);  // no second training
  EXPECT_EQ(fs::last_write_time(*path), written);

  auto listing = app::list_ready_predictors(options_);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), before->size());
  for (const auto& p : *listing) {
    if (p.target != kCpuTarget) {
      EXPECT_FALSE(p.built) << p.target;
      continue;
    }
    EXPECT_TRUE(p.built);
    EXPECT_EQ(p.path, *path);
    EXPECT_EQ(p.method, "e2e-gbdt");
    EXPECT_EQ(p.networks, 24u);
    EXPECT_TRUE(std::isfinite(p.cv_mape) && p.cv_mape > 0) << p.cv_mape;
    EXPECT_TRUE(p.cv_within_10 >= 0 && p.cv_within_10 <= 1) << p.cv_within_10;
    const auto j = p.to_json();
    EXPECT_TRUE(j["cv_mape"].is_number());
  }
  // Building ahead keeps what is cached.
  ASSERT_TRUE(app::build_ready_predictors({kCpuTarget}, options_).ok());
  EXPECT_EQ(trainings(), 1u);
  EXPECT_EQ(fs::last_write_time(*path), written);
}

TEST_F(ReadyPredictors, OtherDataIsAnotherKeyAndRebuilds) {
  auto first = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string before = *read_file(*first);
  // One measured value changes: the predictor cached from the old file must not be used.
  const std::string e2e = dir_->file("data") + "/mobile-ml-benchmark/tflite_cnn_e2e.csv";
  std::string text = *read_file(e2e);
  text.insert(text.size() - 1, "1");  // the last std column of the last row gains a digit
  ASSERT_TRUE(write_file_atomic(e2e, text).ok());

  auto second = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(*second, *first);
  EXPECT_EQ(trainings(), 2u);
  EXPECT_EQ(*read_file(*first), before);  // the old key's file is left alone

  // A file in the right place that says it was built from other inputs is rebuilt too.
  auto j = nlohmann::json::parse(*read_file(*second));
  j[std::string(predictors::kReadySection)]["key"] = "0000000000000000";
  ASSERT_TRUE(write_file_atomic(*second, j.dump()).ok());
  auto third = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(*third, *second);
  EXPECT_EQ(trainings(), 3u);
}

TEST_F(ReadyPredictors, ADamagedCacheFileIsRebuilt) {
  auto path = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(path.ok()) << path.error().message;
  const std::string whole = *read_file(*path);
  ASSERT_TRUE(write_file_atomic(*path, whole.substr(0, whole.size() / 2)).ok());  // cut short
  auto listing = app::list_ready_predictors(options_);
  ASSERT_TRUE(listing.ok());
  for (const auto& p : *listing) EXPECT_FALSE(p.built) << p.target;

  auto again = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(trainings(), 2u);
  bool said = false;
  for (const auto& l : lines_) said = said || l.find("rebuilding") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_TRUE(predictors::LatencyPredictor::load(*again).ok());
}

TEST_F(ReadyPredictors, StoredCrossValidationIsThatOfEval) {
  auto built = app::build_ready_predictors({kCpuTarget}, options_);
  ASSERT_TRUE(built.ok()) << built.error().message;
  ASSERT_EQ(built->size(), 1u);
  const auto& info = built->front();
  ASSERT_TRUE(info.built);

  // `nnlat import mlbench` + `nnlat eval --cv 5 --no-intervals --baselines none`, by hand.
  const std::string db = dir_->file("phones.db");
  const std::string data = dir_->file("data") + "/mobile-ml-benchmark/";
  ASSERT_TRUE(
      app::import_mlbench({data + "tflite_cnn_e2e.csv", data + "tflite_cnn_ops_gpu.csv", db, "tflite"}, {}).ok());
  app::EvalRequest eval;
  eval.db = db;
  eval.target = kCpuTarget;
  eval.cv = "5";
  eval.baselines = {"none"};
  eval.training.method = info.method;
  eval.training.calibrate = false;
  auto r = app::evaluate(eval);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->reports.front().overall.mape, info.cv_mape);
  EXPECT_DOUBLE_EQ(r->reports.front().overall.acc10, info.cv_within_10);
  EXPECT_EQ(r->networks_measured, info.networks);
}

TEST_F(ReadyPredictors, AnOutdatedFileIsRefusedWithTheCommandThatRebuildsIt) {
  auto path = app::ready_predictor_path(kCpuTarget, options_);
  ASSERT_TRUE(path.ok()) << path.error().message;
  auto j = nlohmann::json::parse(*read_file(*path));
  j["feature_schema"]["hash"] = "0000000000000000";
  auto schema = predictors::LatencyPredictor::from_json(j, "old.json");
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.error().message.find("nnlat predictors --build pixel4:1large:float"), std::string::npos)
      << schema.error().message;
  j = nlohmann::json::parse(*read_file(*path));
  j["version"] = 0;
  auto version = predictors::LatencyPredictor::from_json(j, "old.json");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().message.find("nnlat predictors --build pixel4:1large:float"), std::string::npos)
      << version.error().message;
  // Without the ready section it is a predictor trained from a store: retrain from it.
  j.erase(std::string(predictors::kReadySection));
  auto trained = predictors::LatencyPredictor::from_json(j, "old.json");
  ASSERT_FALSE(trained.ok());
  EXPECT_NE(trained.error().message.find("nnlat train --db STORE --target pixel4:1large:float --method e2e-gbdt"),
            std::string::npos)
      << trained.error().message;
}

// Recipe 4: a core set trained with the transformers keeps the CNN-only model too. A CNN is
// predicted by it, exactly as by the predictor of the same data without the transformer file
// (recipe 2's), and a ViT by the transformer-trained main file; the stored CV's CNN figure is
// the CNN-only model's, its transformers' figure the other model's.
TEST_F(ReadyPredictors, CoreSetsRouteCnnsToTheCnnOnlyModelAndViTsToTheOther) {
  testing::write_ready_data_cut(dir_->file("vit"), 24, /*torch=*/false, /*transformers=*/true);
  app::ReadyOptions with_vit = options_;
  with_vit.data_dir = dir_->file("vit");
  with_vit.cache_dir = dir_->file("cache-vit");

  auto predict = [](const app::ReadyOptions& ready, const char* model) {
    app::PredictRequest request;
    request.models = {model};
    request.breakdown = false;
    request.target = kCpuTarget;
    request.ready = ready;
    return app::predict(request);
  };
  const char* kCnn = "zoo:mobilenet_v3_large";
  const char* kVit = "zoo:deit_tiny_distilled_patch16_224";
  auto cnn_only = predict(options_, kCnn);  // the data without the transformer file: one model
  auto cnn_routed = predict(with_vit, kCnn);
  auto vit_routed = predict(with_vit, kVit);
  auto vit_cnn_only = predict(options_, kVit);
  for (const auto* r : {&cnn_only, &cnn_routed, &vit_routed, &vit_cnn_only}) {
    ASSERT_TRUE(r->ok()) << r->error().message;
    ASSERT_FALSE((*r)->failure.has_value()) << (*r)->failure->message;
    ASSERT_EQ((*r)->models.size(), 1u);
  }
  const auto& cnn = cnn_routed->models.front();
  const auto& vit = vit_routed->models.front();
  EXPECT_EQ(fs::path(cnn.predictor).filename().string(), std::string(kCpuTarget) + ".cnn.json");
  EXPECT_EQ(fs::path(vit.predictor).filename().string(), std::string(kCpuTarget) + ".json");
  EXPECT_EQ(cnn.prediction.latency_ms, cnn_only->models.front().prediction.latency_ms);
  // The ViT is not predicted by the CNN-only model (that one puts it at about a tenth).
  EXPECT_GT(vit.prediction.latency_ms, 2 * vit_cnn_only->models.front().prediction.latency_ms)
      << vit.prediction.latency_ms << " vs " << vit_cnn_only->models.front().prediction.latency_ms;

  // The paths by kind, and the listing's CV: the CNN figure is that of the data without the
  // transformers (the same model, the same folds).
  auto main = app::ready_predictor_path(kCpuTarget, with_vit);
  auto companion = app::ready_predictor_path(kCpuTarget, with_vit, app::ReadyNetworkKind::kWithoutAttention);
  ASSERT_TRUE(main.ok() && companion.ok());
  EXPECT_EQ(*main, vit.predictor);
  EXPECT_EQ(*companion, cnn.predictor);
  auto plain = app::ready_predictor_path(kCpuTarget, options_, app::ReadyNetworkKind::kWithoutAttention);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(fs::path(*plain).filename().string(), std::string(kCpuTarget) + ".json");  // one model, no companion
  auto listed_vit = app::list_ready_predictors(with_vit);
  auto listed_cnn = app::list_ready_predictors(options_);
  ASSERT_TRUE(listed_vit.ok() && listed_cnn.ok());
  std::map<std::string, app::ReadyPredictorInfo> a, b;
  for (const auto& p : *listed_vit) a[p.target] = p;
  for (const auto& p : *listed_cnn) b[p.target] = p;
  EXPECT_DOUBLE_EQ(a[kCpuTarget].cv_mape, b[kCpuTarget].cv_mape);
  ASSERT_TRUE(a[kCpuTarget].cv_transformers_mape.has_value());
  EXPECT_LT(*a[kCpuTarget].cv_transformers_mape, 0.5);

  // A missing companion makes the main file unusable: both are rebuilt.
  fs::remove(*companion);
  lines_.clear();
  auto rebuilt = app::ready_predictor_path(kCpuTarget, with_vit, app::ReadyNetworkKind::kWithoutAttention);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_TRUE(fs::exists(*companion));
}

}  // namespace
}  // namespace nnlat
