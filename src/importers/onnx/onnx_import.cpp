// ONNX ModelProto -> IR graph. Op names go through the op table (ir::op_from_onnx) and are
// then refined (Conv -> depthwise_conv2d, Clip -> relu / relu6 / clamp, MatMul with a
// constant weight -> fully_connected, ...); a few multi-node patterns are fused (swish,
// gelu, channel_shuffle, MatMul + bias). Mapping rules and limits: docs/onnx.md.
#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <queue>
#include <set>

#include "importers/onnx/onnx_common.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/importers/onnx.hpp"

namespace nnlat::importers {
namespace {

using namespace onnx_detail;
using ir::Attrs;
using ir::OpKind;
using ir::Shape;

std::string dims_to_string(const std::vector<int64_t>& dims) {
  if (dims.empty()) return "[] (scalar)";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}

std::vector<int64_t> tensor_dims(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

bool near(double v, double target) { return std::abs(v - target) <= 1e-4 * std::max(1.0, std::abs(target)); }

enum class Pattern { kSwish, kGeluErf, kGeluTanh, kFcBias, kChannelShuffle };

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
  Importer(const onnx::ModelProto& model, std::string source) : model_(model), gp_(model.graph()), src_(std::move(source)) {}
  Result<ir::Graph> run();

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
  Status map_match(const Match& m);
  Status emit(size_t i, const std::vector<size_t>& hint_nodes, OpKind op, std::vector<ir::ValueId> inputs, Attrs attrs,
              std::vector<std::string> outputs);
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

// ---- passes ----------------------------------------------------------------------------------

Status Importer::read_opset() {
  bool found = false;
  for (const auto& op : model_.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") {
      opset_ = op.version();
      found = true;
    }
  }
  if (!found) return fail(ErrorCode::kParseError, "not a valid ONNX model (no opset_import for the ONNX domain)");
  if (opset_ < 1) return fail(ErrorCode::kParseError, "not a valid ONNX model (opset " + std::to_string(opset_) + ")");
  return Status::Ok();
}

Status Importer::validate() {
  if (gp_.sparse_initializer_size() > 0) return fail(ErrorCode::kUnsupported, "sparse initializers are not supported");
  for (const auto& t : gp_.initializer()) {
    if (t.name().empty()) return fail(ErrorCode::kParseError, "not a valid ONNX model (an initializer has no name)");
    if (auto st = validate_tensor(t); !st.ok()) return fail(ErrorCode::kParseError, st.error().message);
  }
  for (const auto& n : gp_.node()) {
    std::set<std::string> names;
    for (const auto& a : n.attribute()) {
      if (!names.insert(a.name()).second) {
        return fail(ErrorCode::kParseError,
                    "not a valid ONNX model (node " + n.name() + " has attribute '" + a.name() + "' twice)");
      }
      if (a.has_t()) {
        if (auto st = validate_tensor(a.t()); !st.ok()) {
          return fail(ErrorCode::kParseError, "node " + n.name() + ": attribute " + a.name() + ": " + st.error().message);
        }
      }
    }
  }
  auto check_infos = [&](const auto& infos) -> Status {
    for (const auto& vi : infos) {
      if (!vi.type().has_tensor_type()) continue;
      for (const auto& d : vi.type().tensor_type().shape().dim()) {
        if (d.has_dim_value() && d.dim_value() < 0) {
          return fail(ErrorCode::kParseError, "not a valid ONNX model (value '" + vi.name() + "' has dimension " +
                                                  std::to_string(d.dim_value()) + ")");
        }
      }
    }
    return Status::Ok();
  };
  NNLAT_RETURN_IF_ERROR(check_infos(gp_.input()));
  NNLAT_RETURN_IF_ERROR(check_infos(gp_.output()));
  NNLAT_RETURN_IF_ERROR(check_infos(gp_.value_info()));
  return Status::Ok();
}

Status Importer::collect_definitions() {
  for (const auto& t : gp_.initializer()) {
    if (!initializers_.insert(t.name()).second) {
      return fail(ErrorCode::kGraphError, "initializer '" + t.name() + "' is defined twice");
    }
    consts_[t.name()] = &t;
  }
  std::set<std::string> inputs;
  for (const auto& vi : gp_.input()) {
    if (vi.name().empty()) return fail(ErrorCode::kParseError, "not a valid ONNX model (a graph input has no name)");
    if (initializers_.contains(vi.name())) continue;  // IR version < 4 lists initializers as inputs
    if (!inputs.insert(vi.name()).second) {
      return fail(ErrorCode::kGraphError, "graph input '" + vi.name() + "' is listed twice");
    }
    graph_inputs_.push_back(vi.name());
  }
  // Unique IR node names.
  std::set<std::string> taken;
  for (int i = 0; i < gp_.node_size(); ++i) {
    const auto& n = gp_.node(i);
    std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    if (base.empty()) base = "node_" + std::to_string(i);
    std::string name = base;
    for (int k = 1; taken.contains(name); ++k) name = base + "_" + std::to_string(k);
    taken.insert(name);
    names_.push_back(name);
  }
  for (size_t i = 0; i < names_.size(); ++i) {
    for (const auto& out : node(i).output()) {
      if (out.empty()) continue;
      if (inputs.contains(out) || initializers_.contains(out)) {
        return node_fail(i, ErrorCode::kGraphError, "output '" + out + "' redefines a graph input or initializer");
      }
      if (auto [it, fresh] = producer_.emplace(out, i); !fresh) {
        return node_fail(i, ErrorCode::kGraphError,
                         "output '" + out + "' is also produced by node " + names_[it->second]);
      }
    }
  }
  for (size_t i = 0; i < names_.size(); ++i) {
    for (const auto& in : node(i).input()) {
      if (in.empty()) continue;
      if (!producer_.contains(in) && !inputs.contains(in) && !initializers_.contains(in)) {
        return node_fail(i, ErrorCode::kGraphError,
                         "input '" + in + "' is not produced by any node, initializer or graph input");
      }
      auto& c = consumers_[in];
      if (c.empty() || c.back() != i) c.push_back(i);
    }
  }
  for (const auto& vi : gp_.output()) {
    if (vi.name().empty()) return fail(ErrorCode::kParseError, "not a valid ONNX model (a graph output has no name)");
    if (!producer_.contains(vi.name()) && !inputs.contains(vi.name()) && !initializers_.contains(vi.name())) {
      return fail(ErrorCode::kGraphError, "graph output '" + vi.name() + "' is not produced by any node");
    }
    graph_outputs_.insert(vi.name());
  }
  if (gp_.output_size() == 0) return fail(ErrorCode::kGraphError, "graph has no outputs");
  return Status::Ok();
}

Status Importer::sort_nodes() {
  // Kahn's algorithm, smallest index first: a file already in topological order keeps it.
  const size_t n = names_.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> next(n);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& in : node(i).input()) {
      if (auto it = producer_.find(in); it != producer_.end()) {
        ++pending[i];
        next[it->second].push_back(i);
      }
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    order_.push_back(i);
    for (size_t j : next[i]) {
      if (--pending[j] == 0) ready.push(j);
    }
  }
  if (order_.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] > 0) return fail(ErrorCode::kGraphError, "cycle in graph through node " + names_[i]);
    }
  }
  handled_.assign(n, false);
  return Status::Ok();
}

