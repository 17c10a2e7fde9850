// Placeholder until the ONNX importer/exporter lands (owned by the ONNX work item).
#include "nnlat/importers/onnx.hpp"

namespace nnlat::importers {
namespace {
Error not_yet() { return make_error(ErrorCode::kUnsupported, "ONNX support is not built yet"); }
}  // namespace
Result<ir::Graph> import_onnx_file(const std::string&) { return not_yet(); }
Result<ir::Graph> import_onnx_bytes(std::string_view, const std::string&) { return not_yet(); }
Result<std::string> export_onnx_bytes(const ir::Graph&, uint64_t) { return not_yet(); }
Status export_onnx_file(const ir::Graph&, const std::string&, uint64_t) { return not_yet(); }
}  // namespace nnlat::importers
