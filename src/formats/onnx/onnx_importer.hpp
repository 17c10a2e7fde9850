// Internal: the ONNX importer's state and passes, split over onnx_import.cpp (pipeline),
// onnx_import_patterns.cpp (multi-node fusions) and onnx_import_ops.cpp (one ONNX op -> IR).
#pragma once

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "formats/onnx/onnx_common.hpp"
#include "nnlat/formats/onnx.hpp"

namespace nnlat::formats::onnx_detail {

using ir::Attrs;
using ir::OpKind;
using ir::Shape;

inline std::string dims_to_string(const std::vector<int64_t>& dims) {
  if (dims.empty()) return "[] (scalar)";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}

inline std::vector<int64_t> tensor_dims(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

inline bool near(double v, double target) { return std::abs(v - target) <= 1e-4 * std::max(1.0, std::abs(target)); }

enum class Pattern { kSwish, kGeluErf, kGeluTanh, kFcBias, kChannelShuffle, kLayerNorm, kL2Normalize };

// A Slice resolved against its input: the output dims, and per dim the first index and step.
struct SliceRange {
  std::vector<int64_t> out, start, step;
};

// Constants folded by an earlier pass over the same model, by value name.
using Folded = std::map<std::string, const onnx::TensorProto*>;

struct Match {
  Pattern kind;
  std::vector<size_t> nodes;  // front: the first in topological order; back: the one whose output is the result
  std::string x;              // the pattern's activation input
};

// One ONNX shape as ONNX shape inference knows it: unknown dims are nullopt.
struct OnnxShape {
  std::vector<std::optional<int64_t>> dims;
};

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string source, const OnnxImportOptions& options,
           const Folded* seed = nullptr)
      : model_(model), gp_(model.graph()), src_(std::move(source)), options_(options), seed_(seed) {}
  Result<ir::Graph> run();
  // The constants this run folded while mapping (their shapes needed the activations'):
  // a second run seeded with them sees them before matching patterns.
  const Folded& folded() const { return folded_; }

 private:
  // ---- errors
  Error fail(ErrorCode code, const std::string& message) const { return make_error(code, src_ + ": " + message); }
  Error node_fail(size_t i, ErrorCode code, const std::string& message) const {
    return fail(code, "node " + names_[i] + " (" + node(i).op_type() + "): " + message);
  }
  Error unsupported(size_t i, const std::string& message) const {
    return node_fail(i, ErrorCode::kUnsupported, message);
  }
  const onnx::NodeProto& node(size_t i) const { return gp_.node(static_cast<int>(i)); }

  // ---- passes
  Status read_opset();
  Status validate();
  Status collect_definitions();
  Status sort_nodes();
  Status fold_constants();
  void find_patterns();
  Status check_known_ops();
  Status add_inputs();
  Status map_nodes();
  Status add_outputs();
  Status cross_check_shapes();

  // ---- node helpers
  std::string input(size_t i, int k) const {
    const auto& n = node(i);
    return k < n.input_size() ? n.input(k) : std::string();
  }
  bool is_const(const std::string& name) const { return consts_.contains(name); }
  bool is_op(size_t i, const char* op_type) const {
    const auto& n = node(i);
    return (n.domain().empty() || n.domain() == "ai.onnx") && n.op_type() == op_type && !handled_[i] &&
           !claimed_.contains(i);
  }
  std::optional<size_t> sole_consumer(const std::string& value) const;
  std::optional<std::string> other_operand(size_t i, const std::string& known) const;
  std::optional<double> const_scalar(const std::string& name) const;
  Result<ir::ValueId> act_input(size_t i, int k) const;
  Result<std::vector<double>> const_values(size_t i, const std::string& name) const;
  Result<std::vector<int64_t>> const_ints(size_t i, const std::string& name) const;
  const Shape& shape(ir::ValueId v) const { return g_.value(v).shape; }
  bool used(const std::string& value) const {
    return !value.empty() && (consumers_.contains(value) || graph_outputs_.contains(value));
  }

  // ---- attributes
  const onnx::AttributeProto* attr(size_t i, const std::string& name) const;
  Result<std::optional<int64_t>> attr_int(size_t i, const std::string& name) const;
  Result<std::optional<double>> attr_float(size_t i, const std::string& name) const;
  Result<std::optional<std::vector<int64_t>>> attr_ints(size_t i, const std::string& name) const;
  Result<std::optional<std::vector<double>>> attr_floats(size_t i, const std::string& name) const;
  Result<std::optional<std::string>> attr_string(size_t i, const std::string& name) const;
  Status window_attrs(size_t i, const Shape& xs, std::vector<int64_t> kernel, bool allow_dilation, Attrs& a) const;

  // ---- mapping
  Status map_node(size_t i);
  Result<bool> try_fold(size_t i);
  Status map_extra(size_t i);
  Result<SliceRange> resolve_slice(size_t i, const Shape& dims, const std::vector<int64_t>& starts,
                                   const std::vector<int64_t>& ends, std::vector<int64_t> axes,
                                   std::vector<int64_t> steps) const;
  Status map_slice(size_t i);
  Status map_concat(size_t i);
  Status map_layer_norm(size_t i);
  Status map_einsum(size_t i);
  Status map_match(const Match& m);
  Status emit(size_t i, const std::vector<size_t>& hint_nodes, OpKind op, std::vector<ir::ValueId> inputs, Attrs attrs,
              std::vector<std::string> outputs, const std::string& node_name = "");
  Status map_conv(size_t i);
  Status map_pool(size_t i, OpKind op);
  Status map_gemm(size_t i);
  Status map_matmul(size_t i);
  Status map_clip(size_t i);
  Status map_binary(size_t i, OpKind op);
  Status map_split(size_t i);
  Status map_reshape(size_t i);
  Status map_pad(size_t i);
  Status map_resize(size_t i);
  Status map_reduce_mean(size_t i);
  Result<Shape> resolve_reshape(size_t i, const Shape& in, const std::vector<int64_t>& target, bool allow_zero) const;

  const onnx::ModelProto& model_;
  const onnx::GraphProto& gp_;
  std::string src_;
  OnnxImportOptions options_;
  const Folded* seed_ = nullptr;
  Folded folded_;
  int weight_inputs_ = 0;
  bool prepass_ = false;  // folding before the patterns: needs no second run
  int64_t opset_ = 0;
  std::vector<std::string> names_;  // unique IR node name per ONNX node
  std::map<std::string, size_t> producer_;
  std::set<std::string> initializers_;
  std::vector<std::string> graph_inputs_;  // non-initializer inputs
  std::map<std::string, std::vector<size_t>> consumers_;
  std::set<std::string> graph_outputs_;
  std::vector<size_t> order_;
  std::vector<bool> handled_;  // folded constants and bypassed nodes
  std::map<std::string, const onnx::TensorProto*> consts_;
  std::vector<std::unique_ptr<onnx::TensorProto>> owned_;
  std::vector<Match> matches_;
  std::map<size_t, size_t> claimed_;  // node -> index into matches_
  std::map<std::string, ir::ValueId> acts_;
  ir::Graph g_;
};

// The op-table entry an ONNX node maps to, if any. Legacy names go through their modern name.
std::optional<OpKind> table_kind(const onnx::NodeProto& n);
// Constant and Dropout: handled without an IR op.
bool is_bypass(const onnx::NodeProto& n);
// Ops the importer evaluates when their inputs are constants (onnx_import_fold.cpp).
bool is_foldable_op(const onnx::NodeProto& n);

}  // namespace nnlat::formats::onnx_detail
