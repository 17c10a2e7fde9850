#include "nnlat/ir/cost.hpp"

namespace nnlat::ir {

OpCost node_cost(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  std::vector<Shape> in;
  std::vector<Shape> out;
  for (ValueId v : node.inputs) in.push_back(graph.value(v).shape);
  for (ValueId v : node.outputs) out.push_back(graph.value(v).shape);
  OpCost c = op_info(node.op).cost(node.attrs, in, out);
  const int64_t elem = dtype_size(graph.value(node.inputs[0]).dtype);
  for (const auto& s : in) c.input_bytes += num_elements(s) * elem;
  for (const auto& s : out) c.output_elements += num_elements(s);
  c.output_bytes = c.output_elements * elem;
  c.weight_bytes = c.params * elem;
  return c;
}

GraphCost graph_cost(const Graph& graph) {
  GraphCost result;
  auto order = graph.topological_order();
  if (!order.ok()) return result;  // verify() reports cycles; a cyclic graph has no cost
  for (NodeId id : *order) {
    NodeCost nc{id, node_cost(graph, id)};
    result.total += nc.cost;
    result.nodes.push_back(nc);
  }
  return result;
}

}  // namespace nnlat::ir
