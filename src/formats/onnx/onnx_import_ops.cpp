// One ONNX op -> one IR node: the op-table lookup and each op's refinement (docs/onnx.md).
#include <algorithm>
#include <cfloat>
#include <limits>
#include <map>
#include <set>

#include "formats/onnx/onnx_importer.hpp"

namespace nnlat::formats::onnx_detail {

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
    } else if (d < 0 || d > (int64_t{1} << 40) || (d > 0 && known > (int64_t{1} << 40) / d)) {
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
  if (!kind) return map_extra(i);
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
      if (training.value_or(0) != 0 ||
          std::any_of(outs.begin() + 1, outs.end(), [&](const auto& o) { return used(o); })) {
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
    case OpKind::kConcat:
      return map_concat(i);
    case OpKind::kLayerNorm:
      return map_layer_norm(i);
    case OpKind::kSlice:
      return map_slice(i);
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
  if (xs.size() != 2)
    return node_fail(i, ErrorCode::kShapeError, "Gemm input must be 2-D, got " + ir::shape_to_string(xs));
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
  if (wd.size() != 2)
    return unsupported(i, "MatMul with a constant weight of shape " + dims_to_string(wd) + " (only 2-D)");
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
  if (c0 && (op == OpKind::kSub || op == OpKind::kDiv)) {
    return unsupported(i, n.op_type() + " with a constant first operand (c " + (op == OpKind::kSub ? "-" : "/") +
                              " x) has no nnlat form");
  }
  if (tensor_num_elements(*consts_.at(cname)) != 1 || cd.size() > shape(x).size()) {
    // A constant tensor (a position embedding, a layer scale, an attention mask): an operand
    // of the op, of this shape, that must broadcast into the activation.
    const Shape& xs = shape(x);
    bool fits = cd.size() <= xs.size();
    for (size_t d = 0; fits && d < cd.size(); ++d) {
      const int64_t c = cd[d], v = xs[xs.size() - cd.size() + d];
      fits = c == v || c == 1;
    }
    if (!fits || tensor_num_elements(*consts_.at(cname)) == 0) {
      return unsupported(i, n.op_type() + " with a constant operand '" + cname + "' of shape " + dims_to_string(cd) +
                                " that does not broadcast into the activation " + ir::shape_to_string(xs));
    }
    return emit(i, {i}, op, {x}, {{"operand", cd}}, {n.output(0)});
  }
  NNLAT_ASSIGN_OR_RETURN(auto v, const_values(i, cname));
  return emit(i, {i}, op, {x}, {{"scalar", v[0]}}, {n.output(0)});
}

Status Importer::map_concat(size_t i) {
  const auto& n = node(i);
  std::vector<ir::ValueId> xs;
  Attrs a;
  NNLAT_ASSIGN_OR_RETURN(auto axis, attr_int(i, "axis"));
  if (axis) a["axis"] = *axis;
  for (int k = 0; k < n.input_size(); ++k) {
    const std::string& name = n.input(k);
    if (is_const(name)) {
      if (tensor_num_elements(*consts_.at(name)) == 0) continue;  // an empty part adds nothing
      if (a.contains("operand")) return unsupported(i, "Concat with more than one constant input");
      a["operand"] = tensor_dims(*consts_.at(name));
      a["operand_index"] = static_cast<int64_t>(xs.size());
      continue;
    }
    NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, k));
    xs.push_back(x);
  }
  if (xs.empty()) return node_fail(i, ErrorCode::kParseError, "Concat has no inputs");
  return emit(i, {i}, OpKind::kConcat, xs, a, {n.output(0)});
}