Status Importer::fold_constants() {
  for (size_t i : order_) {
    const auto& n = node(i);
    if (!(n.domain().empty() || n.domain() == "ai.onnx") || n.output_size() < 1) continue;
    if (n.op_type() == "Constant") {
      if (n.attribute_size() != 1) return node_fail(i, ErrorCode::kParseError, "needs exactly one value attribute");
      const auto& a = n.attribute(0);
      auto t = std::make_unique<onnx::TensorProto>();
      if (a.name() == "value" && a.has_t()) {
        t->CopyFrom(a.t());
      } else if (a.name() == "value_float") {
        t->set_data_type(onnx::TensorProto::FLOAT);
        t->add_float_data(a.f());
      } else if (a.name() == "value_floats") {
        t->set_data_type(onnx::TensorProto::FLOAT);
        t->add_dims(a.floats_size());
        for (float f : a.floats()) t->add_float_data(f);
      } else if (a.name() == "value_int") {
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_int64_data(a.i());
      } else if (a.name() == "value_ints") {
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(a.ints_size());
        for (int64_t v : a.ints()) t->add_int64_data(v);
      } else {
        return unsupported(i, "Constant attribute '" + a.name() + "' is not supported");
      }
      t->set_name(n.output(0));
      consts_[n.output(0)] = t.get();
      owned_.push_back(std::move(t));
      handled_[i] = true;
    } else if ((n.op_type() == "Identity" || n.op_type() == "Dropout") && n.input_size() >= 1 &&
               is_const(n.input(0))) {
      if (n.op_type() == "Dropout" && n.output_size() > 1 && used(n.output(1))) {
        return unsupported(i, "the Dropout mask output is not supported");
      }
      consts_[n.output(0)] = consts_[n.input(0)];
      handled_[i] = true;
    }
  }
  return Status::Ok();
}

std::optional<size_t> Importer::sole_consumer(const std::string& value) const {
  if (graph_outputs_.contains(value)) return std::nullopt;
  const auto it = consumers_.find(value);
  if (it == consumers_.end() || it->second.size() != 1) return std::nullopt;
  return it->second[0];
}

std::optional<std::string> Importer::other_operand(size_t i, const std::string& known) const {
  const auto& n = node(i);
  if (n.input_size() != 2) return std::nullopt;
  if (n.input(0) == known && n.input(1) != known) return n.input(1);
  if (n.input(1) == known && n.input(0) != known) return n.input(0);
  return std::nullopt;
}

std::optional<double> Importer::const_scalar(const std::string& name) const {
  const auto it = consts_.find(name);
  if (it == consts_.end() || tensor_num_elements(*it->second) != 1) return std::nullopt;
  auto v = tensor_values(*it->second);
  if (!v.ok()) return std::nullopt;
  return (*v)[0];
}

void Importer::find_patterns() {
  auto single_out = [&](size_t i) -> std::optional<std::string> {
    const auto& n = node(i);
    if (n.output_size() != 1 || n.output(0).empty()) return std::nullopt;
    return n.output(0);
  };
  // Follows `value` to its only consumer if that is an `op_type` node.
  auto next = [&](const std::string& value, const char* op_type) -> std::optional<size_t> {
    auto c = sole_consumer(value);
    if (!c || !is_op(*c, op_type) || !single_out(*c)) return std::nullopt;
    return c;
  };
  auto with_const = [&](size_t i, const std::string& known, double target) {
    auto other = other_operand(i, known);
    if (!other) return false;
    auto v = const_scalar(*other);
    return v && near(*v, target);
  };
  // The tail shared by both gelu forms: t -> Mul by x and by 0.5 (either order).
  auto gelu_tail = [&](const std::string& t, const std::string& x, std::vector<size_t>& nodes) {
    auto m1 = next(t, "Mul");
    if (!m1) return false;
    const bool x_first = other_operand(*m1, t) == x;
    if (!x_first && !with_const(*m1, t, 0.5)) return false;
    auto m2 = next(*single_out(*m1), "Mul");
    if (!m2) return false;
    const std::string t2 = *single_out(*m1);
    if (x_first ? !with_const(*m2, t2, 0.5) : other_operand(*m2, t2) != x) return false;
    nodes.push_back(*m1);
    nodes.push_back(*m2);
    return true;
  };
  auto claim = [&](Match m) {
    for (size_t j : m.nodes) claimed_[j] = matches_.size();
    matches_.push_back(std::move(m));
  };

  for (size_t i : order_) {
    if (handled_[i] || claimed_.contains(i)) continue;
    const auto& n = node(i);
    const auto out = single_out(i);
    if (!out || n.input_size() < 1) continue;
    const std::string x = n.input(0);
    if (x.empty() || is_const(x)) continue;

    if (is_op(i, "Sigmoid")) {  // x * sigmoid(x)
      if (auto m = next(*out, "Mul"); m && other_operand(*m, *out) == x) claim({Pattern::kSwish, {i, *m}, x});
      continue;
    }
    if ((is_op(i, "Div") && with_const(i, x, std::sqrt(2.0)) && node(i).input(0) == x) ||
        (is_op(i, "Mul") && with_const(i, x, 1.0 / std::sqrt(2.0)))) {  // 0.5 x (1 + erf(x / sqrt 2))
      std::vector<size_t> nodes{i};
      auto e = next(*out, "Erf");
      if (!e) continue;
      auto a = next(*single_out(*e), "Add");
      if (!a || !with_const(*a, *single_out(*e), 1.0)) continue;
      nodes.push_back(*e);
      nodes.push_back(*a);
      if (gelu_tail(*single_out(*a), x, nodes)) claim({Pattern::kGeluErf, nodes, x});
      continue;
    }
    if (is_op(i, "Pow") && node(i).input(0) == x && with_const(i, x, 3.0)) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      std::vector<size_t> nodes{i};
      auto m1 = next(*out, "Mul");
      if (!m1 || !with_const(*m1, *out, 0.044715)) continue;
      auto a1 = next(*single_out(*m1), "Add");
      if (!a1 || other_operand(*a1, *single_out(*m1)) != x) continue;
      auto m2 = next(*single_out(*a1), "Mul");
      if (!m2 || !with_const(*m2, *single_out(*a1), std::sqrt(2.0 / 3.14159265358979323846))) continue;
      auto t = next(*single_out(*m2), "Tanh");
      if (!t) continue;
      auto a2 = next(*single_out(*t), "Add");
      if (!a2 || !with_const(*a2, *single_out(*t), 1.0)) continue;
      nodes.insert(nodes.end(), {*m1, *a1, *m2, *t, *a2});
      if (gelu_tail(*single_out(*a2), x, nodes)) claim({Pattern::kGeluTanh, nodes, x});
      continue;
    }
    if (is_op(i, "MatMul") && n.input_size() == 2 && is_const(n.input(1))) {  // x W + b
      const auto& w = *consts_.at(n.input(1));
      if (w.dims_size() != 2) continue;
      auto a = next(*out, "Add");
      if (!a) continue;
      auto b = other_operand(*a, *out);
      if (!b || !is_const(*b)) continue;
      const auto bd = tensor_dims(*consts_.at(*b));
      if (bd.empty() || bd.back() != w.dims(1) || tensor_num_elements(*consts_.at(*b)) != w.dims(1)) continue;
      claim({Pattern::kFcBias, {i, *a}, x});
      continue;
    }
    if (is_op(i, "Reshape") && n.input_size() == 2 && is_const(n.input(1)) &&
        tensor_num_elements(*consts_.at(n.input(1))) == 5) {  // channel shuffle
      auto t = next(*out, "Transpose");
      if (!t) continue;
      auto perm = attr_ints(*t, "perm");
      if (!perm.ok() || *perm != std::optional<std::vector<int64_t>>(std::vector<int64_t>{0, 2, 1, 3, 4})) continue;
      auto r2 = next(*single_out(*t), "Reshape");
      if (!r2 || node(*r2).input_size() != 2 || node(*r2).input(0) != *single_out(*t) || !is_const(node(*r2).input(1)) ||
          tensor_num_elements(*consts_.at(node(*r2).input(1))) != 4) {
        continue;
      }
      claim({Pattern::kChannelShuffle, {i, *t, *r2}, x});
    }
  }
}

