// The graph IR: values (tensors) and nodes (ops) with strong ids.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/op_table.hpp"
#include "nnlat/ir/types.hpp"

namespace nnlat::ir {

struct Value {
  std::string name;
  Shape shape;  // empty until shape inference ran
  DType dtype = DType::kFloat32;
  std::optional<NodeId> producer;  // none for graph inputs
};

struct Node {
  std::string name;
  OpKind op = OpKind::kIdentity;
  Attrs attrs;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  // Attribute values with the op table's defaults (op_table.hpp attr_int).
  int64_t attr_int(std::string_view attr) const { return ir::attr_int(op, attrs, attr); }
  double attr_float(std::string_view attr) const { return ir::attr_float(op, attrs, attr); }
  std::string attr_string(std::string_view attr) const { return ir::attr_string(op, attrs, attr); }
};

class Graph {
 public:
  std::string name;
  // Free-form provenance, e.g. {"source": "zoo:mobilenet_v2", "encoding": "..."}.
  std::map<std::string, std::string> metadata;

  ValueId add_input(std::string value_name, Shape shape, DType dtype = DType::kFloat32);
  // Adds a node and its output values (named `output_names`, shapes left empty).
  NodeId add_node(std::string node_name, OpKind op, std::vector<ValueId> inputs, Attrs attrs,
                  std::vector<std::string> output_names);
  void mark_output(ValueId value) { outputs_.push_back(value); }

  const std::vector<Value>& values() const { return values_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<ValueId>& inputs() const { return inputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }
  const Value& value(ValueId id) const { return values_.at(id.index); }
  Value& value(ValueId id) { return values_.at(id.index); }
  const Node& node(NodeId id) const { return nodes_.at(id.index); }
  Node& node(NodeId id) { return nodes_.at(id.index); }
  std::optional<ValueId> find_value(const std::string& value_name) const;

  // True when every node's inputs are graph inputs or produced by an earlier node (and all
  // exist): the insertion order is then a topological order. One pass, no allocation.
  bool is_topologically_sorted() const;
  // Node ids in an order where every producer precedes its consumers; error on a cycle.
  Result<std::vector<NodeId>> topological_order() const;
  // Reorders the node list topologically (ids are renumbered).
  Status sort_topologically();

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_;
  std::vector<ValueId> outputs_;
  std::map<std::string, ValueId> value_by_name_;
};

// Fills every value's shape and dtype from the graph inputs through the op table.
Status infer_shapes(Graph& graph);
// Infers the outputs of one node whose inputs already have shapes.
Status infer_node_shapes(Graph& graph, NodeId node);

// Structural and semantic checks (DESIGN.md principle 2): unique names, every input
// defined, single producer, acyclic, attributes valid, stored shapes equal inferred shapes,
// at least one output. Run after every importer and pass.
Status verify(const Graph& graph);

}  // namespace nnlat::ir
