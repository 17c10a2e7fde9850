#include "nnlat/ir/compare.hpp"

#include <map>

namespace nnlat::ir {
namespace {

// Position of each value in a canonical numbering: graph inputs first, then node outputs
// in topological order.
std::map<uint32_t, size_t> canonical_value_index(const Graph& g, const std::vector<NodeId>& order) {
  std::map<uint32_t, size_t> index;
  for (ValueId v : g.inputs()) index.emplace(v.index, index.size());
  for (NodeId n : order) {
    for (ValueId v : g.node(n).outputs) index.emplace(v.index, index.size());
  }
  return index;
}

bool has_window(OpKind op) {
  return op == OpKind::kConv2d || op == OpKind::kDepthwiseConv2d || op == OpKind::kMaxPool2d ||
         op == OpKind::kAvgPool2d;
}

// Attributes compared by meaning: a window's padding may be written as explicit pads or as
// "same"/"valid" (TFLite has only the latter); for a known input size both resolve to the
// same pads, so they are the same computation.
bool same_attrs(const Graph& a, const Node& na, const Graph& b, const Node& nb) {
  if (!has_window(na.op)) return na.attrs == nb.attrs;
  auto strip = [](Attrs attrs) {
    attrs.erase("pads");
    attrs.erase("padding");
    return attrs;
  };
  if (strip(na.attrs) != strip(nb.attrs)) return false;
  const Shape& sa = a.value(na.inputs[0]).shape;
  const Shape& sb = b.value(nb.inputs[0]).shape;
  if (sa.size() != 4 || sb.size() != 4) return false;
  const bool ceil_a = get_int(na.attrs, "ceil_mode", 0) != 0;
  auto wa = resolve_window(na.attrs, sa[2], sa[3], ceil_a);
  auto wb = resolve_window(nb.attrs, sb[2], sb[3], ceil_a);
  if (!wa.ok() || !wb.ok()) return false;
  return wa->pad_top == wb->pad_top && wa->pad_left == wb->pad_left && wa->pad_bottom == wb->pad_bottom &&
         wa->pad_right == wb->pad_right;
}

}  // namespace

std::string structural_difference(const Graph& a, const Graph& b) {
  auto order_a = a.topological_order();
  auto order_b = b.topological_order();
  if (!order_a.ok() || !order_b.ok()) return "a graph has a cycle";
  if (a.inputs().size() != b.inputs().size()) return "different number of graph inputs";
  if (order_a->size() != order_b->size()) {
    return "different node counts: " + std::to_string(order_a->size()) + " vs " + std::to_string(order_b->size());
  }
  for (size_t i = 0; i < a.inputs().size(); ++i) {
    const Value& va = a.value(a.inputs()[i]);
    const Value& vb = b.value(b.inputs()[i]);
    if (va.shape != vb.shape || va.dtype != vb.dtype) {
      return "graph input " + std::to_string(i) + " differs: " + shape_to_string(va.shape) + " vs " +
             shape_to_string(vb.shape);
    }
  }
  const auto ia = canonical_value_index(a, *order_a);
  const auto ib = canonical_value_index(b, *order_b);
  for (size_t i = 0; i < order_a->size(); ++i) {
    const Node& na = a.node((*order_a)[i]);
    const Node& nb = b.node((*order_b)[i]);
    const std::string where = "node " + std::to_string(i) + " (" + na.name + " vs " + nb.name + ")";
    if (na.op != nb.op) return where + ": op " + std::string(op_name(na.op)) + " vs " + std::string(op_name(nb.op));
    if (!same_attrs(a, na, b, nb)) return where + ": attributes differ";
    if (na.inputs.size() != nb.inputs.size() || na.outputs.size() != nb.outputs.size()) {
      return where + ": arity differs";
    }
    for (size_t k = 0; k < na.inputs.size(); ++k) {
      if (ia.at(na.inputs[k].index) != ib.at(nb.inputs[k].index))
        return where + ": input " + std::to_string(k) + " wired differently";
    }
    for (size_t k = 0; k < na.outputs.size(); ++k) {
      if (a.value(na.outputs[k]).shape != b.value(nb.outputs[k]).shape) {
        return where + ": output shape " + shape_to_string(a.value(na.outputs[k]).shape) + " vs " +
               shape_to_string(b.value(nb.outputs[k]).shape);
      }
    }
  }
  if (a.outputs().size() != b.outputs().size()) return "different number of graph outputs";
  for (size_t i = 0; i < a.outputs().size(); ++i) {
    if (ia.at(a.outputs()[i].index) != ib.at(b.outputs()[i].index))
      return "graph output " + std::to_string(i) + " differs";
  }
  return "";
}

}  // namespace nnlat::ir