// The op-table entry an ONNX node maps to, if any. Legacy names go through their modern name.
std::optional<OpKind> table_kind(const onnx::NodeProto& n) {
  const bool std_domain = n.domain().empty() || n.domain() == "ai.onnx";
  if (std_domain) {
    if (n.op_type() == "Upsample") return ir::op_from_onnx("Resize");
    return ir::op_from_onnx(n.op_type());
  }
  if (n.domain() == "com.microsoft" && n.op_type() == "Gelu") return ir::op_from_onnx("Gelu");
  return std::nullopt;
}

bool is_bypass(const onnx::NodeProto& n) {
  return (n.domain().empty() || n.domain() == "ai.onnx") && (n.op_type() == "Dropout" || n.op_type() == "Constant");
}

Status Importer::check_known_ops() {
  std::string message;
  int count = 0;
  for (size_t i : order_) {
    if (handled_[i] || claimed_.contains(i)) continue;
    const auto& n = node(i);
    if (table_kind(n) || is_bypass(n)) continue;
    const std::string op = n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type();
    message += std::string(count++ ? "; " : "") + "node " + names_[i] + ": unsupported ONNX op '" + op + "'";
  }
  if (count > 0) return fail(ErrorCode::kUnsupported, message);
  return Status::Ok();
}

Status Importer::add_inputs() {
  for (const auto& vi : gp_.input()) {
    if (initializers_.contains(vi.name())) continue;
    const std::string where = "input '" + vi.name() + "'";
    if (!vi.type().has_tensor_type()) return fail(ErrorCode::kUnsupported, where + " is not a tensor");
    const auto& tt = vi.type().tensor_type();
    const auto dtype = dtype_from_onnx(tt.elem_type());
    if (!dtype) {
      return fail(ErrorCode::kUnsupported, where + " has element type " + onnx_type_name(tt.elem_type()) +
                                               " (supported: FLOAT, FLOAT16, INT8, UINT8, INT32, INT64)");
    }
    if (!tt.has_shape() || tt.shape().dim_size() == 0) {
      return fail(ErrorCode::kUnsupported, where + " has no shape (nnlat needs static input shapes)");
    }
    Shape s;
    for (int d = 0; d < tt.shape().dim_size(); ++d) {
      const auto& dim = tt.shape().dim(d);
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        s.push_back(dim.dim_value());
      } else if (d == 0) {
        s.push_back(1);  // dynamic batch
      } else {
        const std::string what = dim.has_dim_param() ? "symbolic ('" + dim.dim_param() + "')"
                                 : dim.has_dim_value() ? "zero"
                                                       : "unknown";
        return fail(ErrorCode::kUnsupported, where + ": dimension " + std::to_string(d) + " is " + what +
                                                 "; nnlat needs static shapes (only the batch may be dynamic)");
      }
    }
    acts_[vi.name()] = g_.add_input(vi.name(), s, *dtype);
  }
  if (g_.inputs().empty()) return fail(ErrorCode::kUnsupported, "graph has no (non-initializer) inputs");
  return Status::Ok();
}

// ---- helpers ---------------------------------------------------------------------------------

Result<ir::ValueId> Importer::act_input(size_t i, int k) const {
  const std::string name = input(i, k);
  if (name.empty()) return node_fail(i, ErrorCode::kParseError, "input " + std::to_string(k) + " is missing");
  if (auto it = acts_.find(name); it != acts_.end()) return it->second;
  if (is_const(name)) {
    return unsupported(i, "input '" + name + "' is a constant where nnlat needs an activation (constant folding is "
                          "not supported)");
  }
  return node_fail(i, ErrorCode::kGraphError, "input '" + name + "' is not defined");
}

Result<std::vector<double>> Importer::const_values(size_t i, const std::string& name) const {
  const auto it = consts_.find(name);
  if (it == consts_.end()) {
    return unsupported(i, "input '" + name + "' must be a constant (an initializer or Constant node)");
  }
  auto v = tensor_values(*it->second);
  if (!v.ok()) return node_fail(i, v.error().code, v.error().message);
  return v;
}

