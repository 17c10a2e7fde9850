// `nnlat export MODEL [--onnx FILE] [--tflite FILE] [--json FILE]`: write a model for other
// runtimes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::app {

struct ExportRequest {
  std::string model;   // model reference
  std::string onnx;    // ONNX file with random weights; empty: none
  std::string tflite;  // float32 TFLite file with random weights (batch norms folded); empty: none
  std::string json;    // nnlat JSON graph; empty: none
  uint64_t seed = 0;   // of the random weights
};

struct ExportedFile {
  std::string format;  // "onnx", "tflite", "json"
  std::string path;
};

struct ExportResult {
  std::vector<ExportedFile> written;  // in the order onnx, tflite, json
  // The error that stopped the export after the files in `written` (which stay written).
  std::optional<Error> failed = std::nullopt;

  nlohmann::ordered_json to_json() const;  // {written: [{format, path}], error (when failed)}
  std::string to_text() const;             // "wrote PATH" per file written
};

// An error when nothing was written (no output asked for, the model does not load); a
// failure after some file was written comes back in ExportResult::failed.
Result<ExportResult> export_model(const ExportRequest& request);

}  // namespace nnlat::app
