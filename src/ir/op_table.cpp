// Shape and cost rules of every op, indexed by the list in ops.inc.
#include "nnlat/ir/op_table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "nnlat/core/saturating.hpp"

namespace nnlat::ir {
namespace {

Error shape_error(std::string message) { return make_error(ErrorCode::kShapeError, std::move(message)); }
Error attr_error(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

Status require_rank(const Shape& shape, size_t rank, const char* what) {
  if (shape.size() != rank) {
    return shape_error(std::string(what) + " expects a rank-" + std::to_string(rank) + " input, got " +
                       (shape.empty() ? std::string("a scalar") : shape_to_string(shape)));
  }
  return Status::Ok();
}

// Normalises a possibly negative axis against `rank`.
Result<int64_t> normalize_axis(int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return shape_error("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

// ---- attribute specs --------------------------------------------------------------------
// Defaults are declared here once; readers use attr_int / attr_float / attr_string. List
// attributes (kernel, stride, pads, ...) have none: resolve_window and the shape rules read them.
constexpr AttrSpec required(std::string_view name, AttrType type) { return {name, type, true, std::monostate{}}; }
constexpr AttrSpec optional(std::string_view name, AttrType type) { return {name, type, false, std::monostate{}}; }
constexpr AttrSpec int_or(std::string_view name, int64_t fallback) { return {name, AttrType::kInt, false, fallback}; }
constexpr AttrSpec float_or(std::string_view name, double fallback) {
  return {name, AttrType::kFloat, false, fallback};
}
constexpr AttrSpec string_or(std::string_view name, std::string_view fallback) {
  return {name, AttrType::kString, false, fallback};
}
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr AttrSpec kConvAttrs[] = {
    required("out_channels", AttrType::kInt),
    required("kernel", AttrType::kInts),
    optional("stride", AttrType::kInts),
    optional("dilation", AttrType::kInts),
    optional("pads", AttrType::kInts),
    string_or("padding", "explicit"),
    int_or("groups", 1),
    int_or("bias", 0),
};
constexpr AttrSpec kDepthwiseAttrs[] = {
    required("kernel", AttrType::kInts),
    optional("stride", AttrType::kInts),
    optional("dilation", AttrType::kInts),
    optional("pads", AttrType::kInts),
    string_or("padding", "explicit"),
    int_or("multiplier", 1),
    int_or("bias", 0),
};
// Gemm carries its bias unless told otherwise (ONNX's C input), unlike a convolution.
constexpr AttrSpec kFcAttrs[] = {required("out_features", AttrType::kInt), int_or("bias", 1)};
constexpr AttrSpec kBatchNormAttrs[] = {float_or("epsilon", 1e-5)};
constexpr AttrSpec kClampAttrs[] = {float_or("min", -kInf), float_or("max", kInf)};
constexpr AttrSpec kHardSigmoidAttrs[] = {float_or("alpha", 0.2), float_or("beta", 0.5)};
constexpr AttrSpec kGeluAttrs[] = {string_or("approximate", "none")};
constexpr AttrSpec kMaxPoolAttrs[] = {
    required("kernel", AttrType::kInts),
    optional("stride", AttrType::kInts),
    optional("pads", AttrType::kInts),
    string_or("padding", "explicit"),
    int_or("ceil_mode", 0),
    optional("dilation", AttrType::kInts),
};
constexpr AttrSpec kAvgPoolAttrs[] = {
    required("kernel", AttrType::kInts),
    optional("stride", AttrType::kInts),
    optional("pads", AttrType::kInts),
    string_or("padding", "explicit"),
    int_or("ceil_mode", 0),
    int_or("count_include_pad", 0),
};
constexpr AttrSpec kReduceMeanAttrs[] = {required("axes", AttrType::kInts), int_or("keepdims", 1)};
// No default: a binary op with one input and no 'scalar' is malformed, not "x op 0".
// `operand`: the shape of a constant tensor operand (a position embedding, a layer scale: one
// input and no scalar). Its values are not parameters of the op: see docs/ir.md.
constexpr AttrSpec kBinaryAttrs[] = {optional("scalar", AttrType::kFloat), optional("operand", AttrType::kInts)};
// `operand`: the shape of one constant input (a class token), placed at `operand_index`.
constexpr AttrSpec kConcatAttrs[] = {int_or("axis", 1), optional("operand", AttrType::kInts),
                                     int_or("operand_index", 0)};
constexpr AttrSpec kShuffleAttrs[] = {required("groups", AttrType::kInt)};
constexpr AttrSpec kSplitAttrs[] = {int_or("axis", 1), required("sizes", AttrType::kInts)};
constexpr AttrSpec kReshapeAttrs[] = {required("shape", AttrType::kInts)};
constexpr AttrSpec kFlattenAttrs[] = {int_or("axis", 1)};
constexpr AttrSpec kTransposeAttrs[] = {required("perm", AttrType::kInts)};
constexpr AttrSpec kPadAttrs[] = {required("pads", AttrType::kInts), string_or("mode", "constant"),
                                  float_or("value", 0.0)};
constexpr AttrSpec kResizeAttrs[] = {optional("size", AttrType::kInts), optional("scales", AttrType::kFloats),
                                     string_or("mode", "nearest")};
constexpr AttrSpec kSoftmaxAttrs[] = {int_or("axis", -1)};
// Normalised over dims [axis, rank); `affine`: a learned scale and shift per normalised element.
constexpr AttrSpec kLayerNormAttrs[] = {int_or("axis", -1), float_or("epsilon", 1e-5), int_or("affine", 1)};
// x / max(||x||_2, epsilon) along `axis` (F.normalize; Swin V2's cosine attention).
constexpr AttrSpec kL2NormalizeAttrs[] = {int_or("axis", -1), float_or("epsilon", 1e-12)};
// One entry per sliced axis, resolved at import: 0 <= start < end <= dim, steps >= 1.
constexpr AttrSpec kSliceAttrs[] = {required("axes", AttrType::kInts), required("starts", AttrType::kInts),
                                    required("ends", AttrType::kInts), optional("steps", AttrType::kInts)};
constexpr std::span<const AttrSpec> kNoAttrs{};

// ---- shape rules ------------------------------------------------------------------------
Status same_shape(const Attrs&, std::span<const Shape> in, std::vector<Shape>& out) {
  out = {in[0]};
  return Status::Ok();
}

Status conv_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "conv2d"));
  const int64_t cin = in[0][1];
  const int64_t cout = get_int(attrs, "out_channels", 0);
  const int64_t groups = attr_int(OpKind::kConv2d, attrs, "groups");
  if (cout <= 0) return attr_error("out_channels must be positive");
  if (groups <= 0 || cin % groups != 0 || cout % groups != 0) {
    return shape_error("groups=" + std::to_string(groups) + " must divide input channels " + std::to_string(cin) +
                       " and output channels " + std::to_string(cout));
  }
  NNLAT_ASSIGN_OR_RETURN(Window2d w, resolve_window(attrs, in[0][2], in[0][3], false));
  out = {{in[0][0], cout, w.out_h, w.out_w}};
  return Status::Ok();
}

Status depthwise_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "depthwise_conv2d"));
  const int64_t multiplier = attr_int(OpKind::kDepthwiseConv2d, attrs, "multiplier");
  if (multiplier <= 0) return attr_error("multiplier must be positive");
  NNLAT_ASSIGN_OR_RETURN(Window2d w, resolve_window(attrs, in[0][2], in[0][3], false));
  out = {{in[0][0], in[0][1] * multiplier, w.out_h, w.out_w}};
  return Status::Ok();
}

