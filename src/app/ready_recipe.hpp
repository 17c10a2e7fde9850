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
// The cross-validation stored beside each predictor: `nnlat eval --cv 5` with its default seed.
inline constexpr int kReadyCvFolds = 5;
inline constexpr unsigned kReadySeed = 0;

// One framework's pair of files in the folder: the end-to-end file and the per-op GPU file
// that `nnlat import mlbench` reads. TFLite 2.10 is required (it names most targets); PyTorch
// Mobile is used when its pair is present (a folder cut to TFLite alone still works).
// The framework's vision-transformer end-to-end file, where present, joins the training data
// of its CPU core sets (whole-network predictors): the transformers have no op rows, but the
// zoo builds their graphs by checkpoint name. Without them a CNN-only core-set predictor puts
// a ViT at about a tenth of its time (docs/transformers.md); the GPU targets have no
// transformer columns, so they stay op-wise on the CNNs.
struct ReadySourceFiles {
  const char* framework;  // "tflite" | "torch", as `nnlat import mlbench --framework`
  const char* e2e_file;
  const char* ops_file;
  const char* transformer_e2e_file;  // optional
  bool required;
};
inline constexpr ReadySourceFiles kReadySourceFiles[] = {
    {"tflite", "tflite_cnn_e2e.csv", "tflite_cnn_ops_gpu.csv", "tflite_transformer_e2e.csv", true},
    {"torch", "torch_cnn_e2e.csv", "torch_cnn_ops_gpu.csv", "torch_transformer_e2e.csv", false},
};

// A framework's pair as read.
struct ReadySource {
  std::string framework;
  std::string e2e_path;
  std::string ops_path;
  std::string e2e_text;
  std::string ops_text;
  std::string transformer_path;  // empty: the folder has no transformer file for this framework
  std::string transformer_text;
};

// The shipped files, read whole, and the cache key of everything built from them.
struct ReadyData {
  std::string folder;                // .../mobile-ml-benchmark
  std::vector<ReadySource> sources;  // in kReadySourceFiles' order, the absent optional ones left out
  // 16 hex digits over the files' contents, the feature schema (version and hash), the
  // predictor format version and the recipe (methods, folds, seed).
  std::string key;
};
Result<ReadyData> read_ready_data(const std::string& folder);

struct ReadyTarget {
  std::string name;             // device:config:precision (PyTorch Mobile's: pixel4:torch-vulkan:float)
  bool kernel_timings = false;  // the per-op file times each of its kernels (the GPUs)
  std::string method;           // ready_method(kernel_timings)
  size_t networks = 0;          // models with an op sequence and a value on this target
  // Transformers of the framework's transformer file with a value on this target and a zoo
  // graph (core sets only: they join the training data; 0 for the GPUs).
  size_t transformer_networks = 0;
  size_t source = 0;  // index into ReadyData::sources
};
// Every target of the end-to-end files with at least kReadyCvFolds networks that have an op
// sequence (fewer cannot be cross-validated), TFLite's first, each in its file's column order.
// Errors name the file and line.
Result<std::vector<ReadyTarget>> ready_targets(const ReadyData& data);

// Op-wise where every kernel was timed, whole-network regression where only end-to-end
// figures exist (the choice and its measurements: docs/ready-predictors.md).
std::string ready_method(bool kernel_timings);

}  // namespace nnlat::app
