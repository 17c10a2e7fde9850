// TFLite flatbuffer import and export through nnlat's own schema subset
// (src/importers/tflite/*.fbs); docs/tflite.md lists the subset and the layout rules.
//
// Import reads subgraph 0: NHWC tensors become NCHW, weights become attributes (their shapes
// are all latency prediction needs), fused activations in op options become separate
// activation nodes, and unknown builtin ops are reported by name and operator index.
// Export writes float32 graphs whose ops TFLite runs natively, with random weights, so that
// nnlat graphs can be measured in TFLite; importing an export gives the same graph and costs
// (up to the canonical forms docs/tflite.md describes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats {

Result<ir::Graph> import_tflite_file(const std::string& path);
// `source` names the bytes in error messages (usually the file path).
Result<ir::Graph> import_tflite_bytes(std::string_view bytes, const std::string& source);

// Serialised TFLite model ("TFL3" FlatBuffer) of `graph`, weights drawn from a generator
// seeded with `seed`. Ops TFLite cannot express (batch_norm: fold it into the preceding
// convolution first, or export ONNX) are a kUnsupported error naming the node.
Result<std::string> export_tflite_bytes(const ir::Graph& graph, uint64_t seed = 0);
Status export_tflite_file(const ir::Graph& graph, const std::string& path, uint64_t seed = 0);

}  // namespace nnlat::formats
