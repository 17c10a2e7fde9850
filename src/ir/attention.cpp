#include "nnlat/ir/attention.hpp"

#include <algorithm>

namespace nnlat::ir {

bool has_attention(const Graph& graph) {
  return std::any_of(graph.nodes().begin(), graph.nodes().end(), [&](const Node& node) {
    if (node.op != OpKind::kMatMul || node.inputs.size() != 2) return false;
    return std::all_of(node.inputs.begin(), node.inputs.end(),
                       [&](ValueId v) { return graph.value(v).producer.has_value(); });
  });
}

}  // namespace nnlat::ir
