#include "app/ready_build.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>

#include "nnlat/app/import.hpp"
#include "nnlat/app/training_data.hpp"
#include "nnlat/app/training_options.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/eval/evaluation.hpp"
#include "nnlat/eval/metrics.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {
namespace {

namespace fs = std::filesystem;
using Progress = std::function<void(const std::string&)>;

// The store a build imports the data into: private to this process (so two processes never
// share one SQLite file) and removed when the build ends, however it ends.
class ScratchStore {
 public:
  ScratchStore() {
    static std::atomic<unsigned> counter{0};
    path_ = (fs::temp_directory_path() / fmt::format("nnlat-ready-{}-{}.db", static_cast<long>(::getpid()), counter++))
                .string();
  }
  ~ScratchStore() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path_ + suffix, ec);
  }
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The models of the framework's transformer file (those the zoo builds were imported).
// The file has no GPU columns, so no GPU API is needed to name its targets.
Result<std::set<std::string>> transformer_names(const ReadySource& source) {
  NNLAT_ASSIGN_OR_RETURN(const auto framework, campaigns::parse_mlbench_framework(source.framework));
  NNLAT_ASSIGN_OR_RETURN(
      auto vit, campaigns::parse_mlbench_e2e(source.transformer_text, source.transformer_path, {framework, {}}));
  std::set<std::string> names;
  for (const auto& v : vit.values) names.insert(v.model);
  return names;
}

// A predictor trained on one store's data for the target and the same method
// cross-validated on it: `nnlat eval --cv 5 --no-intervals` (same folds, same seed; the
// intervals' nested calibration does not change a point prediction).
struct TrainedWithCv {
  nlohmann::json predictor;
  size_t networks = 0;
  eval::MethodReport cv;
};

Result<TrainedWithCv> train_and_cross_validate(const std::string& db, const ReadyTarget& t, const std::string& what,
                                               const Progress& progress) {
  TrainingFlags flags;
  flags.method = t.method;
  flags.seed = kReadySeed;
  NNLAT_ASSIGN_OR_RETURN(auto options, make_train_options(flags));
  NNLAT_ASSIGN_OR_RETURN(auto data, load_training_set_from(db, t.name, ""));
  if (progress) {
    progress(fmt::format("{}: training {} on {} networks{}", t.name, t.method, data.networks.size(), what));
  }
  auto predictor = predictors::LatencyPredictor::train(data, options);
  if (!predictor.ok()) return predictor.error().with_context(t.name);
  if (progress) progress(fmt::format("{}: {}-fold cross-validation by network{}", t.name, kReadyCvFolds, what));
  auto cv_options = options;
  cv_options.calibrate = false;
  auto splits = eval::kfold_splits(data.networks.size(), kReadyCvFolds, kReadySeed);
  if (!splits.ok()) return splits.error().with_context(t.name + ": cross-validation");
  auto cv = eval::evaluate_splits(data, *splits, cv_options, /*repeated=*/false);
  if (!cv.ok()) return cv.error().with_context(t.name);
  return TrainedWithCv{predictor->to_json(), data.networks.size(), std::move(*cv)};
}

nlohmann::json cv_json(const eval::Metrics& m) {
  nlohmann::json j = eval::metrics_to_json(m);  // n, mape, acc10, ... as `eval --json` names them
  j["folds"] = kReadyCvFolds;
  j["seed"] = kReadySeed;
  return j;
}

// The held-out predictions of `cv` restricted to the transformers: what a user predicting a
// ViT on this target should expect (the CNNs dominate the overall figure).
Result<nlohmann::json> transformers_cv(const eval::MethodReport& cv, const std::set<std::string>& transformers) {
  std::vector<double> predicted, measured;
  for (const auto& r : cv.results) {
    if (!transformers.contains(r.name)) continue;
    predicted.push_back(r.predicted_ms);
    measured.push_back(r.measured_ms);
  }
  if (predicted.empty()) return nlohmann::json(nullptr);
  NNLAT_ASSIGN_OR_RETURN(auto vit, eval::compute_metrics(predicted, measured));
  return nlohmann::json(eval::metrics_to_json(vit));
}