Status fc_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  if (in[0].size() < 2) return shape_error("fully_connected expects rank >= 2, got " + shape_to_string(in[0]));
  const int64_t n = get_int(attrs, "out_features", 0);
  if (n <= 0) return attr_error("out_features must be positive");
  Shape s = in[0];
  s.back() = n;
  out = {s};
  return Status::Ok();
}

Result<Shape> broadcast(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape s(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return shape_error("cannot broadcast " + shape_to_string(a) + " with " + shape_to_string(b));
    }
    s[i] = std::max(da, db);
  }
  return s;
}

Status matmul_shape(const Attrs&, std::span<const Shape> in, std::vector<Shape>& out) {
  const Shape& a = in[0];
  const Shape& b = in[1];
  if (a.size() < 2 || b.size() < 2) return shape_error("matmul expects rank >= 2 operands");
  if (a.back() != b[b.size() - 2]) {
    return shape_error("matmul inner dimensions differ: " + shape_to_string(a) + " x " + shape_to_string(b));
  }
  NNLAT_ASSIGN_OR_RETURN(Shape batch, broadcast(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2)));
  batch.push_back(a[a.size() - 2]);
  batch.push_back(b.back());
  out = {batch};
  return Status::Ok();
}

Status channel_shape_check(const Attrs&, std::span<const Shape> in, std::vector<Shape>& out) {
  if (in[0].size() < 2) return shape_error("batch_norm expects a channel dimension, got " + shape_to_string(in[0]));
  out = {in[0]};
  return Status::Ok();
}

Status pool_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "pool"));
  NNLAT_ASSIGN_OR_RETURN(Window2d w, resolve_window(attrs, in[0][2], in[0][3], get_int(attrs, "ceil_mode", 0) != 0));
  out = {{in[0][0], in[0][1], w.out_h, w.out_w}};
  return Status::Ok();
}

Status gap_shape(const Attrs&, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "global_avg_pool"));
  out = {{in[0][0], in[0][1], 1, 1}};
  return Status::Ok();
}

