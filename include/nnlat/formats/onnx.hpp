// ONNX import (libonnx) and export. Import maps ONNX ops through the op table only,
// runs ONNX shape inference where shapes are missing, converts to the IR (NCHW), and
// reports unknown ops by name and node. Export writes any IR graph with random weights;
// importing the export gives the identical graph and costs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats {

Result<ir::Graph> import_onnx_file(const std::string& path);
// `source` names the bytes in error messages (usually the file path).
Result<ir::Graph> import_onnx_bytes(std::string_view bytes, const std::string& source);

// Serialised ONNX ModelProto of `graph`, weights drawn from a generator seeded with `seed`.
Result<std::string> export_onnx_bytes(const ir::Graph& graph, uint64_t seed = 0);
Status export_onnx_file(const ir::Graph& graph, const std::string& path, uint64_t seed = 0);

}  // namespace nnlat::formats
