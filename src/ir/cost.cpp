#include "nnlat/ir/cost.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include "nnlat/core/saturating.hpp"

namespace nnlat::ir {

OpCost node_cost(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  // Pointers to the shapes, on the stack for the usual few operands: no copies, no allocation.
  constexpr size_t kInline = 8;
  std::array<const Shape*, kInline> in_inline{};
  std::array<const Shape*, kInline> out_inline{};
  std::vector<const Shape*> in_heap;
  std::vector<const Shape*> out_heap;
  auto gather = [&](const std::vector<ValueId>& ids, std::array<const Shape*, kInline>& inline_buf,
                    std::vector<const Shape*>& heap) -> std::span<const Shape* const> {
    const Shape** dst = inline_buf.data();
    if (ids.size() > kInline) {
      heap.resize(ids.size());
      dst = heap.data();
    }
    for (size_t i = 0; i < ids.size(); ++i) dst[i] = &graph.value(ids[i]).shape;
    return {dst, ids.size()};
  };
  const auto in = gather(node.inputs, in_inline, in_heap);
  const auto out = gather(node.outputs, out_inline, out_heap);
  OpCost c = op_info(node.op).cost(node.attrs, in, out);
  const int64_t elem = dtype_size(graph.value(node.inputs[0]).dtype);
  for (const Shape* s : in) c.input_bytes = saturating_add(c.input_bytes, saturating_mul(num_elements(*s), elem));
  for (const Shape* s : out) c.output_elements = saturating_add(c.output_elements, num_elements(*s));
  c.output_bytes = saturating_mul(c.output_elements, elem);
  c.weight_bytes = saturating_mul(c.params, elem);
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