Status reduce_mean_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  const auto axes = get_ints(attrs, "axes", {});
  if (axes.empty()) return attr_error("reduce_mean needs at least one axis");
  std::vector<bool> reduced(in[0].size(), false);
  for (int64_t a : axes) {
    NNLAT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(a, in[0].size()));
    reduced[static_cast<size_t>(axis)] = true;
  }
  const bool keep = attr_int(OpKind::kReduceMean, attrs, "keepdims") != 0;
  Shape s;
  for (size_t i = 0; i < in[0].size(); ++i) {
    if (!reduced[i])
      s.push_back(in[0][i]);
    else if (keep)
      s.push_back(1);
  }
  out = {s};
  return Status::Ok();
}

Status binary_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  if (in.size() == 1) {
    if (attrs.contains("scalar") == attrs.contains("operand")) {
      return attr_error("a one-input element-wise op needs exactly one of 'scalar' and 'operand'");
    }
    if (attrs.contains("operand")) {
      const Shape c = get_ints(attrs, "operand", {});
      if (std::any_of(c.begin(), c.end(), [](int64_t d) { return d <= 0; })) {
        return attr_error("'operand' dimensions must be positive");
      }
      NNLAT_ASSIGN_OR_RETURN(Shape s, broadcast(in[0], c));
      if (s != in[0])
        return shape_error("operand " + shape_to_string(c) + " must broadcast into " + shape_to_string(in[0]));
    }
    out = {in[0]};
    return Status::Ok();
  }
  if (attrs.contains("scalar") || attrs.contains("operand")) {
    return attr_error("'scalar' and 'operand' are only allowed with one input");
  }
  NNLAT_ASSIGN_OR_RETURN(Shape s, broadcast(in[0], in[1]));
  out = {s};
  return Status::Ok();
}

Status concat_shape(const Attrs& attrs, std::span<const Shape> given, std::vector<Shape>& out) {
  std::vector<Shape> in(given.begin(), given.end());
  if (attrs.contains("operand")) {
    const int64_t at = attr_int(OpKind::kConcat, attrs, "operand_index");
    if (at < 0 || at > static_cast<int64_t>(in.size())) return attr_error("concat operand_index out of range");
    in.insert(in.begin() + at, get_ints(attrs, "operand", {}));
  }
  NNLAT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(OpKind::kConcat, attrs, "axis"), in[0].size()));
  Shape s = in[0];
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].size() != s.size()) return shape_error("concat inputs differ in rank");
    for (size_t d = 0; d < s.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) continue;
      if (in[i][d] != s[d]) {
        return shape_error("concat inputs differ outside axis " + std::to_string(axis) + ": " + shape_to_string(in[0]) +
                           " vs " + shape_to_string(in[i]));
      }
    }
    s[static_cast<size_t>(axis)] += in[i][static_cast<size_t>(axis)];
  }
  out = {s};
  return Status::Ok();
}

Status shuffle_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "channel_shuffle"));
  const int64_t g = get_int(attrs, "groups", 0);
  if (g <= 0 || in[0][1] % g != 0) {
    return shape_error("channel_shuffle groups=" + std::to_string(g) + " must divide " + std::to_string(in[0][1]));
  }
  out = {in[0]};
  return Status::Ok();
}

Status split_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(attr_int(OpKind::kSplit, attrs, "axis"), in[0].size()));
  const auto sizes = get_ints(attrs, "sizes", {});
  int64_t total = 0;
  out.clear();
  for (int64_t s : sizes) {
    if (s <= 0) return attr_error("split sizes must be positive");
    total += s;
    Shape o = in[0];
    o[static_cast<size_t>(axis)] = s;
    out.push_back(o);
  }
  if (total != in[0][static_cast<size_t>(axis)]) {
    return shape_error("split sizes sum to " + std::to_string(total) + " but the axis has " +
                       std::to_string(in[0][static_cast<size_t>(axis)]));
  }
  return Status::Ok();
}

Status reshape_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  Shape s = get_ints(attrs, "shape", {});
  const int64_t n = num_elements(in[0]);
  int64_t known = 1;
  int infer_at = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer_at >= 0) return attr_error("reshape allows at most one -1");
      infer_at = static_cast<int>(i);
    } else if (s[i] <= 0) {
      return attr_error("reshape dimensions must be positive or -1");
    } else {
      known *= s[i];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || n % known != 0) return shape_error("reshape cannot infer -1 for " + shape_to_string(in[0]));
    s[static_cast<size_t>(infer_at)] = n / known;
  }
  if (num_elements(s) != n) {
    return shape_error("reshape " + shape_to_string(in[0]) + " to " + shape_to_string(s) +
                       " changes the element count");
  }
  out = {s};
  return Status::Ok();
}

Status flatten_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  const int64_t axis = attr_int(OpKind::kFlatten, attrs, "axis");
  if (axis < 0 || axis > static_cast<int64_t>(in[0].size())) return attr_error("flatten axis out of range");
  int64_t outer = 1;
  int64_t inner = 1;
  for (size_t i = 0; i < in[0].size(); ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= in[0][i];
  out = {{outer, inner}};
  return Status::Ok();
}

