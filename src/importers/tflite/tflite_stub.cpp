// Placeholder until the TFLite importer lands (owned by the TFLite work item).
#include "nnlat/importers/tflite.hpp"

namespace nnlat::importers {
Result<ir::Graph> import_tflite_file(const std::string&) {
  return make_error(ErrorCode::kUnsupported, "TFLite support is not built yet");
}
Result<ir::Graph> import_tflite_bytes(std::string_view, const std::string&) {
  return make_error(ErrorCode::kUnsupported, "TFLite support is not built yet");
}
}  // namespace nnlat::importers
