// A cut of the shipped phone data (data/mobile-ml-benchmark/) for tests of the ready
// predictors: the first `models` models of the per-op file and their end-to-end rows, real
// measurements, fewer networks, so that a build takes seconds.
#pragma once

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace nnlat::testing {

// Writes DIR/mobile-ml-benchmark/{tflite_cnn_e2e.csv,tflite_cnn_ops_gpu.csv}, and with
// `torch` PyTorch Mobile's pair too (the first `models` models of its own per-op file); with
// `transformers` TFLite's transformer file whole (28 models). The files have no quoted line
// breaks, so lines are rows; a row's model is the text before its first comma.
inline void write_ready_data_cut(const std::string& dir, size_t models, bool torch = false, bool transformers = false) {
  const std::filesystem::path from = std::filesystem::path(NNLAT_SOURCE_DIR) / "data" / "mobile-ml-benchmark";
  const std::filesystem::path to = std::filesystem::path(dir) / "mobile-ml-benchmark";
  std::filesystem::create_directories(to);
  std::set<std::string> kept;
  auto cut = [&](const char* name, bool choose) {
    std::ifstream in(from / name);
    std::ofstream out(to / name);
    std::string line;
    std::getline(in, line);
    out << line << "\n";
    while (std::getline(in, line)) {
      const std::string model = line.substr(0, line.find(','));
      if (choose && !kept.contains(model) && kept.size() < models) kept.insert(model);
      if (kept.contains(model)) out << line << "\n";
    }
  };
  cut("tflite_cnn_ops_gpu.csv", true);
  cut("tflite_cnn_e2e.csv", false);
  if (transformers) std::filesystem::copy_file(from / "tflite_transformer_e2e.csv", to / "tflite_transformer_e2e.csv");
  if (!torch) return;
  kept.clear();
  cut("torch_cnn_ops_gpu.csv", true);
  cut("torch_cnn_e2e.csv", false);
}

}  // namespace nnlat::testing