Status transpose_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  const auto perm = get_ints(attrs, "perm", {});
  if (perm.size() != in[0].size()) return shape_error("transpose perm length differs from input rank");
  std::vector<bool> seen(perm.size(), false);
  Shape s(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(perm[i])]) {
      return attr_error("transpose perm is not a permutation");
    }
    seen[static_cast<size_t>(perm[i])] = true;
    s[i] = in[0][static_cast<size_t>(perm[i])];
  }
  out = {s};
  return Status::Ok();
}

Status pad_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  const auto pads = get_ints(attrs, "pads", {});
  const size_t rank = in[0].size();
  if (pads.size() != 2 * rank) {
    return attr_error("pad needs 2*rank=" + std::to_string(2 * rank) + " pads (all begins, then all ends)");
  }
  const std::string mode = attr_string(OpKind::kPad, attrs, "mode");
  if (mode != "constant" && mode != "reflect" && mode != "edge") return attr_error("pad mode '" + mode + "' unknown");
  Shape s = in[0];
  for (size_t i = 0; i < rank; ++i) {
    s[i] += pads[i] + pads[i + rank];
    if (s[i] <= 0) return shape_error("pad makes dimension " + std::to_string(i) + " empty");
  }
  out = {s};
  return Status::Ok();
}

Status resize_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(require_rank(in[0], 4, "resize"));
  const std::string mode = attr_string(OpKind::kResize, attrs, "mode");
  if (mode != "nearest" && mode != "bilinear") return attr_error("resize mode '" + mode + "' unknown");
  const auto size = get_ints(attrs, "size", {});
  const auto scales = get_floats(attrs, "scales", {});
  Shape s = in[0];
  if (size.size() == 2 && scales.empty()) {
    s[2] = size[0];
    s[3] = size[1];
  } else if (scales.size() == 2 && size.empty()) {
    s[2] = static_cast<int64_t>(std::floor(static_cast<double>(in[0][2]) * scales[0]));
    s[3] = static_cast<int64_t>(std::floor(static_cast<double>(in[0][3]) * scales[1]));
  } else {
    return attr_error("resize needs exactly one of 'size' [H, W] or 'scales' [sH, sW]");
  }
  if (s[2] <= 0 || s[3] <= 0) return shape_error("resize output is empty");
  out = {s};
  return Status::Ok();
}

Status softmax_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(normalize_axis(attr_int(OpKind::kSoftmax, attrs, "axis"), in[0].size()));
  out = {in[0]};
  return Status::Ok();
}

Status layer_norm_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(normalize_axis(attr_int(OpKind::kLayerNorm, attrs, "axis"), in[0].size()));
  out = {in[0]};
  return Status::Ok();
}

Status l2_normalize_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  NNLAT_RETURN_IF_ERROR(normalize_axis(attr_int(OpKind::kL2Normalize, attrs, "axis"), in[0].size()));
  out = {in[0]};
  return Status::Ok();
}

Status slice_shape(const Attrs& attrs, std::span<const Shape> in, std::vector<Shape>& out) {
  const auto axes = get_ints(attrs, "axes", {});
  const auto starts = get_ints(attrs, "starts", {});
  const auto ends = get_ints(attrs, "ends", {});
  const auto steps = get_ints(attrs, "steps", std::vector<int64_t>(axes.size(), 1));
  if (axes.empty() || starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size()) {
    return attr_error("slice needs axes, starts, ends (and steps) of one equal, non-zero length");
  }
  Shape s = in[0];
  std::vector<bool> seen(s.size(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    NNLAT_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axes[i], s.size()));
    const auto d = static_cast<size_t>(axis);
    if (seen[d]) return attr_error("slice names axis " + std::to_string(axis) + " twice");
    seen[d] = true;
    if (steps[i] < 1) return attr_error("slice steps must be positive");
    if (starts[i] < 0 || starts[i] >= ends[i] || ends[i] > in[0][d]) {
      return shape_error("slice [" + std::to_string(starts[i]) + ", " + std::to_string(ends[i]) + ") of axis " +
                         std::to_string(axis) + " does not fit " + shape_to_string(in[0]));
    }
    s[d] = (ends[i] - starts[i] + steps[i] - 1) / steps[i];
  }
  out = {s};
  return Status::Ok();
}

// ---- cost rules (MACs and params; bytes are generic) --------------------------------------
OpCost no_cost(const Attrs&, std::span<const Shape* const>, std::span<const Shape* const>) { return {}; }

