// ONNX ModelProto -> IR graph. Op names go through the op table (ir::op_from_onnx) and are
// then refined (Conv -> depthwise_conv2d, Clip -> relu / relu6 / clamp, MatMul with a
// constant weight -> fully_connected, ...); a few multi-node patterns are fused (swish,
// gelu, channel_shuffle, MatMul + bias). Mapping rules and limits: docs/onnx.md.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <queue>
#include <set>

#include "formats/onnx/onnx_importer.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/onnx.hpp"

namespace nnlat::formats {
namespace onnx_detail {

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
          return fail(ErrorCode::kParseError,
                      "node " + n.name() + ": attribute " + a.name() + ": " + st.error().message);
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
  // Weights given as graph inputs (torch.onnx.export(export_params=False)): constants whose
  // values nnlat never reads, as initializers stored as external data.
  if (!options_.activation_inputs.empty()) {
    const std::set<std::string> acts(options_.activation_inputs.begin(), options_.activation_inputs.end());
    std::set<std::string> found;
    for (const auto& vi : gp_.input()) {
      if (initializers_.contains(vi.name())) continue;
      if (acts.contains(vi.name())) {
        found.insert(vi.name());
        continue;
      }
      auto t = std::make_unique<onnx::TensorProto>();
      t->set_name(vi.name());
      const auto& tt = vi.type().tensor_type();
      t->set_data_type(tt.elem_type());
      for (const auto& d : tt.shape().dim()) {
        if (!d.has_dim_value()) {
          return fail(ErrorCode::kUnsupported, "weight input '" + vi.name() + "' has a dimension that is not static");
        }
        t->add_dims(d.dim_value());
      }
      t->set_data_location(onnx::TensorProto::EXTERNAL);
      initializers_.insert(vi.name());
      consts_[vi.name()] = t.get();
      owned_.push_back(std::move(t));
      ++weight_inputs_;
    }
    for (const auto& a : acts) {
      if (!found.contains(a)) return fail(ErrorCode::kInvalidArgument, "the model has no graph input '" + a + "'");
    }
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
    if (seed_ != nullptr && n.output_size() >= 1 &&
        std::all_of(n.output().begin(), n.output().end(),
                    [&](const std::string& o) { return o.empty() || seed_->contains(o); })) {
      for (const auto& o : n.output()) {
        if (!o.empty()) consts_[o] = seed_->at(o);
      }
      handled_[i] = true;
      continue;
    }
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
    } else if ((n.op_type() == "Identity" || n.op_type() == "Dropout") && n.input_size() >= 1 && is_const(n.input(0))) {
      if (n.op_type() == "Dropout" && n.output_size() > 1 && used(n.output(1))) {
        return unsupported(i, "the Dropout mask output is not supported");
      }
      consts_[n.output(0)] = consts_[n.input(0)];
      handled_[i] = true;
    } else if (n.op_type() != "Shape" && n.op_type() != "Size") {
      // Everything computed from constants alone folds now, before the patterns look for
      // their constants (F.normalize's epsilon is a Cast of a Constant). A node that cannot
      // fold is decided when mapped, where its error names it.
      prepass_ = true;
      auto folded = try_fold(i);
      prepass_ = false;
      (void)folded;
    }
  }
  return Status::Ok();
}