Result<std::vector<int64_t>> Importer::const_ints(size_t i, const std::string& name) const {
  NNLAT_ASSIGN_OR_RETURN(auto v, const_values(i, name));
  std::vector<int64_t> out;
  for (double d : v) {
    if (std::abs(d) > 9e15 || d != std::floor(d)) {
      return node_fail(i, ErrorCode::kParseError, "constant '" + name + "' must hold integers");
    }
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

const onnx::AttributeProto* Importer::attr(size_t i, const std::string& name) const {
  for (const auto& a : node(i).attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

namespace {
std::string attr_type_label(const onnx::AttributeProto& a) {
  return onnx::AttributeProto::AttributeType_IsValid(a.type()) ? onnx::AttributeProto::AttributeType_Name(a.type())
                                                                 : std::to_string(a.type());
}
}  // namespace

#define NNLAT_ONNX_ATTR_GETTER(fn, T, TYPE, expr)                                                         \
  Result<std::optional<T>> Importer::fn(size_t i, const std::string& name) const {                       \
    const onnx::AttributeProto* a = attr(i, name);                                                        \
    if (!a) return std::optional<T>();                                                                    \
    if (a->type() != onnx::AttributeProto::TYPE) {                                                        \
      return node_fail(i, ErrorCode::kParseError,                                                         \
                       "attribute '" + name + "' must be " #TYPE ", got " + attr_type_label(*a));         \
    }                                                                                                     \
    return std::optional<T>(expr);                                                                        \
  }
NNLAT_ONNX_ATTR_GETTER(attr_int, int64_t, INT, a->i())
NNLAT_ONNX_ATTR_GETTER(attr_float, double, FLOAT, widen_float(a->f()))
NNLAT_ONNX_ATTR_GETTER(attr_ints, std::vector<int64_t>, INTS, std::vector<int64_t>(a->ints().begin(), a->ints().end()))
NNLAT_ONNX_ATTR_GETTER(attr_string, std::string, STRING, a->s())
#undef NNLAT_ONNX_ATTR_GETTER

Result<std::optional<std::vector<double>>> Importer::attr_floats(size_t i, const std::string& name) const {
  const onnx::AttributeProto* a = attr(i, name);
  if (!a) return std::optional<std::vector<double>>();
  if (a->type() != onnx::AttributeProto::FLOATS) {
    return node_fail(i, ErrorCode::kParseError, "attribute '" + name + "' must be FLOATS, got " + attr_type_label(*a));
  }
  std::vector<double> v;
  for (float f : a->floats()) v.push_back(widen_float(f));
  return std::optional<std::vector<double>>(std::move(v));
}

// kernel / stride / dilation / pads / padding of Conv and the pools. ONNX pads are
// [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right], the IR's order.
Status Importer::window_attrs(size_t i, const Shape& xs, std::vector<int64_t> kernel, bool allow_dilation,
                              Attrs& a) const {
  auto pair = [&](const char* name) -> Result<std::optional<std::vector<int64_t>>> {
    NNLAT_ASSIGN_OR_RETURN(auto v, attr_ints(i, name));
    if (v && v->size() != 2) {
      return unsupported(i, std::string("'") + name + "' has " + std::to_string(v->size()) +
                                " values (only 2-D windows are supported)");
    }
    return v;
  };
  a["kernel"] = kernel;
  NNLAT_ASSIGN_OR_RETURN(auto strides, pair("strides"));
  NNLAT_ASSIGN_OR_RETURN(auto dilations, pair("dilations"));
  NNLAT_ASSIGN_OR_RETURN(auto pads, attr_ints(i, "pads"));
  NNLAT_ASSIGN_OR_RETURN(auto auto_pad, attr_string(i, "auto_pad"));
  if (strides) a["stride"] = *strides;
  if (dilations) {
    if (allow_dilation) {
      a["dilation"] = *dilations;
    } else if (*dilations != std::vector<int64_t>{1, 1}) {
      return unsupported(i, "dilated average pooling is not supported");
    }
  }
  if (pads) {
    if (pads->size() != 4) {
      return unsupported(i, "'pads' has " + std::to_string(pads->size()) + " values (only 2-D windows are supported)");
    }
    a["pads"] = *pads;
  }
  if (auto_pad) {
    if (*auto_pad == "NOTSET") {
      a["padding"] = std::string("explicit");
    } else if (*auto_pad == "SAME_UPPER" || *auto_pad == "VALID") {
      a["padding"] = std::string(*auto_pad == "VALID" ? "valid" : "same");
      a.erase("pads");
    } else if (*auto_pad == "SAME_LOWER") {
      // Extra padding at the start: the IR has no such mode, so write the pads out.
      const auto st = strides.value_or(std::vector<int64_t>{1, 1});
      const auto dl = dilations.value_or(std::vector<int64_t>{1, 1});
      std::vector<int64_t> p(4);
      for (size_t d = 0; d < 2; ++d) {
        const int64_t in = xs[2 + d];
        if (st[d] <= 0 || dl[d] <= 0 || kernel[d] <= 0) return node_fail(i, ErrorCode::kParseError, "bad window");
        const int64_t out = (in + st[d] - 1) / st[d];
        const int64_t total = std::max<int64_t>(0, (out - 1) * st[d] + (kernel[d] - 1) * dl[d] + 1 - in);
        p[d] = total - total / 2;
        p[d + 2] = total / 2;
      }
      a["pads"] = p;
    } else {
      return node_fail(i, ErrorCode::kParseError, "auto_pad '" + *auto_pad + "' is unknown");
    }
  }
  return Status::Ok();
}

// ---- mapping ---------------------------------------------------------------------------------

Status Importer::emit(size_t i, const std::vector<size_t>& hint_nodes, OpKind op, std::vector<ir::ValueId> inputs,
                      Attrs attrs, std::vector<std::string> outputs) {
  std::vector<Shape> in_shapes;
  for (ir::ValueId v : inputs) in_shapes.push_back(shape(v));
  // An nnlat export records the exact IR op and attributes; use that spelling when it is the
  // same function as what the ONNX nodes say (explicit defaults, 1-value windows, doubles
  // that float32 rounds, clamp(0, 6) vs relu6, ...). A hint that disagrees is ignored.
  for (size_t j : hint_nodes) {
    if (auto hint = decode_hint(node(j).doc_string())) {
      if (same_function(hint->op, hint->attrs, op, attrs, in_shapes)) {
        op = hint->op;
        attrs = std::move(hint->attrs);
      }
      break;
    }
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].empty()) {
      std::string base = names_[i] + ":" + std::to_string(k);
      outputs[k] = base;
      for (int c = 1; g_.find_value(outputs[k]) || producer_.contains(outputs[k]); ++c) {
        outputs[k] = base + "_" + std::to_string(c);
      }
    }
  }
  const ir::NodeId id = g_.add_node(names_[i], op, std::move(inputs), std::move(attrs), outputs);
  if (auto st = ir::infer_node_shapes(g_, id); !st.ok()) return fail(st.error().code, st.error().message);
  const auto& outs = g_.node(id).outputs;
  for (size_t k = 0; k < outputs.size(); ++k) acts_[outputs[k]] = outs[k];
  return Status::Ok();
}

Status Importer::map_nodes() {
  for (size_t i : order_) {
    if (handled_[i]) continue;
    if (auto it = claimed_.find(i); it != claimed_.end()) {
      const Match& m = matches_[it->second];
      if (m.nodes.front() == i) NNLAT_RETURN_IF_ERROR(map_match(m));
      continue;
    }
    NNLAT_RETURN_IF_ERROR(map_node(i));
  }
  return Status::Ok();
}

Status Importer::map_match(const Match& m) {
  const size_t last = m.nodes.back();
  const std::string out = node(last).output(0);
  const auto it = acts_.find(m.x);
  if (it == acts_.end()) return node_fail(m.nodes.front(), ErrorCode::kGraphError, "input '" + m.x + "' is not defined");
  const ir::ValueId x = it->second;
  switch (m.kind) {
    case Pattern::kSwish:
      return emit(last, m.nodes, OpKind::kSwish, {x}, {}, {out});
    case Pattern::kGeluErf:
      return emit(last, m.nodes, OpKind::kGelu, {x}, {}, {out});
    case Pattern::kGeluTanh:
      return emit(last, m.nodes, OpKind::kGelu, {x}, {{"approximate", std::string("tanh")}}, {out});
    case Pattern::kFcBias: {
      const auto& w = *consts_.at(input(m.nodes.front(), 1));
      if (shape(x).size() < 2 || shape(x).back() != w.dims(0)) {
        return node_fail(m.nodes.front(), ErrorCode::kShapeError,
                         "weight " + dims_to_string(tensor_dims(w)) + " does not fit input " +
                             ir::shape_to_string(shape(x)));
      }
      return emit(last, m.nodes, OpKind::kFullyConnected, {x}, {{"out_features", w.dims(1)}, {"bias", int64_t{1}}},
                  {out});
    }
    case Pattern::kChannelShuffle: {
      const size_t r1 = m.nodes[0];
      const Shape& xs = shape(x);
      bool ok = xs.size() == 4;
      int64_t groups = 0;
      if (ok) {
        auto t1 = const_ints(r1, input(r1, 1));
        auto s1 = t1.ok() ? resolve_reshape(r1, xs, *t1, false) : Result<Shape>(t1.error());
        ok = s1.ok() && s1->size() == 5 && (*s1)[0] == xs[0] && (*s1)[1] > 0 && (*s1)[1] * (*s1)[2] == xs[1] &&
             (*s1)[3] == xs[2] && (*s1)[4] == xs[3];
        if (ok) {
          groups = (*s1)[1];
          const Shape transposed{xs[0], (*s1)[2], groups, xs[2], xs[3]};
          const size_t r2 = m.nodes[2];
          auto t2 = const_ints(r2, input(r2, 1));
          auto s2 = t2.ok() ? resolve_reshape(r2, transposed, *t2, false) : Result<Shape>(t2.error());
          ok = s2.ok() && *s2 == xs;
        }
      }
      if (ok) return emit(last, m.nodes, OpKind::kChannelShuffle, {x}, {{"groups", groups}}, {out});
      // Not a channel shuffle after all: map the three nodes one by one.
      for (size_t j : m.nodes) claimed_.erase(j);
      return map_node(r1);
    }
  }
  return Status::Ok();
}

Result<Shape> Importer::resolve_reshape(size_t i, const Shape& in, const std::vector<int64_t>& target,
                                        bool allow_zero) const {
  Shape s;
  int infer_at = -1;
  int64_t known = 1;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t d = target[k];
    if (d == 0) {
      if (allow_zero) return unsupported(i, "Reshape to a zero-sized dimension (allowzero=1)");
      if (k >= in.size()) return node_fail(i, ErrorCode::kShapeError, "shape entry 0 has no input dimension to copy");
      d = in[k];
    }
    if (d == -1) {
      if (infer_at >= 0) return node_fail(i, ErrorCode::kShapeError, "shape has more than one -1");
      infer_at = static_cast<int>(k);
    } else if (d < 0) {
      return node_fail(i, ErrorCode::kShapeError, "shape entry " + std::to_string(d) + " is invalid");
    } else {
      known *= d;
    }
    s.push_back(d);
  }
  const int64_t n = ir::num_elements(in);
  if (infer_at >= 0) {
    if (known <= 0 || n % known != 0) {
      return node_fail(i, ErrorCode::kShapeError, "cannot infer -1 when reshaping " + ir::shape_to_string(in));
    }
    s[static_cast<size_t>(infer_at)] = n / known;
  }
  return s;
}

Status Importer::map_node(size_t i) {
  const auto& n = node(i);
  const std::vector<std::string> outs(n.output().begin(), n.output().end());
  if (outs.empty() || outs[0].empty()) return node_fail(i, ErrorCode::kParseError, "has no output");
  auto simple = [&](OpKind op, Attrs attrs = {}) -> Status {
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
    return emit(i, {i}, op, {x}, std::move(attrs), {outs[0]});
  };
  if (is_bypass(n)) {  // Dropout on an activation (Constant nodes were folded)
    if (outs.size() > 1 && used(outs[1])) return unsupported(i, "the Dropout mask output is not supported");
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
    acts_[outs[0]] = x;
    return Status::Ok();
  }
  const auto kind = table_kind(n);
  if (!kind) return unsupported(i, "unsupported ONNX op '" + n.op_type() + "'");
  switch (*kind) {
    case OpKind::kConv2d:
      return map_conv(i);
    case OpKind::kFullyConnected:
      return map_gemm(i);
    case OpKind::kMatMul:
      return map_matmul(i);
    case OpKind::kBatchNorm: {
      if (n.input_size() != 5) return node_fail(i, ErrorCode::kParseError, "BatchNormalization needs 5 inputs");
      NNLAT_ASSIGN_OR_RETURN(auto training, attr_int(i, "training_mode"));
      if (training.value_or(0) != 0 || std::any_of(outs.begin() + 1, outs.end(), [&](const auto& o) { return used(o); })) {
        return unsupported(i, "training-mode batch normalization is not supported");
      }
      NNLAT_ASSIGN_OR_RETURN(auto eps, attr_float(i, "epsilon"));
      Attrs a;
      if (eps) a["epsilon"] = *eps;
      return simple(OpKind::kBatchNorm, a);
    }
    case OpKind::kClamp:
      return map_clip(i);
    case OpKind::kHardSigmoid: {
      Attrs a;
      NNLAT_ASSIGN_OR_RETURN(auto alpha, attr_float(i, "alpha"));
      NNLAT_ASSIGN_OR_RETURN(auto beta, attr_float(i, "beta"));
      if (alpha) a["alpha"] = *alpha;
      if (beta) a["beta"] = *beta;
      return simple(OpKind::kHardSigmoid, a);
    }
    case OpKind::kGelu: {
      Attrs a;
      NNLAT_ASSIGN_OR_RETURN(auto approx, attr_string(i, "approximate"));
      if (approx) {
        if (*approx != "none" && *approx != "tanh") return unsupported(i, "approximate '" + *approx + "'");
        a["approximate"] = *approx;
      }
      return simple(OpKind::kGelu, a);
    }
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      return map_pool(i, *kind);
    case OpKind::kReduceMean:
      return map_reduce_mean(i);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return map_binary(i, *kind);
    case OpKind::kConcat: {
      std::vector<ir::ValueId> xs;
      for (int k = 0; k < n.input_size(); ++k) {
        NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, k));
        xs.push_back(x);
      }
      if (xs.empty()) return node_fail(i, ErrorCode::kParseError, "Concat has no inputs");
      NNLAT_ASSIGN_OR_RETURN(auto axis, attr_int(i, "axis"));
      Attrs a;
      if (axis) a["axis"] = *axis;
      return emit(i, {i}, OpKind::kConcat, xs, a, {outs[0]});
    }
    case OpKind::kSplit:
      return map_split(i);
    case OpKind::kReshape:
      return map_reshape(i);
    case OpKind::kFlatten: {
      NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
      NNLAT_ASSIGN_OR_RETURN(auto axis, attr_int(i, "axis"));
      Attrs a;
      if (axis) a["axis"] = *axis < 0 ? *axis + static_cast<int64_t>(shape(x).size()) : *axis;
      return emit(i, {i}, OpKind::kFlatten, {x}, a, {outs[0]});
    }
    case OpKind::kTranspose: {
      NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
      NNLAT_ASSIGN_OR_RETURN(auto perm, attr_ints(i, "perm"));
      std::vector<int64_t> p;
      if (perm) {
        p = *perm;
      } else {
        for (auto r = static_cast<int64_t>(shape(x).size()); r > 0; --r) p.push_back(r - 1);
      }
      return emit(i, {i}, OpKind::kTranspose, {x}, {{"perm", p}}, {outs[0]});
    }
    case OpKind::kPad:
      return map_pad(i);
    case OpKind::kResize:
      return map_resize(i);
    case OpKind::kSoftmax: {
      NNLAT_ASSIGN_OR_RETURN(auto axis, attr_int(i, "axis"));
      Attrs a;
      if (axis) {
        a["axis"] = *axis;
      } else if (opset_ < 13) {
        a["axis"] = int64_t{1};  // the old default (the flattened 2-D form has the same latency profile)
      }
      return simple(OpKind::kSoftmax, a);
    }
    default:
      break;
  }
  // Ops without attributes: relu, hardswish, sigmoid, tanh, global_avg_pool, identity (legacy
  // attributes such as opset 1's consumed_inputs change nothing and are ignored).
  return simple(*kind);
}