OpCost conv_cost(const Attrs& attrs, std::span<const Shape* const> in, std::span<const Shape* const> out) {
  const auto* kernel = find_ints(attrs, "kernel");
  const int64_t kh = kernel && !kernel->empty() ? (*kernel)[0] : 1;
  const int64_t kw = kernel && kernel->size() > 1 ? (*kernel)[1] : kh;
  const int64_t groups = attr_int(OpKind::kConv2d, attrs, "groups");
  const int64_t cin_per_group = (*in[0])[1] / groups;
  const int64_t cout = (*out[0])[1];
  OpCost c;
  c.macs = saturating_product(num_elements(*out[0]), cin_per_group, kh, kw);
  c.params = saturating_add(saturating_product(cout, cin_per_group, kh, kw),
                            attr_int(OpKind::kConv2d, attrs, "bias") ? cout : 0);
  return c;
}

OpCost depthwise_cost(const Attrs& attrs, std::span<const Shape* const>, std::span<const Shape* const> out) {
  const auto* kernel = find_ints(attrs, "kernel");
  const int64_t kh = kernel && !kernel->empty() ? (*kernel)[0] : 1;
  const int64_t kw = kernel && kernel->size() > 1 ? (*kernel)[1] : kh;
  const int64_t cout = (*out[0])[1];
  OpCost c;
  c.macs = saturating_product(num_elements(*out[0]), kh, kw);
  c.params =
      saturating_add(saturating_product(cout, kh, kw), attr_int(OpKind::kDepthwiseConv2d, attrs, "bias") ? cout : 0);
  return c;
}

OpCost fc_cost(const Attrs& attrs, std::span<const Shape* const> in, std::span<const Shape* const> out) {
  const int64_t k = in[0]->back();
  const int64_t n = out[0]->back();
  OpCost c;
  c.macs = saturating_product(num_elements(*out[0]), k);
  c.params = saturating_add(saturating_product(k, n), attr_int(OpKind::kFullyConnected, attrs, "bias") ? n : 0);
  return c;
}

OpCost matmul_cost(const Attrs&, std::span<const Shape* const> in, std::span<const Shape* const> out) {
  OpCost c;
  c.macs = saturating_product(num_elements(*out[0]), in[0]->back());
  return c;
}

OpCost batch_norm_cost(const Attrs&, std::span<const Shape* const> in, std::span<const Shape* const>) {
  OpCost c;
  c.params = saturating_mul(2, (*in[0])[1]);  // scale and shift; running statistics are buffers, not parameters
  return c;
}

OpCost layer_norm_cost(const Attrs& attrs, std::span<const Shape* const> in, std::span<const Shape* const>) {
  OpCost c;
  if (attr_int(OpKind::kLayerNorm, attrs, "affine") == 0) return c;
  const Shape& s = *in[0];
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t axis = attr_int(OpKind::kLayerNorm, attrs, "axis");
  if (axis < 0) axis += r;
  int64_t normalized = 1;
  for (int64_t d = std::clamp<int64_t>(axis, 0, r); d < r; ++d)
    normalized = saturating_mul(normalized, s[static_cast<size_t>(d)]);
  c.params = saturating_mul(2, normalized);  // scale and shift (PyTorch's elementwise_affine)
  return c;
}

// ---- the table --------------------------------------------------------------------------
// One row per op of ops.inc, naming its op: a row out of step with ops.inc is a compile error
// (the static_asserts below), and op_table_test checks each row against its name.
struct Rules {
  OpKind kind;
  OpCategory category;
  KernelFamily family;
  OpTraits traits;
  ActivationClass activation;
  std::span<const AttrSpec> attrs;
  ShapeRule shape;
  CostRule cost;
};

using enum OpKind;
using Family = KernelFamily;
using Cat = OpCategory;
using ActClass = ActivationClass;
constexpr OpTraits kNoTraits = 0;
constexpr OpTraits kWeightedOp = static_cast<OpTraits>(OpTrait::kWeighted);
constexpr OpTraits kActivationOp = OpTrait::kActivation | OpTrait::kElementwise;
constexpr OpTraits kBinaryOp = OpTrait::kBinary | OpTrait::kElementwise;
constexpr OpTraits kPerChannelOp = static_cast<OpTraits>(OpTrait::kElementwise);