Status Importer::map_layer_norm(size_t i) {
  const auto& n = node(i);
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  for (int k = 1; k < n.output_size(); ++k) {
    if (used(n.output(k))) return unsupported(i, "the LayerNormalization Mean / InvStdDev outputs are not supported");
  }
  for (int k = 1; k < n.input_size(); ++k) {
    if (!n.input(k).empty() && !is_const(n.input(k))) {
      return unsupported(i, "LayerNormalization with a non-constant scale or bias is not supported");
    }
  }
  Attrs a;
  NNLAT_ASSIGN_OR_RETURN(auto axis, attr_int(i, "axis"));
  NNLAT_ASSIGN_OR_RETURN(auto eps, attr_float(i, "epsilon"));
  if (axis) a["axis"] = *axis;
  if (eps) a["epsilon"] = *eps;
  if (input(i, 1).empty()) a["affine"] = int64_t{0};
  return emit(i, {i}, OpKind::kLayerNorm, {x}, a, {n.output(0)});
}

Status Importer::map_slice(size_t i) {
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset_ < 10) {
    NNLAT_ASSIGN_OR_RETURN(auto st, attr_ints(i, "starts"));
    NNLAT_ASSIGN_OR_RETURN(auto en, attr_ints(i, "ends"));
    NNLAT_ASSIGN_OR_RETURN(auto ax, attr_ints(i, "axes"));
    if (!st || !en) return node_fail(i, ErrorCode::kParseError, "Slice needs starts and ends");
    starts = *st;
    ends = *en;
    if (ax) axes = *ax;
  } else {
    for (int k = 1; k <= 4; ++k) {
      const std::string name = input(i, k);
      if (name.empty()) {
        if (k <= 2) return node_fail(i, ErrorCode::kParseError, "Slice needs starts and ends");
        continue;
      }
      if (!is_const(name)) return unsupported(i, "Slice bounds computed at run time are not supported");
      NNLAT_ASSIGN_OR_RETURN(auto v, const_ints(i, name));
      (k == 1 ? starts : k == 2 ? ends : k == 3 ? axes : steps) = v;
    }
  }
  const Shape xs = shape(x);
  NNLAT_ASSIGN_OR_RETURN(SliceRange r, resolve_slice(i, xs, starts, ends, axes, steps));
  std::vector<int64_t> ax, st, en, sp;
  for (size_t d = 0; d < xs.size(); ++d) {
    if (r.out[d] == xs[d] && r.start[d] == 0 && r.step[d] == 1) continue;
    if (r.out[d] <= 0) return unsupported(i, "a Slice with an empty result");
    if (r.step[d] < 0) return unsupported(i, "a Slice with a negative step");
    ax.push_back(static_cast<int64_t>(d));
    st.push_back(r.start[d]);
    en.push_back(std::min(xs[d], r.start[d] + (r.out[d] - 1) * r.step[d] + 1));
    sp.push_back(r.step[d]);
  }
  if (ax.empty()) {  // the whole tensor
    acts_[node(i).output(0)] = x;
    return Status::Ok();
  }
  Attrs a{{"axes", ax}, {"starts", st}, {"ends", en}};
  if (std::any_of(sp.begin(), sp.end(), [](int64_t v) { return v != 1; })) a["steps"] = sp;
  return emit(i, {i}, OpKind::kSlice, {x}, a, {node(i).output(0)});
}

