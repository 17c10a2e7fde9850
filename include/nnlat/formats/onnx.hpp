// ONNX import (libonnx) and export. Import maps ONNX ops through the op table only,
// runs ONNX shape inference where shapes are missing, converts to the IR (NCHW), and
// reports unknown ops by name and node. Export writes any IR graph with random weights;
// importing the export gives the identical graph and costs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats {

struct OnnxImportOptions {
  // When not empty, only these graph inputs are activations: every other graph input is a
  // weight given at run time (what torch.onnx.export(..., export_params=False) writes), read
  // for its shape only, as an initializer is. The graph's metadata counts them
  // (`weight_inputs`).
  std::vector<std::string> activation_inputs;
};

Result<ir::Graph> import_onnx_file(const std::string& path, const OnnxImportOptions& options = {});
// `source` names the bytes in error messages (usually the file path).
Result<ir::Graph> import_onnx_bytes(std::string_view bytes, const std::string& source,
                                    const OnnxImportOptions& options = {});

// Serialised ONNX ModelProto of `graph`, weights drawn from a generator seeded with `seed`.
Result<std::string> export_onnx_bytes(const ir::Graph& graph, uint64_t seed = 0);
Status export_onnx_file(const ir::Graph& graph, const std::string& path, uint64_t seed = 0);

}  // namespace nnlat::formats