// clang-format off
constexpr Rules kRules[] = {
    // op             category             family                   traits         activation                attrs              shape rule           cost rule
    {kConv2d,          Cat::kConv,          Family::kConv,           kWeightedOp,   ActClass::kNone,            kConvAttrs,        conv_shape,          conv_cost},
    {kDepthwiseConv2d, Cat::kConv,          Family::kDepthwise,      kWeightedOp,   ActClass::kNone,            kDepthwiseAttrs,   depthwise_shape,     depthwise_cost},
    {kFullyConnected,  Cat::kLinear,        Family::kFullyConnected, kWeightedOp,   ActClass::kNone,            kFcAttrs,          fc_shape,            fc_cost},
    {kMatMul,          Cat::kLinear,        Family::kFullyConnected, kNoTraits,     ActClass::kNone,            kNoAttrs,          matmul_shape,        matmul_cost},
    {kBatchNorm,       Cat::kNormalization, Family::kOther,          kPerChannelOp, ActClass::kNone,            kBatchNormAttrs,   channel_shape_check, batch_norm_cost},
    {kRelu,            Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kClamp,           kNoAttrs,          same_shape,          no_cost},
    {kRelu6,           Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kClamp,           kNoAttrs,          same_shape,          no_cost},
    {kClamp,           Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kClamp,           kClampAttrs,       same_shape,          no_cost},
    {kHardSwish,       Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kPiecewiseLinear, kNoAttrs,          same_shape,          no_cost},
    {kHardSigmoid,     Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kPiecewiseLinear, kHardSigmoidAttrs, same_shape,          no_cost},
    {kSigmoid,         Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kTranscendental,  kNoAttrs,          same_shape,          no_cost},
    {kSwish,           Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kTranscendental,  kNoAttrs,          same_shape,          no_cost},
    {kTanh,            Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kTranscendental,  kNoAttrs,          same_shape,          no_cost},
    {kGelu,            Cat::kActivation,    Family::kElementwise,    kActivationOp, ActClass::kTranscendental,  kGeluAttrs,        same_shape,          no_cost},
    {kMaxPool2d,       Cat::kPool,          Family::kPool,           kNoTraits,     ActClass::kNone,            kMaxPoolAttrs,     pool_shape,          no_cost},
    {kAvgPool2d,       Cat::kPool,          Family::kPool,           kNoTraits,     ActClass::kNone,            kAvgPoolAttrs,     pool_shape,          no_cost},
    {kGlobalAvgPool,   Cat::kReduce,        Family::kGlobalPool,     kNoTraits,     ActClass::kNone,            kNoAttrs,          gap_shape,           no_cost},
    {kReduceMean,      Cat::kReduce,        Family::kGlobalPool,     kNoTraits,     ActClass::kNone,            kReduceMeanAttrs,  reduce_mean_shape,   no_cost},
    {kAdd,             Cat::kElementwise,   Family::kElementwise,    kBinaryOp,     ActClass::kNone,            kBinaryAttrs,      binary_shape,        no_cost},
    {kSub,             Cat::kElementwise,   Family::kElementwise,    kBinaryOp,     ActClass::kNone,            kBinaryAttrs,      binary_shape,        no_cost},
    {kMul,             Cat::kElementwise,   Family::kElementwise,    kBinaryOp,     ActClass::kNone,            kBinaryAttrs,      binary_shape,        no_cost},
    {kDiv,             Cat::kElementwise,   Family::kElementwise,    kBinaryOp,     ActClass::kNone,            kBinaryAttrs,      binary_shape,        no_cost},
    {kConcat,          Cat::kDataMovement,  Family::kConcat,         kNoTraits,     ActClass::kNone,            kConcatAttrs,      concat_shape,        no_cost},
    {kChannelShuffle,  Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kShuffleAttrs,     shuffle_shape,       no_cost},
    {kSplit,           Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kSplitAttrs,       split_shape,         no_cost},
    {kReshape,         Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kReshapeAttrs,     reshape_shape,       no_cost},
    {kFlatten,         Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kFlattenAttrs,     flatten_shape,       no_cost},
    {kTranspose,       Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kTransposeAttrs,   transpose_shape,     no_cost},
    {kPad,             Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kPadAttrs,         pad_shape,           no_cost},
    {kResize,          Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kResizeAttrs,      resize_shape,        no_cost},
    {kSoftmax,         Cat::kActivation,    Family::kOther,          kNoTraits,     ActClass::kNone,            kSoftmaxAttrs,     softmax_shape,       no_cost},
    {kIdentity,        Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kNoAttrs,          same_shape,          no_cost},
    {kLayerNorm,       Cat::kNormalization, Family::kOther,          kNoTraits,     ActClass::kNone,            kLayerNormAttrs,   layer_norm_shape,    layer_norm_cost},
    {kSlice,           Cat::kDataMovement,  Family::kDataMovement,   kNoTraits,     ActClass::kNone,            kSliceAttrs,       slice_shape,         no_cost},
    {kL2Normalize,     Cat::kNormalization, Family::kOther,          kNoTraits,     ActClass::kNone,            kL2NormalizeAttrs, l2_normalize_shape,  no_cost},
};
// clang-format on
static_assert(std::size(kRules) == static_cast<size_t>(kNumOpKinds),
              "op_table.cpp must have one rule row per op in ops.inc");
constexpr bool rows_follow_ops_inc() {
  for (size_t i = 0; i < std::size(kRules); ++i) {
    if (kRules[i].kind != static_cast<OpKind>(i)) return false;
  }
  return true;
}
static_assert(rows_follow_ops_inc(), "op_table.cpp rule rows must name the ops of ops.inc, in its order");

