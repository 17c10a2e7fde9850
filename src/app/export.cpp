#include "nnlat/app/export.hpp"

#include <fmt/core.h>

#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/ir/passes.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::app {
namespace {

Status write_tflite(const ir::Graph& graph, const std::string& path, uint64_t seed) {
  // TFLite has no batch-norm op: fold it into the preceding conv / fc first, as the TFLite
  // converter does. A batch norm that cannot be folded is still reported.
  NNLAT_ASSIGN_OR_RETURN(auto folded, ir::fold_batch_norm(graph));
  return formats::export_tflite_file(folded, path, seed);
}

}  // namespace

Result<ExportResult> export_model(const ExportRequest& request) {
  if (request.onnx.empty() && request.tflite.empty() && request.json.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "export needs --onnx FILE, --tflite FILE or --json FILE");
  }
  NNLAT_ASSIGN_OR_RETURN(auto g, models::load_model(request.model));
  ExportResult result;
  auto write = [&](const char* format, const std::string& path, const Status& status) {
    if (!status.ok()) {
      result.failed = status.error();
      return false;
    }
    result.written.push_back({format, path});
    return true;
  };
  if (!request.onnx.empty() && !write("onnx", request.onnx, formats::export_onnx_file(g, request.onnx, request.seed))) {
    return result;
  }
  if (!request.tflite.empty() && !write("tflite", request.tflite, write_tflite(g, request.tflite, request.seed))) {
    return result;
  }
  if (!request.json.empty()) write("json", request.json, write_file_atomic(request.json, formats::graph_to_json(g)));
  return result;
}

nlohmann::ordered_json ExportResult::to_json() const {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : written) files.push_back({{"format", f.format}, {"path", f.path}});
  nlohmann::ordered_json out{{"written", files}};
  if (failed) out["error"] = failed->message;
  return out;
}

std::string ExportResult::to_text() const {
  std::string out;
  for (const auto& f : written) out += fmt::format("wrote {}\n", f.path);
  return out;
}

}  // namespace nnlat::app
