// Structural comparison of two graphs, ignoring value and node names: the same ops in the
// same topological order, wired the same way, with equal attributes and shapes. A window's
// padding counts by its resolved pads: explicit [1,1,1,1] equals "same" where they agree. Used to
// check that importers and exporters agree (ONNX export -> import, TFLite -> IR).
#pragma once

#include <string>

#include "nnlat/ir/graph.hpp"

namespace nnlat::ir {

// Empty string when equivalent, otherwise a description of the first difference.
std::string structural_difference(const Graph& a, const Graph& b);

}  // namespace nnlat::ir
