#include "nnlat/ir/graph.hpp"

#include <algorithm>
#include <queue>
#include <string_view>
#include <unordered_set>

#include "nnlat/core/saturating.hpp"
#include "nnlat/core/utf8.hpp"

namespace nnlat::ir {

ValueId Graph::add_input(std::string value_name, Shape shape, DType dtype) {
  const ValueId id{static_cast<uint32_t>(values_.size())};
  value_by_name_.emplace(value_name, id);
  values_.push_back(Value{std::move(value_name), std::move(shape), dtype, std::nullopt});
  inputs_.push_back(id);
  return id;
}

NodeId Graph::add_node(std::string node_name, OpKind op, std::vector<ValueId> inputs, Attrs attrs,
                       std::vector<std::string> output_names) {
  const NodeId id{static_cast<uint32_t>(nodes_.size())};
  Node n{std::move(node_name), op, std::move(attrs), std::move(inputs), {}};
  for (auto& out_name : output_names) {
    const ValueId vid{static_cast<uint32_t>(values_.size())};
    value_by_name_.emplace(out_name, vid);
    values_.push_back(Value{std::move(out_name), {}, DType::kFloat32, id});
    n.outputs.push_back(vid);
  }
  nodes_.push_back(std::move(n));
  return id;
}

std::optional<ValueId> Graph::find_value(const std::string& value_name) const {
  auto it = value_by_name_.find(value_name);
  if (it == value_by_name_.end()) return std::nullopt;
  return it->second;
}

bool Graph::is_topologically_sorted() const {
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    for (ValueId in : nodes_[i].inputs) {
      if (in.index >= values_.size() || (values_[in.index].producer && values_[in.index].producer->index >= i)) {
        return false;
      }
    }
  }
  return true;
}

Result<std::vector<NodeId>> Graph::topological_order() const {
  // Kahn's algorithm; ties broken by node index so the order is deterministic and equals the
  // insertion order whenever that order is already topological. That common case (every
  // builder and importer emits it) is checked first in one allocation-free pass.
  if (is_topologically_sorted()) {
    std::vector<NodeId> order(nodes_.size());
    for (uint32_t i = 0; i < nodes_.size(); ++i) order[i] = NodeId{i};
    return order;
  }
  std::vector<int> pending(nodes_.size(), 0);
  std::vector<std::vector<uint32_t>> consumers(values_.size());
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    for (ValueId in : nodes_[i].inputs) {
      if (in.index >= values_.size()) {
        return make_error(ErrorCode::kGraphError, "node " + nodes_[i].name + " reads an undefined value");
      }
      if (values_[in.index].producer) {
        ++pending[i];
        consumers[in.index].push_back(i);
      }
    }
  }
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<NodeId> order;
  order.reserve(nodes_.size());
  while (!ready.empty()) {
    const uint32_t i = ready.top();
    ready.pop();
    order.push_back(NodeId{i});
    for (ValueId out : nodes_[i].outputs) {
      for (uint32_t c : consumers[out.index]) {
        if (--pending[c] == 0) ready.push(c);
      }
    }
  }
  if (order.size() != nodes_.size()) {
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      if (pending[i] > 0) {
        return make_error(ErrorCode::kGraphError, "cycle in graph through node " + nodes_[i].name);
      }
    }
  }
  return order;
}

Status Graph::sort_topologically() {
  NNLAT_ASSIGN_OR_RETURN(auto order, topological_order());
  std::vector<Node> sorted;
  sorted.reserve(nodes_.size());
  std::vector<uint32_t> new_index(nodes_.size());
  for (size_t i = 0; i < order.size(); ++i) {
    new_index[order[i].index] = static_cast<uint32_t>(i);
    sorted.push_back(std::move(nodes_[order[i].index]));
  }
  nodes_ = std::move(sorted);
  for (auto& v : values_) {
    if (v.producer) v.producer = NodeId{new_index[v.producer->index]};
  }
  return Status::Ok();
}

namespace {

// The output shapes that node `id`'s op infers from the shapes `input_shape(value)` gives its
// inputs (the graph's own in infer_node_shapes, verify's re-inferred ones), with the checks of
// its inputs and attributes. The error context is only built for an error: this runs for every
// node of every graph built or verified (15,625 NB201 networks when a NAS table is read).
template <class InputShape>
Status infer_output_shapes(const Graph& graph, NodeId id, InputShape input_shape, std::vector<Shape>& out_shapes) {
  const Node& node = graph.node(id);
  const OpInfo& info = op_info(node.op);
  const auto context = [&] { return "node " + node.name + " (" + std::string(info.name) + ")"; };
  const auto n_in = static_cast<int>(node.inputs.size());
  if (n_in < info.min_inputs || n_in > info.max_inputs) {
    return make_error(ErrorCode::kGraphError, context() + " has " + std::to_string(n_in) + " inputs, expects " +
                                                  std::to_string(info.min_inputs) + ".." +
                                                  std::to_string(info.max_inputs));
  }
  if (auto st = validate_attrs(node.op, node.attrs); !st.ok()) return st.error().with_context(context());
  std::vector<Shape> in_shapes;
  in_shapes.reserve(node.inputs.size());
  for (ValueId in : node.inputs) {
    const Shape& shape = input_shape(in);
    if (shape.empty()) {
      return make_error(ErrorCode::kShapeError, context() + ": input " + graph.value(in).name + " has no shape yet");
    }
    in_shapes.push_back(shape);
  }
  out_shapes.clear();
  if (auto st = info.infer_shapes(node.attrs, in_shapes, out_shapes); !st.ok()) {
    return st.error().with_context(context());
  }
  if (out_shapes.size() != node.outputs.size()) {
    return make_error(ErrorCode::kGraphError, context() + " produces " + std::to_string(out_shapes.size()) +
                                                  " outputs but declares " + std::to_string(node.outputs.size()));
  }
  return Status::Ok();
}

}  // namespace