Status Importer::map_conv(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  if (xs.size() != 4) {
    return unsupported(i, "Conv on a rank-" + std::to_string(xs.size()) + " input (only 2-D convolution is supported)");
  }
  const std::string wname = input(i, 1);
  if (!is_const(wname)) return unsupported(i, "Conv with a non-constant weight is not supported");
  const auto wd = tensor_dims(*consts_.at(wname));
  if (wd.size() != 4) return node_fail(i, ErrorCode::kShapeError, "weight has shape " + dims_to_string(wd));
  NNLAT_ASSIGN_OR_RETURN(auto group_attr, attr_int(i, "group"));
  const int64_t group = group_attr.value_or(1);
  if (group <= 0) return node_fail(i, ErrorCode::kParseError, "group must be positive");
  if (wd[1] * group != xs[1]) {
    return node_fail(i, ErrorCode::kShapeError,
                     "weight " + dims_to_string(wd) + " with group=" + std::to_string(group) + " expects " +
                         std::to_string(wd[1] * group) + " input channels, the input has " + std::to_string(xs[1]));
  }
  NNLAT_ASSIGN_OR_RETURN(auto kernel_shape, attr_ints(i, "kernel_shape"));
  const std::vector<int64_t> kernel{wd[2], wd[3]};
  if (kernel_shape && *kernel_shape != kernel) {
    return node_fail(i, ErrorCode::kShapeError, "kernel_shape differs from the weight shape " + dims_to_string(wd));
  }
  const int64_t m = wd[0];
  const bool bias = !input(i, 2).empty();
  if (bias && !is_const(input(i, 2))) return unsupported(i, "Conv with a non-constant bias is not supported");
  Attrs a;
  NNLAT_RETURN_IF_ERROR(window_attrs(i, xs, kernel, true, a));
  if (bias) a["bias"] = int64_t{1};
  if (group > 1 && group == xs[1] && m % group == 0) {
    if (m / group != 1) a["multiplier"] = m / group;
    return emit(i, {i}, OpKind::kDepthwiseConv2d, {x}, a, {node(i).output(0)});
  }
  a["out_channels"] = m;
  if (group_attr) a["groups"] = group;
  return emit(i, {i}, OpKind::kConv2d, {x}, a, {node(i).output(0)});
}

