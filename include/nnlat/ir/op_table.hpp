// Public view of the op table (ops.inc): enum, names, arity, attributes, shape and cost rules.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
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

// Coarse grouping used by reports.
enum class OpCategory { kConv, kLinear, kNormalization, kActivation, kPool, kReduce, kElementwise, kDataMovement };
std::string_view op_category_name(OpCategory category);

// The kernel family a kernel anchored at an op belongs to: features give each family its own
// schema, predictors train one model per family, backends choose implementations by it.
// Declared per op in the table so that features and backends read one answer.
enum class KernelFamily : uint8_t {
  kConv,            // conv2d (groups may be > 1)
  kDepthwise,       // depthwise_conv2d
  kFullyConnected,  // fully_connected, matmul
  kPool,            // max_pool2d, avg_pool2d
  kGlobalPool,      // global_avg_pool, reduce_mean
  kConcat,          // concat
  kElementwise,     // add/sub/mul/div and stand-alone activations
  kDataMovement,    // reshape, flatten, transpose, pad, split, channel_shuffle, identity, resize
  kOther,           // everything else (softmax, batch_norm alone, ...)
};
inline constexpr size_t kNumKernelFamilies = 9;

// Yes/no facts about an op, read instead of switching over OpKind to classify.
enum class OpTrait : uint32_t {
  kWeighted = 1u << 0,     // a linear op with a weight tensor (conv, depthwise, fc): batch norm folds into it
  kActivation = 1u << 1,   // a unary per-element activation function (relu ... gelu; not softmax)
  kBinary = 1u << 2,       // add/sub/mul/div: two broadcast operands, or one and a 'scalar'
  kElementwise = 1u << 3,  // each output element reads only its own input element(s): activations,
                           // binary ops and batch norm (per-channel constants)
};
using OpTraits = uint32_t;  // OpTrait bits
constexpr OpTraits operator|(OpTrait a, OpTrait b) { return static_cast<OpTraits>(a) | static_cast<OpTraits>(b); }
constexpr OpTraits operator|(OpTraits a, OpTrait b) { return a | static_cast<OpTraits>(b); }

// How costly an activation is to evaluate (a feature value: its numbers are part of the
// feature schema).
enum class ActivationClass : uint8_t {
  kNone = 0,             // not an activation
  kClamp = 1,            // min/max: relu, relu6, clamp
  kPiecewiseLinear = 2,  // hardswish, hardsigmoid
  kTranscendental = 3,   // sigmoid, swish, tanh, gelu
};

// What an absent optional attribute means; monostate: no default (absence has its own
// meaning, e.g. a binary op's 'scalar', or the attribute is a list resolved by its reader).
using AttrDefault = std::variant<std::monostate, int64_t, double, std::string_view>;

struct AttrSpec {
  std::string_view name;
  AttrType type;
  bool required;
  AttrDefault fallback;  // read by attr_int / attr_float / attr_string when absent
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
  KernelFamily family;
  OpTraits traits;
  ActivationClass activation;
  std::span<const AttrSpec> attrs;
  ShapeRule infer_shapes;
  CostRule cost;  // MACs and params; byte counts are filled in generically
};

const OpInfo& op_info(OpKind kind);
std::string_view op_name(OpKind kind);
std::span<const OpInfo> all_ops();
inline KernelFamily kernel_family(OpKind kind) { return op_info(kind).family; }
inline bool has_trait(OpKind kind, OpTrait trait) { return (op_info(kind).traits & static_cast<OpTraits>(trait)) != 0; }
inline ActivationClass activation_class(OpKind kind) { return op_info(kind).activation; }

// A set of ops, written as a list where a backend or format classifies ops (e.g. "takes a
// fused activation"). Classification has a safe answer for an op nobody listed (no), so it is
// a set rather than a switch; a switch without `default:` is kept for the places that must
// decide per op (lowering, import/export), where a new op has to be a compile error.
class OpSet {
 public:
  constexpr OpSet(std::initializer_list<OpKind> ops) {
    for (OpKind op : ops) bits_ |= uint64_t{1} << static_cast<unsigned>(op);
  }
  constexpr bool contains(OpKind op) const { return (bits_ >> static_cast<unsigned>(op)) & 1u; }

 private:
  static_assert(kNumOpKinds <= 64, "OpSet keeps one bit per op");
  uint64_t bits_ = 0;
};

// An attribute's value, or the op table's declared default when it is absent (or of another
// type, as get_int reads it). Callers never repeat a default: the table says it once. An
// attribute without a declared default reads as 0 / 0.0 / "".
int64_t attr_int(OpKind kind, const Attrs& attrs, std::string_view name);
double attr_float(OpKind kind, const Attrs& attrs, std::string_view name);
std::string attr_string(OpKind kind, const Attrs& attrs, std::string_view name);
// The declared spec of `name` for `kind`, or null when the op has no such attribute.
const AttrSpec* find_attr_spec(OpKind kind, std::string_view name);

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
