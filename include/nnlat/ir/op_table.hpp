// Public view of the op table (ops.inc): enum, names, arity, attributes, shape and cost rules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/types.hpp"

namespace nnlat::ir {

enum class OpKind : uint8_t {
#define NNLAT_OP(id, name, min_in, max_in, outs, onnx, tflite) id,
#include "nnlat/ir/ops.inc"
#undef NNLAT_OP
};

inline constexpr int kNumOpKinds = 0
#define NNLAT_OP(id, name, min_in, max_in, outs, onnx, tflite) +1
#include "nnlat/ir/ops.inc"
#undef NNLAT_OP
    ;

// Coarse grouping used by reports and, later, by feature families.
enum class OpCategory { kConv, kLinear, kNormalization, kActivation, kPool, kReduce, kElementwise, kDataMovement };
std::string_view op_category_name(OpCategory category);

struct AttrSpec {
  std::string_view name;
  AttrType type;
  bool required;
};

// Per-op cost (DESIGN.md principle 5). Bytes assume the graph's dtype and count each
// operand once (no cache model): input activations read, weights read, outputs written.
struct OpCost {
  int64_t macs = 0;          // multiply-accumulates (conv, fc, matmul)
  int64_t params = 0;        // learnable parameters (conv/fc weights + bias, BN scale+shift)
  int64_t input_bytes = 0;   // activation bytes read
  int64_t weight_bytes = 0;  // parameter bytes read
  int64_t output_bytes = 0;  // activation bytes written
  int64_t output_elements = 0;

  OpCost& operator+=(const OpCost& other);
};

using ShapeRule = Status (*)(const Attrs& attrs, std::span<const Shape> inputs, std::vector<Shape>& outputs);
// Shapes by pointer: costing reads them in place (predictors cost millions of nodes).
using CostRule = OpCost (*)(const Attrs& attrs, std::span<const Shape* const> inputs,
                            std::span<const Shape* const> outputs);

struct OpInfo {
  OpKind kind;
  std::string_view name;
  int min_inputs;
  int max_inputs;
  int num_outputs;  // -1: variable (split)
  std::string_view onnx_name;
  std::string_view tflite_name;
  OpCategory category;
  std::span<const AttrSpec> attrs;
  ShapeRule infer_shapes;
  CostRule cost;  // MACs and params; byte counts are filled in generically
};

const OpInfo& op_info(OpKind kind);
std::string_view op_name(OpKind kind);
std::span<const OpInfo> all_ops();

// Lookups by name go only through the table; never by substring.
std::optional<OpKind> op_from_name(std::string_view canonical_name);
std::optional<OpKind> op_from_onnx(std::string_view onnx_op_type);
std::optional<OpKind> op_from_tflite(std::string_view tflite_builtin_name);

// Checks an attribute map against the op's declared attributes: unknown names, wrong
// types and missing required attributes are errors.
Status validate_attrs(OpKind kind, const Attrs& attrs);

// Spatial geometry shared by convolutions and pools: resolved pads [top, left, bottom,
// right] and the output size for one input size. `padding` is "explicit", "same" or "valid".
struct Window2d {
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t out_h, out_w;
};
Result<Window2d> resolve_window(const Attrs& attrs, int64_t in_h, int64_t in_w, bool ceil_mode);

}  // namespace nnlat::ir