Status Importer::map_pool(size_t i, OpKind op) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  if (xs.size() != 4) return unsupported(i, "pooling on a rank-" + std::to_string(xs.size()) + " input (only 2-D)");
  const auto& n = node(i);
  if (n.output_size() > 1 && used(n.output(1))) return unsupported(i, "the MaxPool indices output is not supported");
  NNLAT_ASSIGN_OR_RETURN(auto kernel, attr_ints(i, "kernel_shape"));
  if (!kernel) return node_fail(i, ErrorCode::kParseError, "kernel_shape is missing");
  if (kernel->size() != 2) return unsupported(i, "only 2-D pooling windows are supported");
  Attrs a;
  NNLAT_RETURN_IF_ERROR(window_attrs(i, xs, *kernel, op == OpKind::kMaxPool2d, a));
  NNLAT_ASSIGN_OR_RETURN(auto ceil_mode, attr_int(i, "ceil_mode"));
  if (ceil_mode) a["ceil_mode"] = *ceil_mode;
  if (op == OpKind::kAvgPool2d) {
    NNLAT_ASSIGN_OR_RETURN(auto cip, attr_int(i, "count_include_pad"));
    if (cip) a["count_include_pad"] = *cip;
  }
  return emit(i, {i}, op, {x}, a, {n.output(0)});
}

Status Importer::map_gemm(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  NNLAT_ASSIGN_OR_RETURN(auto trans_a, attr_int(i, "transA"));
  NNLAT_ASSIGN_OR_RETURN(auto trans_b, attr_int(i, "transB"));
  if (trans_a.value_or(0) != 0) return unsupported(i, "Gemm with transA=1 is not supported");
  if (xs.size() != 2) return node_fail(i, ErrorCode::kShapeError, "Gemm input must be 2-D, got " + ir::shape_to_string(xs));
  const std::string wname = input(i, 1);
  const bool bias = !input(i, 2).empty();
  if (!is_const(wname)) {
    if (trans_b.value_or(0) != 0 || bias) {
      return unsupported(i, "Gemm with a non-constant weight is only supported as a plain matmul");
    }
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId b, act_input(i, 1));
    return emit(i, {i}, OpKind::kMatMul, {x, b}, {}, {node(i).output(0)});
  }
  const auto wd = tensor_dims(*consts_.at(wname));
  if (wd.size() != 2) return node_fail(i, ErrorCode::kShapeError, "Gemm weight has shape " + dims_to_string(wd));
  const bool tb = trans_b.value_or(0) != 0;
  const int64_t k = tb ? wd[1] : wd[0];
  const int64_t nout = tb ? wd[0] : wd[1];
  if (k != xs[1]) {
    return node_fail(i, ErrorCode::kShapeError,
                     "weight " + dims_to_string(wd) + " does not fit input " + ir::shape_to_string(xs));
  }
  return emit(i, {i}, OpKind::kFullyConnected, {x}, {{"out_features", nout}, {"bias", int64_t{bias ? 1 : 0}}},
              {node(i).output(0)});
}

Status Importer::map_matmul(size_t i) {
  if (node(i).input_size() != 2) return node_fail(i, ErrorCode::kParseError, "MatMul needs 2 inputs");
  if (is_const(input(i, 0))) return unsupported(i, "MatMul with a constant first operand is not supported");
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const std::string wname = input(i, 1);
  if (!is_const(wname)) {
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId b, act_input(i, 1));
    return emit(i, {i}, OpKind::kMatMul, {x, b}, {}, {node(i).output(0)});
  }
  const auto wd = tensor_dims(*consts_.at(wname));
  const Shape& xs = shape(x);
  if (wd.size() != 2) return unsupported(i, "MatMul with a constant weight of shape " + dims_to_string(wd) + " (only 2-D)");
  if (xs.size() < 2 || xs.back() != wd[0]) {
    return node_fail(i, ErrorCode::kShapeError,
                     "weight " + dims_to_string(wd) + " does not fit input " + ir::shape_to_string(xs));
  }
  return emit(i, {i}, OpKind::kFullyConnected, {x}, {{"out_features", wd[1]}, {"bias", int64_t{0}}},
              {node(i).output(0)});
}

Status Importer::map_clip(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  // Absent bounds, infinities and +-FLT_MAX (the old defaults) all mean "no bound".
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double lo = -kInf;
  double hi = kInf;
  if (opset_ < 11) {
    NNLAT_ASSIGN_OR_RETURN(auto min_attr, attr_float(i, "min"));
    NNLAT_ASSIGN_OR_RETURN(auto max_attr, attr_float(i, "max"));
    lo = min_attr.value_or(-kInf);
    hi = max_attr.value_or(kInf);
  } else {
    for (int k = 1; k <= 2; ++k) {
      const std::string name = input(i, k);
      if (name.empty()) continue;
      if (!is_const(name)) return unsupported(i, "Clip with a non-constant bound is not supported");
      NNLAT_ASSIGN_OR_RETURN(auto v, const_values(i, name));
      if (v.size() != 1) return node_fail(i, ErrorCode::kShapeError, "Clip bounds must be scalars");
      (k == 1 ? lo : hi) = v[0];
    }
  }
  const bool has_lo = lo > -static_cast<double>(FLT_MAX);
  const bool has_hi = hi < static_cast<double>(FLT_MAX);
  const std::string out = node(i).output(0);
  if (has_lo && lo == 0.0 && has_hi && hi == 6.0) return emit(i, {i}, OpKind::kRelu6, {x}, {}, {out});
  if (has_lo && lo == 0.0 && !has_hi) return emit(i, {i}, OpKind::kRelu, {x}, {}, {out});
  Attrs a;
  if (has_lo) a["min"] = lo;
  if (has_hi) a["max"] = hi;
  return emit(i, {i}, OpKind::kClamp, {x}, a, {out});
}

Status Importer::map_binary(size_t i, OpKind op) {
  const auto& n = node(i);
  if (n.input_size() != 2) return node_fail(i, ErrorCode::kParseError, n.op_type() + " needs 2 inputs");
  const bool c0 = is_const(n.input(0));
  const bool c1 = is_const(n.input(1));
  if (c0 && c1) return unsupported(i, "both operands are constants (constant folding is not supported)");
  if (!c0 && !c1) {
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId a, act_input(i, 0));
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId b, act_input(i, 1));
    return emit(i, {i}, op, {a, b}, {}, {n.output(0)});
  }
  const int xk = c0 ? 1 : 0;
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, xk));
  const std::string cname = n.input(1 - xk);
  const auto cd = tensor_dims(*consts_.at(cname));
  if (tensor_num_elements(*consts_.at(cname)) != 1 || cd.size() > shape(x).size()) {
    return unsupported(i, n.op_type() + " with a constant tensor operand '" + cname + "' of shape " +
                              dims_to_string(cd) + " (only scalar constants are supported)");
  }
  if (c0 && (op == OpKind::kSub || op == OpKind::kDiv)) {
    return unsupported(i, n.op_type() + " with a constant first operand (c " + (op == OpKind::kSub ? "-" : "/") +
                              " x) has no nnlat form");
  }
  NNLAT_ASSIGN_OR_RETURN(auto v, const_values(i, cname));
  return emit(i, {i}, op, {x}, {{"scalar", v[0]}}, {n.output(0)});
}