Status Importer::check_known_ops() {
  std::string message;
  int count = 0;
  for (size_t i : order_) {
    if (handled_[i] || claimed_.contains(i)) continue;
    const auto& n = node(i);
    // Foldable ops and Einsum: decided when mapped (folded, or mapped on activations, or refused).
    if (table_kind(n) || is_bypass(n) || is_foldable_op(n) || n.op_type() == "Einsum") continue;
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
        const std::string what = dim.has_dim_param()   ? "symbolic ('" + dim.dim_param() + "')"
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
    return unsupported(i, "input '" + name +
                              "' is a constant where nnlat needs an activation (constant folding is "
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
    if (!std::isfinite(d) || d != std::floor(d)) {
      return node_fail(i, ErrorCode::kParseError, "constant '" + name + "' must hold integers");
    }
    // INT64_MAX / MIN ("to the end" of a Slice) do not survive the trip through double:
    // anything beyond 2^62 is clamped there, which every reader treats as "unbounded".
    constexpr double kBig = 4611686018427387904.0;  // 2^62
    out.push_back(d >= kBig ? (int64_t{1} << 62) : d <= -kBig ? -(int64_t{1} << 62) : static_cast<int64_t>(d));
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

#define NNLAT_ONNX_ATTR_GETTER(fn, T, TYPE, expr)                                                 \
  Result<std::optional<T>> Importer::fn(size_t i, const std::string& name) const {                \
    const onnx::AttributeProto* a = attr(i, name);                                                \
    if (!a) return std::optional<T>();                                                            \
    if (a->type() != onnx::AttributeProto::TYPE) {                                                \
      return node_fail(i, ErrorCode::kParseError,                                                 \
                       "attribute '" + name + "' must be " #TYPE ", got " + attr_type_label(*a)); \
    }                                                                                             \
    return std::optional<T>(expr);                                                                \
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
      constexpr int64_t kMax = int64_t{1} << 24;
      for (size_t d = 0; d < 2; ++d) {
        const int64_t in = xs[2 + d];
        if (st[d] <= 0 || dl[d] <= 0 || kernel[d] <= 0 || st[d] > kMax || dl[d] > kMax || kernel[d] > kMax) {
          return node_fail(i, ErrorCode::kParseError, "kernel, strides and dilations must be in [1, 2^24]");
        }
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
                      Attrs attrs, std::vector<std::string> outputs, const std::string& node_name) {
  const std::string& name = node_name.empty() ? names_[i] : node_name;
  std::vector<Shape> in_shapes;
  for (ir::ValueId v : inputs) in_shapes.push_back(shape(v));
  // An nnlat export records the exact IR op and attributes; use that spelling when it is the
  // same function as what the ONNX nodes say (explicit defaults, 1-value windows, doubles
  // that float32 rounds, clamp(0, 6) vs relu6, ...). A hint that disagrees is ignored.
  for (size_t j : hint_nodes) {
    if (auto hint = decode_hint(node(j).doc_string())) {
      const ir::OpInfo& info = ir::op_info(hint->op);
      const auto n_in = static_cast<int>(inputs.size());
      const bool fits = n_in >= info.min_inputs && n_in <= info.max_inputs &&
                        (info.num_outputs < 0 || info.num_outputs == static_cast<int>(outputs.size())) &&
                        ir::validate_attrs(hint->op, hint->attrs).ok();
      if (fits && same_function(hint->op, hint->attrs, op, attrs, in_shapes)) {
        op = hint->op;
        attrs = std::move(hint->attrs);
      }
      break;
    }
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].empty()) {
      std::string base = name + ":" + std::to_string(k);
      outputs[k] = base;
      for (int c = 1; g_.find_value(outputs[k]) || producer_.contains(outputs[k]); ++c) {
        outputs[k] = base + "_" + std::to_string(c);
      }
    }
  }
  const ir::NodeId id = g_.add_node(name, op, std::move(inputs), std::move(attrs), outputs);
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
    NNLAT_ASSIGN_OR_RETURN(bool folded, try_fold(i));
    if (folded) continue;
    NNLAT_RETURN_IF_ERROR(map_node(i));
  }
  return Status::Ok();
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
  if (weight_inputs_ > 0) g_.metadata["weight_inputs"] = std::to_string(weight_inputs_);
  NNLAT_RETURN_IF_ERROR(map_nodes());
  NNLAT_RETURN_IF_ERROR(add_outputs());
  // Constants folded only now (their shapes came from activations) were invisible to the
  // patterns: the caller runs again with them (import_model below) and skips this check.
  if (seed_ == nullptr && !folded_.empty()) return std::move(g_);
  if (auto st = ir::verify(g_); !st.ok()) return fail(st.error().code, st.error().message);
  NNLAT_RETURN_IF_ERROR(cross_check_shapes());
  return std::move(g_);
}

}  // namespace onnx_detail

namespace {
Result<ir::Graph> import_model(const onnx::ModelProto& model, const std::string& source,
                               const OnnxImportOptions& options) {
  onnx_detail::Importer first(model, source, options);
  auto g = first.run();
  if (first.folded().empty()) return g;
  // The second run sees the folded shape arithmetic as constants before it matches patterns
  // (a channel shuffle whose shapes came from Shape -> Gather -> Concat, a layer norm).
  onnx_detail::Importer second(model, source, options, &first.folded());
  return second.run();
}
}  // namespace

Result<ir::Graph> import_onnx_bytes(std::string_view bytes, const std::string& source,
                                    const OnnxImportOptions& options) {
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
    return import_model(model, source, options);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, source + ": ONNX import failed: " + e.what());
  } catch (...) {
    return make_error(ErrorCode::kInternal, source + ": ONNX import failed with an unknown exception");
  }
}

Result<ir::Graph> import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return import_onnx_bytes(bytes, path, options);
}

}  // namespace nnlat::formats
