// Per-node and per-network costs computed from the op table's cost rules.
#pragma once

#include <vector>

#include "nnlat/ir/graph.hpp"

namespace nnlat::ir {

struct NodeCost {
  NodeId node;
  OpCost cost;
};

struct GraphCost {
  std::vector<NodeCost> nodes;  // in topological order
  OpCost total;
};

// Requires inferred shapes (call after infer_shapes / verify).
OpCost node_cost(const Graph& graph, NodeId node);
GraphCost graph_cost(const Graph& graph);

}  // namespace nnlat::ir