// Trains the target's predictor(s), cross-validates each on its data and writes them, the
// figures in each file's ready section, each in one atomic rename. A core set with
// transformers (recipe 4) gets two files: the CNN-only model (`<target>.cnn.json`, trained on
// the CNN store: recipe 2's predictor) written first, then the main file, trained with the
// transformers, that names it. The main file's `cv` is the CNN-only model's (what a CNN is
// predicted with) and `cv.transformers` the transformer-trained model's over the transformers.
// `transformers`: the model names of the source's transformer file (empty when not imported).
Status build_target(const ReadyData& d, const std::string& cache_folder, const std::string& cnn_db,
                    const std::string& all_db, const ReadyTarget& t, const std::set<std::string>& transformers,
                    const Progress& progress) {
  const ReadySource& source = d.sources.at(t.source);
  const bool routed = t.transformer_networks > 0;
  NNLAT_ASSIGN_OR_RETURN(auto cnn, train_and_cross_validate(cnn_db, t, routed ? " (CNN-only model)" : "", progress));
  nlohmann::json cv_section = cv_json(cnn.cv.overall);
  cv_section["transformers"] = nullptr;
  nlohmann::json files = {source.e2e_path, source.ops_path};
  std::string reproduce_import =
      fmt::format("nnlat import mlbench --e2e {} --ops {} --db phones.db", source.e2e_path, source.ops_path);
  const std::string reproduce_eval =
      fmt::format("nnlat eval --db phones.db --target {} --method {} --cv {} --seed {} --baselines none --no-intervals",
                  t.name, t.method, kReadyCvFolds, kReadySeed);
  nlohmann::json ready = {{"key", d.key},
                          {"target", t.name},
                          {"method", t.method},
                          {"networks", cnn.networks},
                          {"transformer_networks", t.transformer_networks},
                          {"nnlat_version", NNLAT_VERSION}};
  nlohmann::json j = std::move(cnn.predictor);
  const std::string path = ready_predictor_file(cache_folder, t.name);
  if (routed) {
    ready["data"] = {{"folder", d.folder}, {"files", files}};
    ready["cv"] = cv_section;
    ready["model"] = "cnn-only: the networks without attention";
    ready["reproduce"] = reproduce_import + " && " + reproduce_eval;
    j[std::string(predictors::kReadySection)] = ready;
    const std::string cnn_path = ready_cnn_predictor_file(cache_folder, t.name);
    NNLAT_RETURN_IF_ERROR(write_file_atomic(cnn_path, j.dump(1) + "\n"));

    NNLAT_ASSIGN_OR_RETURN(auto all, train_and_cross_validate(all_db, t, " (with the transformers)", progress));
    NNLAT_ASSIGN_OR_RETURN(cv_section["transformers"], transformers_cv(all.cv, transformers));
    cv_section["with_transformers"] = cv_json(all.cv.overall);  // the transformer-trained model, every network
    files.push_back(source.transformer_path);
    reproduce_import += fmt::format(" && nnlat import mlbench --e2e {} --framework {} --db phones.db",
                                    source.transformer_path, source.framework);
    ready["networks"] = all.networks;
    ready["model"] = "trained with the transformers: the networks with attention (ir::has_attention)";
    ready["cnn_model"] = fs::path(cnn_path).filename().string();
    j = std::move(all.predictor);
  }
  ready["data"] = {{"folder", d.folder}, {"files", files}};
  ready["cv"] = cv_section;
  ready["reproduce"] = reproduce_import + " && " + reproduce_eval;
  j[std::string(predictors::kReadySection)] = ready;
  NNLAT_RETURN_IF_ERROR(write_file_atomic(path, j.dump(1) + "\n"));
  if (progress) {
    const auto& m = cnn.cv.overall;
    progress(fmt::format("{}: cross-validated MAPE {:.2f}%, {:.1f}% within ±10%{}; cached in {}", t.name, 100 * m.mape,
                         100 * m.acc10, routed ? " (CNN-only model, CNNs)" : "", path));
  }
  return Status::Ok();
}

}  // namespace

std::string ready_predictor_file(const std::string& cache_folder, const std::string& target) {
  return (fs::path(cache_folder) / (target + ".json")).string();
}

std::string ready_cnn_predictor_file(const std::string& cache_folder, const std::string& target) {
  return (fs::path(cache_folder) / (target + ".cnn.json")).string();
}

Status build_ready_targets(const ReadyData& data, const std::string& cache_folder,
                           const std::vector<ReadyTarget>& targets, const Progress& progress) {
  if (targets.empty()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(cache_folder, ec);
  if (ec) {
    return make_error(ErrorCode::kIoError, cache_folder + ": cannot create the cache folder (" + ec.message() + ")");
  }
  // The CNNs alone (every GPU target, the core sets' CNN-only models: recipe 2's data) and,
  // for the frameworks with transformers, the CNNs and the transformers.
  ScratchStore store;
  ScratchStore with_transformers_store;
  // Only the frameworks whose targets are built: one import of each into the scratch store.
  std::set<size_t> sources;
  std::set<size_t> with_transformers;
  for (const auto& t : targets) {
    sources.insert(t.source);
    if (t.transformer_networks > 0) with_transformers.insert(t.source);
  }
  std::map<size_t, std::set<std::string>> transformer_models;  // per source, parsed once
  for (size_t i : sources) {
    const ReadySource& s = data.sources.at(i);
    if (progress) progress(fmt::format("importing {} and {}", s.e2e_path, s.ops_path));
    auto imported = import_mlbench({s.e2e_path, s.ops_path, store.path(), s.framework}, {});
    if (!imported.ok()) return imported.error();
    if (!with_transformers.contains(i)) continue;
    auto again = import_mlbench({s.e2e_path, s.ops_path, with_transformers_store.path(), s.framework}, {});
    if (!again.ok()) return again.error();
    // After the CNNs: the per-op file named the framework's GPU APIs, which the transformer
    // file's targets are named with; its models' graphs come from the zoo.
    if (progress) progress(fmt::format("importing {}", s.transformer_path));
    auto transformers = import_mlbench({s.transformer_path, "", with_transformers_store.path(), s.framework}, {});
    if (!transformers.ok()) return transformers.error();
    NNLAT_ASSIGN_OR_RETURN(transformer_models[i], transformer_names(s));
  }
  for (const auto& t : targets) {
    NNLAT_RETURN_IF_ERROR(build_target(data, cache_folder, store.path(), with_transformers_store.path(), t,
                                       transformer_models[t.source], progress));
  }
  return Status::Ok();
}

}  // namespace nnlat::app
