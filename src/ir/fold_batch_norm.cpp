#include <set>

#include "nnlat/ir/passes.hpp"

namespace nnlat::ir {
namespace {

bool is_foldable_producer(OpKind op) {
  return op == OpKind::kConv2d || op == OpKind::kDepthwiseConv2d || op == OpKind::kFullyConnected;
}

}  // namespace

Result<Graph> fold_batch_norm(const Graph& graph) {
  NNLAT_ASSIGN_OR_RETURN(auto order, graph.topological_order());
  std::vector<int> consumers(graph.values().size(), 0);
  for (const Node& n : graph.nodes()) {
    for (ValueId v : n.inputs) ++consumers[v.index];
  }
  for (ValueId v : graph.outputs()) ++consumers[v.index];

  // Decide first which batch norms fold, so their producers are emitted with a bias.
  std::set<uint32_t> folded_bn;   // node indices
  std::set<uint32_t> gains_bias;  // node indices
  for (NodeId id : order) {
    const Node& n = graph.node(id);
    if (n.op != OpKind::kBatchNorm) continue;
    const Value& in = graph.value(n.inputs[0]);
    if (!in.producer || consumers[n.inputs[0].index] != 1) continue;
    if (!is_foldable_producer(graph.node(*in.producer).op)) continue;
    folded_bn.insert(id.index);
    gains_bias.insert(in.producer->index);
  }

  Graph out;
  out.name = graph.name;
  out.metadata = graph.metadata;
  std::vector<std::optional<ValueId>> mapped(graph.values().size());
  for (ValueId v : graph.inputs()) {
    const Value& val = graph.value(v);
    mapped[v.index] = out.add_input(val.name, val.shape, val.dtype);
  }
  for (NodeId id : order) {
    const Node& n = graph.node(id);
    if (folded_bn.contains(id.index)) {
      mapped[n.outputs[0].index] = mapped[n.inputs[0].index];
      continue;
    }
    std::vector<ValueId> inputs;
    for (ValueId v : n.inputs) inputs.push_back(*mapped[v.index]);
    Attrs attrs = n.attrs;
    if (gains_bias.contains(id.index)) attrs["bias"] = int64_t{1};
    std::vector<std::string> names;
    for (ValueId v : n.outputs) names.push_back(graph.value(v).name);
    const NodeId nid = out.add_node(n.name, n.op, std::move(inputs), std::move(attrs), std::move(names));
    for (size_t i = 0; i < n.outputs.size(); ++i) mapped[n.outputs[i].index] = out.node(nid).outputs[i];
  }
  for (ValueId v : graph.outputs()) out.mark_output(*mapped[v.index]);
  NNLAT_RETURN_IF_ERROR(infer_shapes(out));
  NNLAT_RETURN_IF_ERROR(verify(out));
  return out;
}

}  // namespace nnlat::ir
