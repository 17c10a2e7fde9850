// The recipe of the ready predictors (docs/ready-predictors.md): which shipped files they
// learn from, which targets those hold, the method per kind of target, and the cache key
// that changes whenever any input of a build does.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::app {

inline constexpr const char* kReadyDatasetFolder = "mobile-ml-benchmark";
// TFLite 2.10 on the three phones: the end-to-end file and the per-op GPU file that
// `nnlat import mlbench` reads. The other files of the folder (PyTorch Mobile, vision
// transformers) carry no op sequence this importer understands, so no ready predictor.
inline constexpr const char* kReadyE2eFile = "tflite_cnn_e2e.csv";
inline constexpr const char* kReadyOpsFile = "tflite_cnn_ops_gpu.csv";
// The cross-validation stored beside each predictor: `nnlat eval --cv 5` with its default seed.
inline constexpr int kReadyCvFolds = 5;
inline constexpr unsigned kReadySeed = 0;

// The shipped files, read whole, and the cache key of everything built from them.
struct ReadyData {
  std::string folder;  // .../mobile-ml-benchmark
  std::string e2e_path;
  std::string ops_path;
  std::string e2e_text;
  std::string ops_text;
  // 16 hex digits over the files' contents, the feature schema (version and hash), the
  // predictor format version and the recipe (methods, folds, seed).
  std::string key;
};
Result<ReadyData> read_ready_data(const std::string& folder);

struct ReadyTarget {
  std::string name;             // device:config:precision
  bool kernel_timings = false;  // the per-op file times each of its kernels (the GPUs)
  std::string method;           // ready_method(kernel_timings)
  size_t networks = 0;          // models with an op sequence and a value on this target
};
// Every target of the end-to-end file with at least kReadyCvFolds networks that have an op
// sequence (fewer cannot be cross-validated), in the file's column order. Errors name the
// file and line.
Result<std::vector<ReadyTarget>> ready_targets(const ReadyData& data);

// Op-wise where every kernel was timed, whole-network regression where only end-to-end
// figures exist (the choice and its measurements: docs/ready-predictors.md).
std::string ready_method(bool kernel_timings);

}  // namespace nnlat::app
