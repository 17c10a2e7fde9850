// Ready predictors, as nn-Meter ships them: a predictor for every phone target of the shipped
// mobile ML benchmark data (data/mobile-ml-benchmark/), trained on first use and cached in
// the user's cache directory, so that `nnlat predict --target pixel4:gpu:float my.onnx`
// needs no phone and no store (docs/ready-predictors.md).
//
// A cached predictor is keyed by the data files' contents, the feature schema, the predictor
// format version and the recipe (method per target kind, CV folds, seed): any change puts it
// in another cache folder, so a stale file is never loaded, it is rebuilt. A cache file that
// does not load is rebuilt too. Files are written to a temporary name and renamed, so two
// processes building the same target at once each publish a whole file.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::app {

struct ReadyPredictorInfo {
  std::string target;   // device:config:precision, as the data's header names it
  std::string method;   // what the recipe trains for this target (opwise-gbdt on GPUs, ...)
  size_t networks = 0;  // networks trained on (built) or that the data holds for the target
  // 5-fold cross-validation by network on the same data, computed when the predictor was
  // built (fractions: 0.031 = 3.1%); 0 and null in JSON while not built. A core set trained
  // with the transformers: its CNN-only model's CV over the CNNs (what a CNN is predicted with).
  double cv_mape = 0;
  double cv_within_10 = 0;
  // CPU core sets train on the framework's vision transformers too (docs/ready-predictors.md):
  // how many, and the transformer-trained model's CV MAPE over them alone (none while not
  // built, and for the GPUs).
  size_t transformer_networks = 0;
  std::optional<double> cv_transformers_mape;
  bool built = false;  // a valid file is in the cache now
  std::string path;    // where the predictor file is (or will be) cached

  nlohmann::ordered_json to_json() const;
};

// Where the data and the cache are; empty fields take the defaults below.
struct ReadyOptions {
  // The folder holding mobile-ml-benchmark/: $NNLAT_DATA_DIR, else the source tree's data/
  // embedded at build time.
  std::string data_dir;
  // $NNLAT_CACHE_DIR, else $XDG_CACHE_HOME/nnlat, else ~/.cache/nnlat.
  std::string cache_dir;
  // One line per step of a build (import, train, cross-validate); may be empty.
  std::function<void(const std::string&)> progress;
};

// Every target the data holds, with its figures where built.
Result<std::vector<ReadyPredictorInfo>> list_ready_predictors(const ReadyOptions& options = {});

// Which of a target's models predicts a network (recipe 4, docs/ready-predictors.md): a CPU
// core set whose framework has a transformer file keeps a CNN-only model (for networks
// without attention) and one trained with the transformers (for those with attention,
// ir::has_attention). Every other target has one model, returned for both kinds.
enum class ReadyNetworkKind { kWithoutAttention, kWithAttention };

// Both files of a ready target, from one validation: the main file (networks with attention)
// and the one for networks without (the CNN-only companion of a recipe-4 core set; the main
// file again for every other target). Built first when missing, stale or unreadable.
struct ReadyPredictorPaths {
  std::string with_attention;
  std::string without_attention;
  const std::string& for_kind(ReadyNetworkKind kind) const {
    return kind == ReadyNetworkKind::kWithAttention ? with_attention : without_attention;
  }
  bool routes() const { return with_attention != without_attention; }
};
Result<ReadyPredictorPaths> ready_predictor_paths(const std::string& target, const ReadyOptions& options = {});

// The cached predictor file of a ready target for `kind`, built first when missing, stale or
// unreadable. The default, kWithAttention, is the target's main file (the transformer-trained
// model of a core set); `nnlat predict --target` routes each network by ir::has_attention.
// kNotFound naming the known targets for an unknown target, or naming the data folder when
// the data is missing.
Result<std::string> ready_predictor_path(const std::string& target, const ReadyOptions& options = {},
                                         ReadyNetworkKind kind = ReadyNetworkKind::kWithAttention);

// Builds the given targets (all when empty) that are not cached yet, importing the data once.
// Returns the listing of the targets asked for, in the data's order.
Result<std::vector<ReadyPredictorInfo>> build_ready_predictors(const std::vector<std::string>& targets,
                                                               const ReadyOptions& options = {});

// `nnlat predictors [--build [TARGET...]] [--json]`: the listing with where it came from.
struct ReadyPredictorsRequest {
  bool build = false;
  std::vector<std::string> targets;  // with build: these (all when empty)
  ReadyOptions options;
};
struct ReadyPredictorsReport {
  std::string data_dir;   // the mobile-ml-benchmark folder read
  std::string cache_dir;  // the folder of this data's predictors (its name is the cache key)
  std::vector<ReadyPredictorInfo> predictors;

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};
Result<ReadyPredictorsReport> ready_predictors(const ReadyPredictorsRequest& request);

}  // namespace nnlat::app