std::array<OpInfo, kNumOpKinds> build_table() {
  std::array<OpInfo, kNumOpKinds> table{};
  size_t i = 0;
#define NNLAT_OP(id, nm, min_in, max_in, outs, onnx, tflite) \
  table[i] = OpInfo{OpKind::id,                              \
                    nm,                                      \
                    min_in,                                  \
                    max_in,                                  \
                    outs,                                    \
                    onnx,                                    \
                    tflite,                                  \
                    kRules[i].category,                      \
                    kRules[i].family,                        \
                    kRules[i].traits,                        \
                    kRules[i].activation,                    \
                    kRules[i].attrs,                         \
                    kRules[i].shape,                         \
                    kRules[i].cost};                         \
  ++i;
#include "nnlat/ir/ops.inc"
#undef NNLAT_OP
  return table;
}

const std::array<OpInfo, kNumOpKinds>& table() {
  static const auto t = build_table();
  return t;
}

}  // namespace

OpCost& OpCost::operator+=(const OpCost& o) {
  macs = saturating_add(macs, o.macs);
  params = saturating_add(params, o.params);
  input_bytes = saturating_add(input_bytes, o.input_bytes);
  weight_bytes = saturating_add(weight_bytes, o.weight_bytes);
  output_bytes = saturating_add(output_bytes, o.output_bytes);
  output_elements = saturating_add(output_elements, o.output_elements);
  return *this;
}

std::string_view op_category_name(OpCategory category) {
  switch (category) {
    case OpCategory::kConv:
      return "conv";
    case OpCategory::kLinear:
      return "linear";
    case OpCategory::kNormalization:
      return "normalization";
    case OpCategory::kActivation:
      return "activation";
    case OpCategory::kPool:
      return "pool";
    case OpCategory::kReduce:
      return "reduce";
    case OpCategory::kElementwise:
      return "elementwise";
    case OpCategory::kDataMovement:
      return "data_movement";
  }
  return "?";
}

const OpInfo& op_info(OpKind kind) { return table()[static_cast<size_t>(kind)]; }
std::string_view op_name(OpKind kind) { return op_info(kind).name; }
std::span<const OpInfo> all_ops() { return table(); }

std::optional<OpKind> op_from_name(std::string_view canonical_name) {
  for (const auto& info : table()) {
    if (info.name == canonical_name) return info.kind;
  }
  return std::nullopt;
}
std::optional<OpKind> op_from_onnx(std::string_view onnx_op_type) {
  if (onnx_op_type.empty()) return std::nullopt;
  for (const auto& info : table()) {
    if (info.onnx_name == onnx_op_type) return info.kind;
  }
  return std::nullopt;
}
std::optional<OpKind> op_from_tflite(std::string_view tflite_builtin_name) {
  if (tflite_builtin_name.empty()) return std::nullopt;
  for (const auto& info : table()) {
    if (info.tflite_name == tflite_builtin_name) return info.kind;
  }
  return std::nullopt;
}

const AttrSpec* find_attr_spec(OpKind kind, std::string_view name) {
  const auto specs = op_info(kind).attrs;
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const AttrSpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

namespace {
// The declared default of type T, or T{} when none is declared.
template <typename T>
T declared_default(OpKind kind, std::string_view name) {
  const AttrSpec* spec = find_attr_spec(kind, name);
  if (spec == nullptr) return T{};
  const T* fallback = std::get_if<T>(&spec->fallback);
  return fallback ? *fallback : T{};
}
}  // namespace

int64_t attr_int(OpKind kind, const Attrs& attrs, std::string_view name) {
  const auto it = attrs.find(std::string(name));
  if (it != attrs.end()) {
    if (const auto* v = std::get_if<int64_t>(&it->second)) return *v;
  }
  return declared_default<int64_t>(kind, name);
}

double attr_float(OpKind kind, const Attrs& attrs, std::string_view name) {
  const auto it = attrs.find(std::string(name));
  if (it != attrs.end()) {
    if (const auto* v = std::get_if<double>(&it->second)) return *v;
    if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);  // as get_float
  }
  return declared_default<double>(kind, name);
}

std::string attr_string(OpKind kind, const Attrs& attrs, std::string_view name) {
  const auto it = attrs.find(std::string(name));
  if (it != attrs.end()) {
    if (const auto* v = std::get_if<std::string>(&it->second)) return *v;
  }
  return std::string(declared_default<std::string_view>(kind, name));
}

