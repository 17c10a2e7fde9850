// PyTorch Mobile op rows (`vulkan_prepack::run_conv2d_context`, `aten::add`, ...) as islands.
// PyTorch Mobile runs element-wise ops and stand-alone batch norms as kernels of their own, so
// a row is one op: no linked tail. Feature keys are PyTorch's (`input_shape`, `input_channel`,
// `output_channel`, `kernel_size`, `stride`, `padding`, `groups`).
#include "campaigns/mlbench/mlbench_rows.hpp"

namespace nnlat::campaigns::mlbench_rows {
namespace {

// Window attributes of a conv or pool with symmetric `padding` whose listed output is `out`.
// A pool in ceil mode yields one more output than its padding gives: the extra end padding
// that reproduces the listed size is added (at most the window minus one).
Result<ir::Attrs> torch_window(int64_t in, int64_t out, int64_t k, int64_t s, int64_t pad, const std::string& where) {
  if (auto extra = least_extra_padding(in + 2 * pad - k, out, k, s)) {
    return ir::Attrs{{"kernel", std::vector<int64_t>{k, k}},
                     {"stride", std::vector<int64_t>{s, s}},
                     {"pads", std::vector<int64_t>{pad, pad, pad + *extra, pad + *extra}}};
  }
  return make_error(ErrorCode::kShapeError, where + ": input " + std::to_string(in) + " with kernel " +
                                                std::to_string(k) + ", stride " + std::to_string(s) + " and padding " +
                                                std::to_string(pad) + " cannot give output " + std::to_string(out));
}

struct Fields {
  std::optional<int64_t> in_hw, in_c, out_hw, out_c, kernel, stride, padding, groups, flops;
};

Result<Fields> read_fields(const std::map<std::string, std::string>& f, const std::string& where) {
  Fields x;
  NNLAT_ASSIGN_OR_RETURN(x.in_hw, int_feature(f, "input_shape", where));
  NNLAT_ASSIGN_OR_RETURN(x.in_c, int_feature(f, "input_channel", where));
  NNLAT_ASSIGN_OR_RETURN(x.out_hw, int_feature(f, "output_shape", where));
  NNLAT_ASSIGN_OR_RETURN(x.out_c, int_feature(f, "output_channel", where));
  NNLAT_ASSIGN_OR_RETURN(x.kernel, int_feature(f, "kernel_size", where));
  NNLAT_ASSIGN_OR_RETURN(x.stride, int_feature(f, "stride", where));
  NNLAT_ASSIGN_OR_RETURN(x.padding, int_feature(f, "padding", where));
  NNLAT_ASSIGN_OR_RETURN(x.groups, int_feature(f, "groups", where));
  NNLAT_ASSIGN_OR_RETURN(x.flops, int_feature(f, "flops", where, 1e15));
  return x;
}

// A convolution's groups: the `groups` field, or where the file leaves it out (its depthwise
// rows do) what `flops` (multiply-accumulates) says: out² · out_c · k² · in_c / groups.
Result<int64_t> conv_groups(const Fields& f, int64_t in_c, int64_t out_hw, int64_t out_c, int64_t k,
                            const std::string& where) {
  if (f.groups && *f.groups > 0) return *f.groups;
  if (!f.flops || *f.flops <= 0) return int64_t{1};
  // Each factor may be up to kMaxDimension, so the product could pass int64 (signed overflow):
  // bounded first, in floating point.
  NNLAT_RETURN_IF_ERROR(
      check_product({out_hw, out_hw, out_c, k, k, in_c}, kMaxMacs, "multiply-accumulates (dense)", where));
  const int64_t dense = out_hw * out_hw * out_c * k * k * in_c;
  if (dense % *f.flops != 0) {
    return make_error(ErrorCode::kShapeError, where + ": no group count gives 'flops' " + std::to_string(*f.flops) +
                                                  " (dense convolution: " + std::to_string(dense) + ")");
  }
  return dense / *f.flops;
}

// The op name without its namespace: "vulkan_prepack::run_conv2d_context" → "run_conv2d_context".
std::string_view short_name(std::string_view op) {
  const size_t colons = op.rfind("::");
  return colons == std::string_view::npos ? op : op.substr(colons + 2);
}

}  // namespace

Status add_torch_island(ir::GraphBuilder& b, const OpRow& row, const std::string& where,
                        std::vector<ir::ValueId>& outputs) {
  using ir::OpKind;
  NNLAT_ASSIGN_OR_RETURN(Fields f, read_fields(row.features, where));
  const std::string& op = row.op;
  const std::string_view name = short_name(op);
  ir::ValueId y;
  if (name == "run_linear_context") {
    // Linear layers list their feature counts as `input_shape` / `output_shape`.
    NNLAT_ASSIGN_OR_RETURN(int64_t in, required(f.in_hw, "input_shape", op, where));
    NNLAT_ASSIGN_OR_RETURN(int64_t out, required(f.out_hw, "output_shape", op, where));
    NNLAT_RETURN_IF_ERROR(check_product({in, out}, kMaxElements, "weights", where));
    y = b.fully_connected(b.input({1, in}, next_input_name(b)), out);
    outputs.push_back(y);
    return Status::Ok();
  }
  NNLAT_ASSIGN_OR_RETURN(int64_t c, required(f.in_c, "input_channel", op, where));
  NNLAT_ASSIGN_OR_RETURN(int64_t h, required(f.in_hw, "input_shape", op, where));
  NNLAT_RETURN_IF_ERROR(check_product({c, h, h}, kMaxElements, "input elements", where));
  const ir::ValueId x = b.input({1, c, h, h}, next_input_name(b));
  if (name == "adaptive_avg_pool2d" || (name == "avg_pool2d" && !f.kernel)) {
    // An average pool listed without a window is the final global one (7×7 → 1×1).
    y = b.global_avg_pool(x);
  } else if (name == "run_conv2d_context" || name == "max_pool2d" || name == "avg_pool2d") {
    NNLAT_ASSIGN_OR_RETURN(int64_t k, required(f.kernel, "kernel_size", op, where));
    NNLAT_ASSIGN_OR_RETURN(int64_t oh, required(f.out_hw, "output_shape", op, where));
    const int64_t s = f.stride.value_or(1) > 0 ? f.stride.value_or(1) : 1;
    NNLAT_ASSIGN_OR_RETURN(ir::Attrs a, torch_window(h, oh, k, s, f.padding.value_or(0), where));
    if (name == "run_conv2d_context") {
      NNLAT_ASSIGN_OR_RETURN(int64_t n, required(f.out_c, "output_channel", op, where));
      NNLAT_ASSIGN_OR_RETURN(const int64_t g, conv_groups(f, c, oh, n, k, where));
      if (c % g != 0 || n % g != 0) {
        return make_error(ErrorCode::kShapeError, where + ": " + std::to_string(g) + " groups do not divide " +
                                                      std::to_string(c) + " input and " + std::to_string(n) +
                                                      " output channels");
      }
      NNLAT_RETURN_IF_ERROR(check_product({oh, oh, n}, kMaxElements, "output elements", where));
      NNLAT_RETURN_IF_ERROR(check_product({oh, oh, n, c / g, k, k}, kMaxMacs, "multiply-accumulates", where));
      if (g > 1 && g == c && n == c) {
        y = b.op(OpKind::kDepthwiseConv2d, {x}, std::move(a));
      } else {
        a["out_channels"] = n;
        if (g != 1) a["groups"] = g;
        y = b.op(OpKind::kConv2d, {x}, std::move(a));
      }
    } else {
      NNLAT_RETURN_IF_ERROR(check_product({oh, oh, c, k, k}, kMaxMacs, "window reads", where));
      y = b.op(name == "max_pool2d" ? OpKind::kMaxPool2d : OpKind::kAvgPool2d, {x}, std::move(a));
    }
  } else if (name == "add" || name == "mul") {
    // The other operand has the same shape (the file lists one shape; `flops` is C·H·W).
    const ir::ValueId other = b.input(b.shape(x), next_input_name(b));
    y = b.op(name == "add" ? OpKind::kAdd : OpKind::kMul, {x, other});
  } else if (name == "run_batchnorm_context") {
    y = b.op(OpKind::kBatchNorm, {x});
  } else if (name == "relu") {
    y = b.op(OpKind::kRelu, {x});
  } else if (name == "clamp") {
    y = b.op(OpKind::kClamp, {x}, {{"max", 6.0}});  // the bounds are not listed; ReLU6 is the common one
  } else if (name == "hardswish") {
    y = b.op(OpKind::kHardSwish, {x});
  } else if (name == "sigmoid") {
    y = b.op(OpKind::kSigmoid, {x});
  } else {
    return make_error(ErrorCode::kUnsupported, where + ": unknown PyTorch Mobile operation '" + op + "'");
  }
  outputs.push_back(y);
  return Status::Ok();
}

}  // namespace nnlat::campaigns::mlbench_rows