// ONNX ops outside the op table, on activations: Gather of one index, Unsqueeze / Squeeze,
// Cast between float types and an Expand that changes nothing. (On constants they fold.)
Status Importer::map_extra(size_t i) {
  const auto& n = node(i);
  const std::string& op = n.op_type();
  const std::string out = n.output(0);
  if (op == "Einsum") return map_einsum(i);
  if (!is_foldable_op(n)) return unsupported(i, "unsupported ONNX op '" + op + "'");
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId x, act_input(i, 0));
  const Shape xs = shape(x);
  auto reshape_to = [&](const Shape& s, const std::string& node_name = "") {
    if (s == xs && node_name.empty()) {
      acts_[out] = x;
      return Status::Ok();
    }
    return emit(i, {i}, OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>(s)}}, {out}, node_name);
  };
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::optional<std::vector<int64_t>> axes;
    if (!input(i, 1).empty()) {
      NNLAT_ASSIGN_OR_RETURN(auto v, const_ints(i, input(i, 1)));
      axes = v;
    } else {
      NNLAT_ASSIGN_OR_RETURN(axes, attr_ints(i, "axes"));
    }
    Shape s;
    if (op == "Unsqueeze") {
      if (!axes) return node_fail(i, ErrorCode::kParseError, "Unsqueeze has no axes");
      const size_t rank = xs.size() + axes->size();
      std::vector<bool> ins(rank, false);
      for (int64_t a : *axes) {
        const int64_t d = a < 0 ? a + static_cast<int64_t>(rank) : a;
        if (d < 0 || d >= static_cast<int64_t>(rank)) return node_fail(i, ErrorCode::kShapeError, "axis out of range");
        ins[static_cast<size_t>(d)] = true;
      }
      size_t k = 0;
      for (size_t d = 0; d < rank; ++d) s.push_back(ins[d] ? 1 : xs[k++]);
    } else {
      std::vector<bool> drop(xs.size(), false);
      for (size_t d = 0; d < xs.size(); ++d) drop[d] = !axes && xs[d] == 1;
      if (axes) {
        for (int64_t a : *axes) {
          const int64_t d = a < 0 ? a + static_cast<int64_t>(xs.size()) : a;
          if (d < 0 || d >= static_cast<int64_t>(xs.size()) || xs[static_cast<size_t>(d)] != 1) {
            return node_fail(i, ErrorCode::kShapeError, "cannot squeeze axis " + std::to_string(a));
          }
          drop[static_cast<size_t>(d)] = true;
        }
      }
      for (size_t d = 0; d < xs.size(); ++d) {
        if (!drop[d]) s.push_back(xs[d]);
      }
    }
    return reshape_to(s);
  }
  if (op == "Cast" || op == "CastLike") {
    int64_t to = 0;
    if (op == "Cast") {
      NNLAT_ASSIGN_OR_RETURN(auto t, attr_int(i, "to"));
      to = t.value_or(0);
    } else if (is_const(input(i, 1))) {
      to = consts_.at(input(i, 1))->data_type();
    }
    const auto dt = dtype_from_onnx(static_cast<int32_t>(to));
    if (!dt || *dt != g_.value(x).dtype) {
      return unsupported(
          i, "a Cast of an activation to another element type (" + onnx_type_name(static_cast<int32_t>(to)) + ")");
    }
    acts_[out] = x;  // a cast to the same type
    return Status::Ok();
  }
  if (op == "Expand") {
    if (!is_const(input(i, 1))) return unsupported(i, "Expand to a shape computed at run time");
    NNLAT_ASSIGN_OR_RETURN(auto target, const_ints(i, input(i, 1)));
    Shape s = xs;
    bool same = target.size() <= xs.size();
    for (size_t d = 0; same && d < target.size(); ++d) {
      const int64_t t = target[d], v = xs[xs.size() - target.size() + d];
      same = t == v || t == 1;
    }
    if (!same) {
      return unsupported(i, "an Expand of an activation " + ir::shape_to_string(xs) + " to " + dims_to_string(target) +
                                " (only one that changes nothing)");
    }
    acts_[out] = x;
    return Status::Ok();
  }
  if (op == "Gather") {
    if (!is_const(input(i, 1))) return unsupported(i, "Gather with indices computed at run time");
    NNLAT_ASSIGN_OR_RETURN(auto idx, const_ints(i, input(i, 1)));
    NNLAT_ASSIGN_OR_RETURN(auto axis_attr, attr_int(i, "axis"));
    int64_t axis = axis_attr.value_or(0);
    if (axis < 0) axis += static_cast<int64_t>(xs.size());
    if (axis < 0 || axis >= static_cast<int64_t>(xs.size()))
      return node_fail(i, ErrorCode::kShapeError, "axis out of range");
    const auto ax = static_cast<size_t>(axis);
    const bool scalar = consts_.at(input(i, 1))->dims_size() == 0;
    for (auto& j : idx) j = j < 0 ? j + xs[ax] : j;
    if (idx.empty() || idx[0] < 0 || idx.back() >= xs[ax])
      return node_fail(i, ErrorCode::kShapeError, "index out of range");
    for (size_t k = 1; k < idx.size(); ++k) {
      if (idx[k] != idx[0] + static_cast<int64_t>(k))
        return unsupported(i, "Gather of non-consecutive indices of an activation");
    }
    if (consts_.at(input(i, 1))->dims_size() > 1)
      return unsupported(i, "Gather with multi-dimensional indices of an activation");
    const auto count = static_cast<int64_t>(idx.size());
    Attrs a{{"axes", std::vector<int64_t>{axis}},
            {"starts", std::vector<int64_t>{idx[0]}},
            {"ends", std::vector<int64_t>{idx[0] + count}}};
    if (!scalar) {
      if (count == xs[ax]) {
        acts_[out] = x;
        return Status::Ok();
      }
      return emit(i, {i}, OpKind::kSlice, {x}, a, {out});
    }
    // One index: a slice, then a reshape that drops the axis.
    Shape s = xs;
    s.erase(s.begin() + axis);
    if (xs[ax] == 1) return emit(i, {i}, OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>(s)}}, {out});
    std::string sliced = names_[i] + "/slice";
    NNLAT_RETURN_IF_ERROR(emit(i, {}, OpKind::kSlice, {x}, a, {""}, sliced));
    const ir::ValueId y = g_.node(ir::NodeId{static_cast<uint32_t>(g_.nodes().size() - 1)}).outputs[0];
    return emit(i, {i}, OpKind::kReshape, {y}, {{"shape", std::vector<int64_t>(s)}}, {out});
  }
  return unsupported(
      i, "unsupported ONNX op '" + op + "' on an activation (nnlat folds it only when its inputs are constants)");
}