Status validate_attrs(OpKind kind, const Attrs& attrs) {
  const OpInfo& info = op_info(kind);
  for (const auto& attr : attrs) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture a binding.
    const std::string& name = attr.first;
    const AttrValue& value = attr.second;
    const auto spec =
        std::find_if(info.attrs.begin(), info.attrs.end(), [&](const AttrSpec& s) { return s.name == name; });
    if (spec == info.attrs.end()) {
      return attr_error("op " + std::string(info.name) + " has no attribute '" + name + "'");
    }
    // An int literal is accepted where a float is declared (JSON writes 1.0 as 1 in some tools).
    const AttrType got = attr_type_of(value);
    if (got != spec->type && !(spec->type == AttrType::kFloat && got == AttrType::kInt)) {
      return attr_error("attribute '" + name + "' of " + std::string(info.name) + " must be " +
                        std::string(attr_type_name(spec->type)) + ", got " + std::string(attr_type_name(got)));
    }
  }
  for (const auto& spec : info.attrs) {
    if (spec.required && !attrs.contains(std::string(spec.name))) {
      return attr_error("op " + std::string(info.name) + " requires attribute '" + std::string(spec.name) + "'");
    }
  }
  return Status::Ok();
}

Result<Window2d> resolve_window(const Attrs& attrs, int64_t in_h, int64_t in_w, bool ceil_mode) {
  auto pair = [&](const char* name, int64_t fallback) -> Result<std::pair<int64_t, int64_t>> {
    const auto* v = find_ints(attrs, name);
    if (!v) return std::pair{fallback, fallback};
    if (v->size() == 1) return std::pair{(*v)[0], (*v)[0]};
    if (v->size() == 2) return std::pair{(*v)[0], (*v)[1]};
    return attr_error(std::string("'") + name + "' needs 1 or 2 values");
  };
  Window2d w{};
  NNLAT_ASSIGN_OR_RETURN(auto k, pair("kernel", 1));
  NNLAT_ASSIGN_OR_RETURN(auto s, pair("stride", 1));
  NNLAT_ASSIGN_OR_RETURN(auto d, pair("dilation", 1));
  w.kernel_h = k.first;
  w.kernel_w = k.second;
  w.stride_h = s.first;
  w.stride_w = s.second;
  w.dilation_h = d.first;
  w.dilation_w = d.second;
  if (w.kernel_h <= 0 || w.kernel_w <= 0 || w.stride_h <= 0 || w.stride_w <= 0 || w.dilation_h <= 0 ||
      w.dilation_w <= 0) {
    return attr_error("kernel, stride and dilation must be positive");
  }
  const int64_t eff_h = (w.kernel_h - 1) * w.dilation_h + 1;
  const int64_t eff_w = (w.kernel_w - 1) * w.dilation_w + 1;
  const std::string* padding_attr = find_string(attrs, "padding");
  const std::string_view padding = padding_attr ? std::string_view(*padding_attr) : std::string_view("explicit");
  if (padding == "explicit") {
    static const std::vector<int64_t> kNoPads = {0, 0, 0, 0};
    const auto* pads_attr = find_ints(attrs, "pads");
    const std::vector<int64_t>& pads = pads_attr ? *pads_attr : kNoPads;
    if (pads.size() != 4) return attr_error("'pads' needs 4 values [top, left, bottom, right]");
    if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) {
      return attr_error("'pads' must not be negative");
    }
    w.pad_top = pads[0];
    w.pad_left = pads[1];
    w.pad_bottom = pads[2];
    w.pad_right = pads[3];
  } else if (padding == "same") {
    // TensorFlow SAME / ONNX SAME_UPPER: output = ceil(in / stride), extra pad at the end.
    const int64_t total_h =
        std::max<int64_t>(0, ((in_h + w.stride_h - 1) / w.stride_h - 1) * w.stride_h + eff_h - in_h);
    const int64_t total_w =
        std::max<int64_t>(0, ((in_w + w.stride_w - 1) / w.stride_w - 1) * w.stride_w + eff_w - in_w);
    w.pad_top = total_h / 2;
    w.pad_bottom = total_h - w.pad_top;
    w.pad_left = total_w / 2;
    w.pad_right = total_w - w.pad_left;
  } else if (padding == "valid") {
    w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = 0;
  } else {
    return attr_error("padding '" + std::string(padding) + "' unknown (explicit, same, valid)");
  }
  auto out_size = [&](int64_t in, int64_t pad_begin, int64_t pad_end, int64_t eff, int64_t stride) -> int64_t {
    const int64_t span = in + pad_begin + pad_end - eff;
    if (span < 0) return 0;
    int64_t o = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // As in PyTorch/ONNX: with ceil_mode the last window must start inside the input or left pad.
    if (ceil_mode && (o - 1) * stride >= in + pad_begin) --o;
    return o;
  };
  w.out_h = out_size(in_h, w.pad_top, w.pad_bottom, eff_h, w.stride_h);
  w.out_w = out_size(in_w, w.pad_left, w.pad_right, eff_w, w.stride_w);
  if (w.out_h <= 0 || w.out_w <= 0) {
    return shape_error("window " + std::to_string(eff_h) + "x" + std::to_string(eff_w) + " does not fit input " +
                       std::to_string(in_h) + "x" + std::to_string(in_w));
  }
  return w;
}

}  // namespace nnlat::ir