Status Importer::map_split(size_t i) {
  const auto& n = node(i);
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  NNLAT_ASSIGN_OR_RETURN(auto axis_attr, attr_int(i, "axis"));
  const int64_t axis = axis_attr.value_or(0);
  const auto rank = static_cast<int64_t>(xs.size());
  if (axis < -rank || axis >= rank) return node_fail(i, ErrorCode::kShapeError, "axis out of range");
  const int64_t dim = xs[static_cast<size_t>(axis < 0 ? axis + rank : axis)];
  std::vector<int64_t> sizes;
  NNLAT_ASSIGN_OR_RETURN(auto split_attr, attr_ints(i, "split"));
  if (split_attr) {
    sizes = *split_attr;
  } else if (!input(i, 1).empty()) {
    NNLAT_ASSIGN_OR_RETURN(sizes, const_ints(i, input(i, 1)));
  } else {
    const auto parts = static_cast<int64_t>(n.output_size());
    if (parts <= 0) return node_fail(i, ErrorCode::kParseError, "Split has no outputs");
    const int64_t chunk = (dim + parts - 1) / parts;  // opset 18: the last chunk may be smaller
    for (int64_t k = 0; k < parts; ++k) sizes.push_back(std::min(chunk, dim - k * chunk));
  }
  if (static_cast<int>(sizes.size()) != n.output_size()) {
    return node_fail(i, ErrorCode::kShapeError, std::to_string(sizes.size()) + " split sizes for " +
                                                    std::to_string(n.output_size()) + " outputs");
  }
  Attrs a{{"axis", axis}, {"sizes", sizes}};  // ONNX's default axis is 0, the IR's is 1: always explicit
  return emit(i, {i}, OpKind::kSplit, {x}, a, {n.output().begin(), n.output().end()});
}

Status Importer::map_reshape(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  std::vector<int64_t> target;
  NNLAT_ASSIGN_OR_RETURN(auto shape_attr, attr_ints(i, "shape"));  // opset < 5
  if (shape_attr) {
    target = *shape_attr;
  } else {
    const std::string sname = input(i, 1);
    if (sname.empty()) return node_fail(i, ErrorCode::kParseError, "Reshape has no shape input");
    if (!is_const(sname)) {
      return unsupported(i, "Reshape with a shape computed at run time is not supported (the shape must be a constant)");
    }
    NNLAT_ASSIGN_OR_RETURN(target, const_ints(i, sname));
  }
  NNLAT_ASSIGN_OR_RETURN(auto allow_zero, attr_int(i, "allowzero"));
  NNLAT_ASSIGN_OR_RETURN(Shape s, resolve_reshape(i, shape(x), target, allow_zero.value_or(0) != 0));
  return emit(i, {i}, OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>(s)}}, {node(i).output(0)});
}

Status Importer::map_pad(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const auto rank = static_cast<int64_t>(shape(x).size());
  std::vector<int64_t> pads;
  std::optional<double> value;
  if (opset_ < 11) {
    NNLAT_ASSIGN_OR_RETURN(auto p, attr_ints(i, "pads"));
    if (!p) {
      NNLAT_ASSIGN_OR_RETURN(p, attr_ints(i, "paddings"));
    }
    if (!p) return node_fail(i, ErrorCode::kParseError, "Pad has no pads");
    pads = *p;
    NNLAT_ASSIGN_OR_RETURN(value, attr_float(i, "value"));
  } else {
    if (input(i, 1).empty()) return node_fail(i, ErrorCode::kParseError, "Pad has no pads input");
    NNLAT_ASSIGN_OR_RETURN(pads, const_ints(i, input(i, 1)));
    if (!input(i, 2).empty()) {
      NNLAT_ASSIGN_OR_RETURN(auto v, const_values(i, input(i, 2)));
      if (v.size() != 1) return node_fail(i, ErrorCode::kShapeError, "constant_value must be a scalar");
      value = v[0];
    }
    if (!input(i, 3).empty()) {  // opset 18 axes
      NNLAT_ASSIGN_OR_RETURN(auto axes, const_ints(i, input(i, 3)));
      if (pads.size() != 2 * axes.size()) return node_fail(i, ErrorCode::kShapeError, "pads do not match axes");
      std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
      for (size_t k = 0; k < axes.size(); ++k) {
        const int64_t ax = axes[k] < 0 ? axes[k] + rank : axes[k];
        if (ax < 0 || ax >= rank) return node_fail(i, ErrorCode::kShapeError, "axis out of range");
        full[static_cast<size_t>(ax)] = pads[k];
        full[static_cast<size_t>(ax + rank)] = pads[k + axes.size()];
      }
      pads = full;
    }
  }
  Attrs a{{"pads", pads}};
  NNLAT_ASSIGN_OR_RETURN(auto mode, attr_string(i, "mode"));
  if (mode) {
    if (*mode != "constant" && *mode != "reflect" && *mode != "edge") return unsupported(i, "Pad mode '" + *mode + "'");
    a["mode"] = *mode;
  }
  if (value) a["value"] = *value;
  return emit(i, {i}, OpKind::kPad, {x}, a, {node(i).output(0)});
}

Status Importer::map_resize(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  if (xs.size() != 4) return unsupported(i, "resizing a rank-" + std::to_string(xs.size()) + " input (only NCHW)");
  if (attr(i, "axes")) return unsupported(i, "Resize with 'axes' is not supported");
  Attrs a;
  NNLAT_ASSIGN_OR_RETURN(auto mode, attr_string(i, "mode"));
  if (mode) {
    if (*mode == "nearest") {
      a["mode"] = std::string("nearest");
    } else if (*mode == "linear" || *mode == "bilinear") {
      a["mode"] = std::string("bilinear");
    } else {
      return unsupported(i, "resize mode '" + *mode + "'");
    }
  }
  std::optional<std::vector<double>> scales;
  std::optional<std::vector<int64_t>> sizes;
  auto from_input = [&](int k, bool ints) -> Status {
    const std::string name = input(i, k);
    if (name.empty()) return Status::Ok();
    if (!is_const(name)) return unsupported(i, "scales / sizes computed at run time are not supported");
    if (tensor_num_elements(*consts_.at(name)) == 0) return Status::Ok();
    if (ints) {
      NNLAT_ASSIGN_OR_RETURN(sizes, const_ints(i, name));
    } else {
      NNLAT_ASSIGN_OR_RETURN(scales, const_values(i, name));
    }
    return Status::Ok();
  };
  if (node(i).op_type() == "Upsample") {
    if (opset_ < 9) {
      NNLAT_ASSIGN_OR_RETURN(scales, attr_floats(i, "scales"));
    } else {
      NNLAT_RETURN_IF_ERROR(from_input(1, false));
    }
  } else if (opset_ < 11) {
    NNLAT_RETURN_IF_ERROR(from_input(1, false));
  } else {
    NNLAT_RETURN_IF_ERROR(from_input(2, false));
    NNLAT_RETURN_IF_ERROR(from_input(3, true));
  }
  if (sizes) {
    if (sizes->size() != 4 || (*sizes)[0] != xs[0] || (*sizes)[1] != xs[1]) {
      return unsupported(i, "resizing other than H and W is not supported");
    }
    a["size"] = std::vector<int64_t>{(*sizes)[2], (*sizes)[3]};
  } else if (scales) {
    if (scales->size() != 4 || (*scales)[0] != 1.0 || (*scales)[1] != 1.0) {
      return unsupported(i, "resizing other than H and W is not supported");
    }
    a["scales"] = std::vector<double>{(*scales)[2], (*scales)[3]};
  } else {
    return node_fail(i, ErrorCode::kParseError, "neither scales nor sizes are given");
  }
  return emit(i, {i}, OpKind::kResize, {x}, a, {node(i).output(0)});
}

