// TFLite op rows (CONV_2D, MEAN, ...) as islands with the linked tails their kernel names list.
#include "campaigns/mlbench/mlbench_rows.hpp"

namespace nnlat::campaigns::mlbench_rows {
namespace {

// The linked element-wise ops a kernel name lists, in order:
// "convolution_2d_16_linked_:_add_17_linked_:_relu_18" → {add, relu}.
std::vector<std::string> linked_ops(std::string_view kernel_name) {
  constexpr std::string_view kLink = "_linked_:_";
  std::vector<std::string> ops;
  size_t at = kernel_name.find(kLink);
  while (at != std::string_view::npos) {
    const size_t start = at + kLink.size();
    at = kernel_name.find(kLink, start);
    std::string_view part =
        kernel_name.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    part = without_node_numbers(part);
    if (!part.empty()) ops.emplace_back(part);
  }
  return ops;
}

// kernel, stride and pads of a k×k window op (conv, pool) that turns an h×h input into the
// listed output size.
Result<ir::Attrs> window_attrs(const std::optional<int64_t>& kernel, const std::optional<int64_t>& out_hw,
                               const std::optional<int64_t>& stride, int64_t h, const std::string& op,
                               const std::string& where) {
  NNLAT_ASSIGN_OR_RETURN(int64_t k, required(kernel, "Kernel", op, where));
  NNLAT_ASSIGN_OR_RETURN(int64_t oh, required(out_hw, "Output_shape", op, where));
  const int64_t s = stride && *stride > 0 ? *stride : 1;
  NNLAT_ASSIGN_OR_RETURN(int64_t pad, total_padding(h, oh, k, s, where));
  return ir::Attrs{
      {"kernel", std::vector<int64_t>{k, k}}, {"stride", std::vector<int64_t>{s, s}}, {"pads", pads_of(pad)}};
}

}  // namespace

Status add_tflite_island(ir::GraphBuilder& b, const OpRow& row, const std::string& where,
                         std::vector<ir::ValueId>& outputs) {
  using ir::OpKind;
  const auto& f = row.features;
  NNLAT_ASSIGN_OR_RETURN(auto in_hw, int_feature(f, "Input_shape", where));
  NNLAT_ASSIGN_OR_RETURN(auto in_c, int_feature(f, "Input_channel", where));
  NNLAT_ASSIGN_OR_RETURN(auto out_hw, int_feature(f, "Output_shape", where));
  NNLAT_ASSIGN_OR_RETURN(auto stride, int_feature(f, "Stride", where));
  NNLAT_ASSIGN_OR_RETURN(auto kernel, int_feature(f, "Kernel", where));
  NNLAT_ASSIGN_OR_RETURN(auto filters, int_feature(f, "Filter", where));
  NNLAT_ASSIGN_OR_RETURN(auto group, int_feature(f, "Group", where));
  NNLAT_ASSIGN_OR_RETURN(int64_t c, required(in_c, "Input_channel", row.op, where));
  const std::string& op = row.op;
  ir::ValueId y;
  if (op == "FULLY_CONNECTED") {
    NNLAT_ASSIGN_OR_RETURN(int64_t n, required(filters, "Filter", op, where));
    NNLAT_RETURN_IF_ERROR(check_product({c, n}, kMaxElements, "weights", where));
    y = b.fully_connected(b.input({1, c}, next_input_name(b)), n);
  } else {
    NNLAT_ASSIGN_OR_RETURN(int64_t h, required(in_hw, "Input_shape", op, where));
    NNLAT_RETURN_IF_ERROR(check_product({c, h, h}, kMaxElements, "input elements", where));
    const ir::ValueId x = b.input({1, c, h, h}, next_input_name(b));
    if (op == "CONV_2D" || op == "CONV_2D_GROUP" || op == "DEPTHWISE_CONV_2D") {
      NNLAT_ASSIGN_OR_RETURN(ir::Attrs a, window_attrs(kernel, out_hw, stride, h, op, where));
      if (op == "DEPTHWISE_CONV_2D") {
        if (filters.value_or(1) != 1) {
          return make_error(ErrorCode::kUnsupported, where + ": depthwise channel multiplier " +
                                                         std::to_string(*filters) + " (only 1 is supported)");
        }
        NNLAT_RETURN_IF_ERROR(
            check_product({*out_hw, *out_hw, c, *kernel, *kernel}, kMaxMacs, "multiply-accumulates", where));
        y = b.op(OpKind::kDepthwiseConv2d, {x}, std::move(a));
      } else {
        NNLAT_ASSIGN_OR_RETURN(int64_t n, required(filters, "Filter", op, where));
        const int64_t g = group && *group > 0 ? *group : 1;
        if (c % g != 0 || n % g != 0) {
          return make_error(ErrorCode::kShapeError, where + ": " + std::to_string(g) + " groups do not divide " +
                                                        std::to_string(c) + " input and " + std::to_string(n) +
                                                        " output channels");
        }
        NNLAT_RETURN_IF_ERROR(check_product({*out_hw, *out_hw, n}, kMaxElements, "output elements", where));
        NNLAT_RETURN_IF_ERROR(
            check_product({*out_hw, *out_hw, n, c / g, *kernel, *kernel}, kMaxMacs, "multiply-accumulates", where));
        a["out_channels"] = n;
        if (g != 1) a["groups"] = g;
        y = b.op(OpKind::kConv2d, {x}, std::move(a));
      }
    } else if (op == "MAX_POOL_2D" || op == "AVERAGE_POOL_2D") {
      NNLAT_ASSIGN_OR_RETURN(ir::Attrs a, window_attrs(kernel, out_hw, stride, h, op, where));
      NNLAT_RETURN_IF_ERROR(check_product({*out_hw, *out_hw, c, *kernel, *kernel}, kMaxMacs, "window reads", where));
      y = b.op(op == "MAX_POOL_2D" ? OpKind::kMaxPool2d : OpKind::kAvgPool2d, {x}, std::move(a));
    } else if (op == "MEAN") {
      y = b.global_avg_pool(x);
    } else if (op == "CONCATENATION") {
      // `Kernel` is the number of inputs, `Input_channel` the first input's channels and
      // `Filter` the output's: the rest is split evenly (the file does not say how).
      NNLAT_ASSIGN_OR_RETURN(int64_t parts, required(kernel, "Kernel", op, where));
      NNLAT_ASSIGN_OR_RETURN(int64_t total, required(filters, "Filter", op, where));
      if (parts < 2 || total <= c || total - c < parts - 1) {
        return make_error(ErrorCode::kShapeError, where + ": concatenation of " + std::to_string(parts) +
                                                      " inputs from " + std::to_string(c) + " to " +
                                                      std::to_string(total) + " channels");
      }
      // Real concatenations join a handful of tensors (a dense block's, a few hundred).
      NNLAT_RETURN_IF_ERROR(check_product({parts}, 4096, "inputs to concatenate", where));
      NNLAT_RETURN_IF_ERROR(check_product({total, h, h}, kMaxElements, "output elements", where));
      std::vector<ir::ValueId> xs{x};
      const int64_t rest = total - c;
      for (int64_t p = 1; p < parts; ++p) {
        const int64_t share = rest / (parts - 1) + (p == parts - 1 ? rest % (parts - 1) : 0);
        xs.push_back(b.input({1, share, h, h}, next_input_name(b)));
      }
      y = b.concat(std::move(xs));
    } else {
      return make_error(ErrorCode::kUnsupported, where + ": unknown operation '" + op + "'");
    }
  }
  // The linked tail: the longest list among the GPUs (a Winograd kernel's name may omit it).
  std::vector<std::string> tail;
  for (const auto& k : row.kernels) {
    auto ops = linked_ops(k);
    if (ops.size() > tail.size()) tail = std::move(ops);
  }
  for (const auto& t : tail) {
    if (t == "relu") {
      y = b.op(OpKind::kRelu, {y});
    } else if (t == "hard_swish") {
      y = b.op(OpKind::kHardSwish, {y});
    } else if (t == "sigmoid") {
      y = b.op(OpKind::kSigmoid, {y});
    } else if (t == "minimum") {
      y = b.op(OpKind::kClamp, {y}, {{"max", 6.0}});
    } else if (t == "add" || t == "mul") {
      // The other operand has the kernel's output shape (the file does not say more).
      const ir::ValueId other = b.input(b.shape(y), next_input_name(b));
      y = b.op(t == "add" ? OpKind::kAdd : OpKind::kMul, {y, other});
    } else {
      return make_error(ErrorCode::kUnsupported, where + ": unknown linked operation '" + t + "'");
    }
  }
  if (out_hw && row.op != "FULLY_CONNECTED" && row.op != "MEAN" && row.op != "CONCATENATION") {
    const auto& shape = b.shape(y);
    if (shape.size() == 4 && shape[2] != *out_hw) {
      return make_error(ErrorCode::kShapeError, where + ": computed output " + std::to_string(shape[2]) +
                                                    " differs from Output_shape " + std::to_string(*out_hw));
    }
  }
  outputs.push_back(y);
  return Status::Ok();
}

}  // namespace nnlat::campaigns::mlbench_rows
