// TFLite flatbuffer import through nnlat's own schema subset (src/importers/tflite/*.fbs).
// NHWC tensors become NCHW, fused activations in op options become separate activation
// nodes, and unknown builtin ops are reported by name and operator index.
#pragma once

#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::importers {

Result<ir::Graph> import_tflite_file(const std::string& path);
Result<ir::Graph> import_tflite_bytes(std::string_view bytes, const std::string& source);

}  // namespace nnlat::importers