// Einsum of two activations that is a batched matrix product ("bghid,bghjd->bghij", as
// MaxViT's attention writes it): transposes and reshapes around one matmul. Every letter is
// a batch dim (in both inputs and the output), contracted (in both inputs only) or a row /
// column dim (in one input and the output); nothing else.
Status Importer::map_einsum(size_t i) {
  const auto& n = node(i);
  NNLAT_ASSIGN_OR_RETURN(auto eq_attr, attr_string(i, "equation"));
  if (!eq_attr) return node_fail(i, ErrorCode::kParseError, "Einsum has no equation");
  std::string eq;
  for (char c : *eq_attr) {
    if (c != ' ') eq += c;
  }
  const auto arrow = eq.find("->");
  const auto comma = eq.find(',');
  if (n.input_size() != 2 || arrow == std::string::npos || comma == std::string::npos || comma > arrow ||
      eq.find('.') != std::string::npos) {
    return unsupported(i, "Einsum '" + *eq_attr + "' (only two operands with an explicit output, no ellipsis)");
  }
  const std::string la = eq.substr(0, comma), lb = eq.substr(comma + 1, arrow - comma - 1), lo = eq.substr(arrow + 2);
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId a, act_input(i, 0));
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId b, act_input(i, 1));
  const Shape as = shape(a), bs = shape(b);
  auto fail_eq = [&](const std::string& why) {
    return unsupported(i, "Einsum '" + *eq_attr + "' is not a batched matrix product (" + why + ")");
  };
  if (la.size() != as.size() || lb.size() != bs.size()) return fail_eq("the equation does not match the ranks");
  std::map<char, int64_t> dim;
  for (size_t k = 0; k < la.size(); ++k) dim[la[k]] = as[k];
  for (size_t k = 0; k < lb.size(); ++k) {
    if (dim.contains(lb[k]) && dim[lb[k]] != bs[k]) return fail_eq(std::string("dimension ") + lb[k] + " differs");
    dim[lb[k]] = bs[k];
  }
  auto has = [](const std::string& s, char c) { return s.find(c) != std::string::npos; };
  std::string batch, rows, cols, inner;
  for (char c : lo) {
    if (has(la, c) && has(lb, c))
      batch += c;
    else if (has(la, c))
      rows += c;
    else if (has(lb, c))
      cols += c;
    else
      return fail_eq(std::string("output letter ") + c + " is in no input");
  }
  for (char c : la) {
    if (!has(lo, c)) {
      if (!has(lb, c)) return fail_eq(std::string("letter ") + c + " is summed over one input only");
      inner += c;
    }
  }
  for (char c : lb) {
    if (!has(lo, c) && !has(la, c)) return fail_eq(std::string("letter ") + c + " is summed over one input only");
  }
  std::set<char> seen;
  for (char c : la + lb) seen.insert(c);
  if (seen.size() != batch.size() + rows.size() + cols.size() + inner.size() ||
      la.size() != std::set<char>(la.begin(), la.end()).size() ||
      lb.size() != std::set<char>(lb.begin(), lb.end()).size() ||
      lo.size() != std::set<char>(lo.begin(), lo.end()).size()) {
    return fail_eq("repeated letters");
  }
  int step = 0;
  auto add = [&](OpKind op, std::vector<ir::ValueId> in, Attrs attrs) -> Result<ir::ValueId> {
    NNLAT_RETURN_IF_ERROR(emit(i, {}, op, std::move(in), std::move(attrs), {""},
                               names_[i] + "/" + std::string(ir::op_name(op)) + std::to_string(step++)));
    return g_.nodes().back().outputs[0];
  };
  auto product = [&](const std::string& letters) {
    int64_t p = 1;
    for (char c : letters) p *= dim[c];
    return p;
  };
  // Brings `v` (letters `from`) to the order `to`, then to the shape `target`.
  auto arrange = [&](ir::ValueId v, const std::string& from, const std::string& to,
                     const Shape& target) -> Result<ir::ValueId> {
    std::vector<int64_t> perm;
    for (char c : to) perm.push_back(static_cast<int64_t>(from.find(c)));
    bool identity = true;
    for (size_t k = 0; k < perm.size(); ++k) identity = identity && perm[k] == static_cast<int64_t>(k);
    if (!identity) {
      NNLAT_ASSIGN_OR_RETURN(v, add(OpKind::kTranspose, {v}, {{"perm", perm}}));
    }
    if (shape(v) != target) {
      NNLAT_ASSIGN_OR_RETURN(v, add(OpKind::kReshape, {v}, {{"shape", std::vector<int64_t>(target)}}));
    }
    return v;
  };
  Shape batch_dims;
  for (char c : batch) batch_dims.push_back(dim[c]);
  Shape ta = batch_dims, tb = batch_dims;
  ta.push_back(product(rows));
  ta.push_back(product(inner));
  tb.push_back(product(inner));
  tb.push_back(product(cols));
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId xa, arrange(a, la, batch + rows + inner, ta));
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId xb, arrange(b, lb, batch + inner + cols, tb));
  NNLAT_ASSIGN_OR_RETURN(ir::ValueId y, add(OpKind::kMatMul, {xa, xb}, {}));
  Shape full = batch_dims;
  for (char c : rows + cols) full.push_back(dim[c]);
  if (shape(y) != full) {
    NNLAT_ASSIGN_OR_RETURN(y, add(OpKind::kReshape, {y}, {{"shape", std::vector<int64_t>(full)}}));
  }
  Shape out_dims;
  for (char c : lo) out_dims.push_back(dim[c]);
  NNLAT_ASSIGN_OR_RETURN(y, arrange(y, batch + rows + cols, lo, out_dims));
  acts_[n.output(0)] = y;
  return Status::Ok();
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
    return node_fail(i, ErrorCode::kShapeError,
                     std::to_string(sizes.size()) + " split sizes for " + std::to_string(n.output_size()) + " outputs");
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
      return unsupported(i,
                         "Reshape with a shape computed at run time is not supported (the shape must be a constant)");
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

}  // namespace nnlat::formats::onnx_detail