Status Importer::map_reduce_mean(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  NNLAT_ASSIGN_OR_RETURN(auto axes, attr_ints(i, "axes"));
  if (!axes && !input(i, 1).empty()) {  // opset 18
    std::vector<int64_t> v;
    NNLAT_ASSIGN_OR_RETURN(v, const_ints(i, input(i, 1)));
    axes = v;
  }
  if (!axes || axes->empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto noop, attr_int(i, "noop_with_empty_axes"));
    if (noop.value_or(0) != 0) return unsupported(i, "ReduceMean with noop_with_empty_axes=1 is not supported");
    std::vector<int64_t> all;
    for (int64_t d = 0; d < static_cast<int64_t>(shape(x).size()); ++d) all.push_back(d);
    axes = all;
  }
  Attrs a{{"axes", *axes}};
  NNLAT_ASSIGN_OR_RETURN(auto keepdims, attr_int(i, "keepdims"));
  if (keepdims) a["keepdims"] = *keepdims;
  return emit(i, {i}, OpKind::kReduceMean, {x}, a, {node(i).output(0)});
}

Status Importer::add_outputs() {
  for (const auto& vi : gp_.output()) {
    if (auto it = acts_.find(vi.name()); it != acts_.end()) {
      g_.mark_output(it->second);
    } else if (is_const(vi.name())) {
      return fail(ErrorCode::kUnsupported, "graph output '" + vi.name() + "' is a constant");
    } else {
      return fail(ErrorCode::kGraphError, "graph output '" + vi.name() + "' is not produced by any node");
    }
  }
  return Status::Ok();
}

// Runs ONNX shape inference on a light copy of the model (large initializers become typed
// graph inputs, the batch is fixed to the IR's, declared shapes are dropped) and compares
// every shape ONNX infers, and every shape the file declares, with the IR's. ONNX
// exceptions are caught: inference that stops early just leaves fewer shapes to compare.
Status Importer::cross_check_shapes() {
  onnx::ModelProto light;
  light.set_ir_version(model_.ir_version());
  *light.mutable_opset_import() = model_.opset_import();
  onnx::GraphProto* lg = light.mutable_graph();
  lg->set_name(gp_.name());
  *lg->mutable_node() = gp_.node();
  for (auto& n : *lg->mutable_node()) n.clear_doc_string();
  std::set<std::string> listed;
  for (const auto& vi : gp_.input()) {
    onnx::ValueInfoProto* in = lg->add_input();
    *in = vi;
    listed.insert(vi.name());
    if (auto it = acts_.find(vi.name()); it != acts_.end() && !initializers_.contains(vi.name())) {
      auto* shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->clear_dim();
      for (int64_t d : g_.value(it->second).shape) shape->add_dim()->set_dim_value(d);
    }
  }
  for (const auto& t : gp_.initializer()) {
    if (tensor_num_elements(t) <= 64 && t.data_location() != onnx::TensorProto::EXTERNAL) {
      *lg->add_initializer() = t;
    } else if (!listed.contains(t.name())) {
      onnx::ValueInfoProto* in = lg->add_input();
      in->set_name(t.name());
      auto* tt = in->mutable_type()->mutable_tensor_type();
      tt->set_elem_type(t.data_type());
      auto* shape = tt->mutable_shape();
      for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
  }
  // Shapes declared in the file are compared separately: ONNX throws when its inference
  // disagrees with a declared shape, and then reports nothing.
  *lg->mutable_output() = gp_.output();
  for (auto& vi : *lg->mutable_output()) {
    if (vi.type().has_tensor_type()) vi.mutable_type()->mutable_tensor_type()->clear_shape();
  }
  try {
    onnx::shape_inference::InferShapes(light);
  } catch (...) {
    // Inference stopped at a node ONNX rejects; compare what it inferred before that.
  }
  using Known = std::map<std::string, OnnxShape>;
  auto collect = [](const auto& infos, Known& known) {
    for (const auto& vi : infos) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
      OnnxShape s;
      for (const auto& d : vi.type().tensor_type().shape().dim()) {
        s.dims.push_back(d.has_dim_value() && d.dim_value() > 0 ? std::optional<int64_t>(d.dim_value()) : std::nullopt);
      }
      known[vi.name()] = std::move(s);
    }
  };
  Known inferred;
  collect(lg->value_info(), inferred);
  collect(lg->output(), inferred);
  Known declared;
  collect(gp_.value_info(), declared);
  collect(gp_.output(), declared);
  auto compare = [&](const Known& known, const std::string& who) -> Status {
    for (const auto& n : g_.nodes()) {
      for (ir::ValueId v : n.outputs) {
        const ir::Value& val = g_.value(v);
        const auto it = known.find(val.name);
        if (it == known.end()) continue;
        bool same = it->second.dims.size() == val.shape.size();
        for (size_t d = 0; same && d < val.shape.size(); ++d) {
          same = !it->second.dims[d] || *it->second.dims[d] == val.shape[d];
        }
        if (same) continue;
        std::string onnx_shape;
        for (size_t d = 0; d < it->second.dims.size(); ++d) {
          if (d > 0) onnx_shape += 'x';
          onnx_shape += it->second.dims[d] ? std::to_string(*it->second.dims[d]) : std::string("?");
        }
        return fail(ErrorCode::kShapeError, "node " + n.name + ": output '" + val.name + "' has shape " +
                                                ir::shape_to_string(val.shape) + " in nnlat but " + who + " " +
                                                (onnx_shape.empty() ? "a scalar" : onnx_shape));
      }
    }
    return Status::Ok();
  };
  NNLAT_RETURN_IF_ERROR(compare(inferred, "ONNX shape inference gives"));
  return compare(declared, "the file declares");
}

Result<ir::Graph> Importer::run() {
  NNLAT_RETURN_IF_ERROR(read_opset());
  NNLAT_RETURN_IF_ERROR(validate());
  NNLAT_RETURN_IF_ERROR(collect_definitions());
  NNLAT_RETURN_IF_ERROR(sort_nodes());
  NNLAT_RETURN_IF_ERROR(fold_constants());
  find_patterns();
  NNLAT_RETURN_IF_ERROR(check_known_ops());
  g_.name = gp_.name().empty() ? std::filesystem::path(src_).stem().string() : gp_.name();
  if (g_.name.empty()) g_.name = "onnx";
  for (const auto& p : model_.metadata_props()) g_.metadata[p.key()] = p.value();
  if (auto it = g_.metadata.find("source"); it != g_.metadata.end() && it->second != "onnx:" + src_) {
    g_.metadata["exported_from"] = it->second;
  }
  g_.metadata["source"] = "onnx:" + src_;
  NNLAT_RETURN_IF_ERROR(add_inputs());
  NNLAT_RETURN_IF_ERROR(map_nodes());
  NNLAT_RETURN_IF_ERROR(add_outputs());
  if (auto st = ir::verify(g_); !st.ok()) return fail(st.error().code, st.error().message);
  NNLAT_RETURN_IF_ERROR(cross_check_shapes());
  return std::move(g_);
}

}  // namespace

Result<ir::Graph> import_onnx_bytes(std::string_view bytes, const std::string& source) {
  auto invalid = [&](const std::string& why) {
    return make_error(ErrorCode::kParseError, source + ": not a valid ONNX model (" + why + ")");
  };
  if (bytes.empty()) return invalid("empty file");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return invalid("larger than protobuf's 2 GiB limit");
  try {
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return invalid("protobuf parse failed: truncated or not an ONNX file");
    }
    if (model.ir_version() <= 0) return invalid("no ir_version");
    if (!model.has_graph()) return invalid("no graph");
    return Importer(model, source).run();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, source + ": ONNX import failed: " + e.what());
  } catch (...) {
    return make_error(ErrorCode::kInternal, source + ": ONNX import failed with an unknown exception");
  }
}

Result<ir::Graph> import_onnx_file(const std::string& path) {
  NNLAT_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return import_onnx_bytes(bytes, path);
}

}  // namespace nnlat::importers
