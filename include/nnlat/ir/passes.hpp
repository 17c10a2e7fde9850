// Graph-to-graph passes. Each returns a new, verified graph and leaves its input alone.
#pragma once

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::ir {

// Folds every batch_norm that directly follows a conv2d, depthwise_conv2d or
// fully_connected whose output feeds nothing else into that op's bias, as inference
// frameworks (the TFLite converter, XNNPACK delegates) do. Other batch_norms stay.
Result<Graph> fold_batch_norm(const Graph& graph);

}  // namespace nnlat::ir
