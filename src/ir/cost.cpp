#include "nnlat/ir/cost.hpp"

#include <algorithm>
#include <span>

namespace nnlat::ir {

OpCost node_cost(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  // Reused per thread: predictors cost every node of millions of networks, and copying
  // shapes into fresh vectors was most of that time.
  thread_local std::vector<Shape> in_scratch;
  thread_local std::vector<Shape> out_scratch;
  in_scratch.resize(std::max(in_scratch.size(), node.inputs.size()));
  out_scratch.resize(std::max(out_scratch.size(), node.outputs.size()));
  for (size_t i = 0; i < node.inputs.size(); ++i) in_scratch[i] = graph.value(node.inputs[i]).shape;
  for (size_t i = 0; i < node.outputs.size(); ++i) out_scratch[i] = graph.value(node.outputs[i]).shape;
  const std::span<const Shape> in(in_scratch.data(), node.inputs.size());
  const std::span<const Shape> out(out_scratch.data(), node.outputs.size());
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