Status infer_node_shapes(Graph& graph, NodeId id) {
  std::vector<Shape> out_shapes;
  NNLAT_RETURN_IF_ERROR(infer_output_shapes(
      graph, id, [&](ValueId v) -> const Shape& { return graph.value(v).shape; }, out_shapes));
  const Node& node = graph.node(id);
  const DType dtype = graph.value(node.inputs[0]).dtype;
  for (size_t i = 0; i < out_shapes.size(); ++i) {
    Value& out = graph.value(node.outputs[i]);
    out.shape = std::move(out_shapes[i]);
    out.dtype = dtype;
  }
  return Status::Ok();
}

Status infer_shapes(Graph& graph) {
  NNLAT_ASSIGN_OR_RETURN(auto order, graph.topological_order());
  for (NodeId id : order) NNLAT_RETURN_IF_ERROR(infer_node_shapes(graph, id));
  return Status::Ok();
}

Status verify(const Graph& graph) {
  auto fail = [](std::string message) { return make_error(ErrorCode::kGraphError, std::move(message)); };
  if (graph.inputs().empty()) return fail("graph has no inputs");
  if (graph.outputs().empty()) return fail("graph has no outputs");
  // Every name is written as JSON (stores, --json, the runner's protocol), which takes only
  // UTF-8: a reader of bytes (ONNX, TFLite) must not pass on a name the writer cannot write.
  if (first_invalid_utf8(graph.name)) return fail("the graph's name is not UTF-8 text");
  for (const auto& v : graph.values()) {
    if (first_invalid_utf8(v.name)) return fail("a value's name is not UTF-8 text");
  }
  for (const auto& n : graph.nodes()) {
    if (first_invalid_utf8(n.name)) return fail("a node's name is not UTF-8 text");
    for (const auto& [key, value] : n.attrs) {
      const auto* text = std::get_if<std::string>(&value);
      if (first_invalid_utf8(key) || (text != nullptr && first_invalid_utf8(*text))) {
        return fail("an attribute of node " + n.name + " is not UTF-8 text");
      }
    }
  }
  std::unordered_set<std::string_view> value_names(2 * graph.values().size());
  for (const auto& v : graph.values()) {
    if (v.name.empty()) return fail("a value has an empty name");
    if (!value_names.insert(v.name).second) return fail("value name '" + v.name + "' is defined twice");
  }
  std::unordered_set<std::string_view> node_names(2 * graph.nodes().size());
  for (const auto& n : graph.nodes()) {
    if (n.name.empty()) return fail("a node has an empty name");
    if (!node_names.insert(n.name).second) return fail("node name '" + n.name + "' is used twice");
    for (ValueId in : n.inputs) {
      if (in.index >= graph.values().size()) return fail("node " + n.name + " reads an undefined value");
    }
  }
  for (ValueId in : graph.inputs()) {
    const Value& v = graph.value(in);
    if (v.producer) return fail("graph input " + v.name + " is produced by a node");
    if (v.shape.empty()) return fail("graph input " + v.name + " has no shape");
    for (int64_t d : v.shape) {
      if (d <= 0) return fail("graph input " + v.name + " has a non-positive dimension");
    }
  }
  std::vector<char> is_input(graph.values().size(), 0);
  for (ValueId in : graph.inputs()) is_input[in.index] = 1;
  for (size_t i = 0; i < graph.values().size(); ++i) {
    const Value& v = graph.values()[i];
    if (!v.producer && !is_input[i]) return fail("value " + v.name + " has no producer and is not a graph input");
  }
  // Re-infer every shape in topological order and compare: catches stale or hand-edited
  // shapes. A value's shape is the stored one until its producer is re-inferred (as on a copy
  // of the graph, without copying its names and attributes).
  std::vector<const Shape*> shape_of(graph.values().size());
  for (size_t i = 0; i < graph.values().size(); ++i) shape_of[i] = &graph.values()[i].shape;
  std::vector<Shape> inferred(graph.values().size());
  NNLAT_ASSIGN_OR_RETURN(const auto order, graph.topological_order());
  std::vector<Shape> out_shapes;
  for (NodeId id : order) {
    NNLAT_RETURN_IF_ERROR(infer_output_shapes(
        graph, id, [&](ValueId v) -> const Shape& { return *shape_of[v.index]; }, out_shapes));
    const Node& node = graph.node(id);
    for (size_t i = 0; i < out_shapes.size(); ++i) {
      const uint32_t out = node.outputs[i].index;
      inferred[out] = std::move(out_shapes[i]);
      shape_of[out] = &inferred[out];
    }
  }
  for (size_t i = 0; i < graph.values().size(); ++i) {
    const Value& stored = graph.values()[i];
    if (stored.shape != *shape_of[i]) {
      return make_error(ErrorCode::kShapeError, "value " + stored.name + " has shape " + shape_to_string(stored.shape) +
                                                    " but its op infers " + shape_to_string(*shape_of[i]));
    }
    // A declared shape may be any size; one whose element count does not fit a count would
    // only give saturated costs downstream (core/saturating.hpp).
    if (num_elements(stored.shape) == kSaturatedCount) {
      return make_error(ErrorCode::kShapeError, "value " + stored.name + " has shape " + shape_to_string(stored.shape) +
                                                    ": more elements than a count holds");
    }
  }
  return Status::Ok();
}

}  // namespace nnlat::ir
