// TFLite export: an IR graph becomes a float32 "TFL3" FlatBuffer with random weights, for
// graphs whose ops TFLite runs natively (docs/tflite.md). NCHW values become NHWC tensors;
// relu / relu6 / clamp right after a conv, fully-connected, pool, concat or element-wise op
// are fused into it as its fused_activation_function, as the TFLite converter does.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "formats/tflite/tflite_layout.hpp"
#include "formats/tflite/tflite_schema.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat::formats {
namespace {

namespace fb = nnlat::tflite_fb;
namespace lay = tflite_layout;
using ir::Attrs;
using ir::get_float;
using ir::get_int;
using ir::get_ints;
using ir::get_string;
using ir::Node;
using ir::OpKind;
using ir::Shape;
using ir::ValueId;

using Act = fb::ActivationFunctionType;
using Op = fb::BuiltinOperator;
using Opts = fb::BuiltinOptions;

// What a fused activation may be: relu, relu6 and the clamps TFLite has a code for.
std::optional<Act> clamp_code(double lo, double hi) {
  if (lo == 0.0 && hi == 6.0) return Act::RELU6;
  if (lo == -1.0 && hi == 1.0) return Act::RELU_N1_TO_1;
  if (lo == 0.0 && hi >= std::numeric_limits<float>::max()) return Act::RELU;
  return std::nullopt;
}

std::optional<Act> fusable_activation(const Node& n) {
  switch (n.op) {
    case OpKind::kRelu:
      return Act::RELU;
    case OpKind::kRelu6:
      return Act::RELU6;
    case OpKind::kClamp:
      return clamp_code(n.attr_float("min"), n.attr_float("max"));
    default:
      return std::nullopt;
  }
}

bool takes_fused_activation(OpKind kind) {
  // The builtin ops whose options carry a fused_activation_function.
  constexpr ir::OpSet kFusedActivation{OpKind::kConv2d,
                                       OpKind::kDepthwiseConv2d,
                                       OpKind::kFullyConnected,
                                       OpKind::kMaxPool2d,
                                       OpKind::kAvgPool2d,
                                       OpKind::kAdd,
                                       OpKind::kSub,
                                       OpKind::kMul,
                                       OpKind::kDiv,
                                       OpKind::kConcat};
  return kFusedActivation.contains(kind);
}

// How a window op's padding is written: TFLite has SAME and VALID only; anything else is an
// explicit PAD op before a VALID window.
struct PadPlan {
  fb::Padding padding = fb::Padding::VALID;
  bool pad_op = false;
  std::array<int64_t, 4> pads{};  // top, left, bottom, right
};

Result<PadPlan> plan_padding(const Attrs& attrs, int64_t in_h, int64_t in_w, bool ceil_mode, bool same_allowed) {
  PadPlan plan;
  const std::string mode = get_string(attrs, "padding", "explicit");
  if (!ceil_mode && mode == "same" && same_allowed) {
    plan.padding = fb::Padding::SAME;
    return plan;
  }
  if (!ceil_mode && mode == "valid") return plan;
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d w, ir::resolve_window(attrs, in_h, in_w, ceil_mode));
  plan.pads = {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right};
  // A floor-mode window over the padded input must give the same output size (ceil_mode
  // becomes extra padding at the end).
  const int64_t eff_h = (w.kernel_h - 1) * w.dilation_h + 1;
  const int64_t eff_w = (w.kernel_w - 1) * w.dilation_w + 1;
  if ((in_h + plan.pads[0] + plan.pads[2] - eff_h) / w.stride_h + 1 != w.out_h) {
    plan.pads[2] = (w.out_h - 1) * w.stride_h + eff_h - in_h - plan.pads[0];
  }
  if ((in_w + plan.pads[1] + plan.pads[3] - eff_w) / w.stride_w + 1 != w.out_w) {
    plan.pads[3] = (w.out_w - 1) * w.stride_w + eff_w - in_w - plan.pads[1];
  }
  if (plan.pads[2] < 0 || plan.pads[3] < 0) {
    return make_error(ErrorCode::kUnsupported, "this window needs cropping, which TFLite pooling cannot express");
  }
  if (std::all_of(plan.pads.begin(), plan.pads.end(), [](int64_t p) { return p == 0; })) return plan;
  if (same_allowed) {
    Attrs same = attrs;
    same.erase("pads");
    same["padding"] = std::string("same");
    NNLAT_ASSIGN_OR_RETURN(ir::Window2d s, ir::resolve_window(same, in_h, in_w, false));
    if (std::array<int64_t, 4>{s.pad_top, s.pad_left, s.pad_bottom, s.pad_right} == plan.pads) {
      plan.padding = fb::Padding::SAME;
      return plan;
    }
  }
  plan.pad_op = true;
  return plan;
}

class Writer {
 public:
  Writer(const ir::Graph& graph, uint64_t seed) : g_(graph), rng_(seed) {}
  Result<std::string> run();

 private:
  Error node_error(const Node& n, const std::string& message, ErrorCode code = ErrorCode::kUnsupported) const {
    return make_error(code, "TFLite export: node " + n.name + " (" + std::string(ir::op_name(n.op)) + "): " + message);
  }

  // Deterministic on every platform (std:: distributions are not).
  uint64_t next() { return splitmix64_mix(rng_ += kSplitmix64Increment); }
  float uniform(float bound) {
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;  // [0, 1)
    return static_cast<float>((2.0 * u - 1.0) * bound);
  }

  std::string unique_name(const std::string& base);
  uint32_t add_buffer(const std::vector<uint8_t>& bytes);
  int32_t add_tensor(const std::string& name, const Shape& tfl_shape, fb::TensorType type, uint32_t buffer);
  int32_t temp(const std::string& name, const Shape& tfl_shape) {
    return add_tensor(unique_name(name), tfl_shape, fb::TensorType::FLOAT32, 0);
  }
  int32_t const_ints(const std::string& name, const std::vector<int64_t>& values, const Shape& shape);
  int32_t const_floats(const std::string& name, const std::vector<float>& values, const Shape& shape);
  int32_t random_weights(const std::string& name, const Shape& shape, int64_t fan_in);
  int32_t tensor_of(ValueId v);
  uint32_t opcode(Op op);
  void add_op(Op op, std::vector<int32_t> inputs, std::vector<int32_t> outputs, Opts type = Opts::NONE,
              flatbuffers::Offset<void> options = 0);

  // The value whose tensor a node's (last) TFLite op writes: the fused activation's output
  // when one was fused into it.
  ValueId out_value(const Node& n) const {
    auto it = fused_into_.find(n.outputs[0].index);
    return it == fused_into_.end() ? n.outputs[0] : it->second.second;
  }
  Act fused_act(const Node& n) const {
    auto it = fused_into_.find(n.outputs[0].index);
    return it == fused_into_.end() ? Act::NONE : it->second.first;
  }

  int32_t reshape(int32_t x, const Shape& tfl_to, int32_t out, const std::string& base);
  int32_t layout_reshape(int32_t x, const Shape& ir_from, const Shape& ir_to, int32_t out, const std::string& base);
  int32_t pad_input(int32_t x, const Shape& ir_in, const PadPlan& plan, bool max_pool, const std::string& base);
  int32_t scalar_binary(Op op, int32_t x, float value, int32_t out, Act act, const std::string& base);

  Status write_node(const Node& n);
  Status conv(const Node& n);
  Status depthwise(const Node& n, int64_t multiplier);
  Status fully_connected(const Node& n);
  Status pool(const Node& n);
  Status binary(const Node& n);
  Status activation(const Node& n);

  const ir::Graph& g_;
  uint64_t rng_;
  flatbuffers::FlatBufferBuilder fbb_{1 << 20};
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Operator>> operators_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes_;
  std::map<Op, uint32_t> code_index_;
  std::vector<int32_t> tensor_of_value_;
  std::set<std::string> names_;
  // pre-activation value -> (activation code, activation output value)
  std::map<uint32_t, std::pair<Act, ValueId>> fused_into_;
  std::set<uint32_t> absorbed_nodes_;
};

std::string Writer::unique_name(const std::string& base) {
  std::string name = base;
  for (int i = 1; names_.contains(name); ++i) name = base + "#" + std::to_string(i);
  names_.insert(name);
  return name;
}

uint32_t Writer::add_buffer(const std::vector<uint8_t>& bytes) {
  fbb_.ForceVectorAlignment(bytes.size(), sizeof(uint8_t), 16);
  const auto data = fbb_.CreateVector(bytes);
  buffers_.push_back(fb::CreateBuffer(fbb_, data));
  return static_cast<uint32_t>(buffers_.size() - 1);
}

int32_t Writer::add_tensor(const std::string& name, const Shape& tfl_shape, fb::TensorType type, uint32_t buffer) {
  std::vector<int32_t> shape(tfl_shape.begin(), tfl_shape.end());
  tensors_.push_back(fb::CreateTensorDirect(fbb_, &shape, type, buffer, name.c_str()));
  return static_cast<int32_t>(tensors_.size() - 1);
}

int32_t Writer::const_ints(const std::string& name, const std::vector<int64_t>& values, const Shape& shape) {
  std::vector<uint8_t> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    flatbuffers::WriteScalar<int32_t>(bytes.data() + 4 * i, static_cast<int32_t>(values[i]));
  }
  return add_tensor(unique_name(name), shape, fb::TensorType::INT32, add_buffer(bytes));
}

int32_t Writer::const_floats(const std::string& name, const std::vector<float>& values, const Shape& shape) {
  std::vector<uint8_t> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) flatbuffers::WriteScalar<float>(bytes.data() + 4 * i, values[i]);
  return add_tensor(unique_name(name), shape, fb::TensorType::FLOAT32, add_buffer(bytes));
}

// Uniform in +-1/sqrt(fan_in), PyTorch's default range for conv and linear layers.
int32_t Writer::random_weights(const std::string& name, const Shape& shape, int64_t fan_in) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(fan_in, 1)));
  std::vector<float> values(static_cast<size_t>(ir::num_elements(shape)));
  for (float& v : values) v = uniform(bound);
  return const_floats(name, values, shape);
}

int32_t Writer::tensor_of(ValueId v) {
  int32_t& t = tensor_of_value_[v.index];
  if (t < 0) {
    const ir::Value& value = g_.value(v);
    t = add_tensor(unique_name(value.name), lay::nchw_to_nhwc(value.shape), fb::TensorType::FLOAT32, 0);
  }
  return t;
}

uint32_t Writer::opcode(Op op) {
  auto [it, inserted] = code_index_.emplace(op, static_cast<uint32_t>(codes_.size()));
  if (inserted) {
    const auto code = static_cast<int32_t>(op);
    // Codes above 127 do not fit the old byte field, which then holds the placeholder 127.
    const auto deprecated = static_cast<int8_t>(std::min<int32_t>(code, 127));
    codes_.push_back(fb::CreateOperatorCode(fbb_, deprecated, 0, 1, op));
  }
  return it->second;
}

void Writer::add_op(Op op, std::vector<int32_t> inputs, std::vector<int32_t> outputs, Opts type,
                    flatbuffers::Offset<void> options) {
  operators_.push_back(fb::CreateOperatorDirect(fbb_, opcode(op), &inputs, &outputs, type, options));
}

int32_t Writer::reshape(int32_t x, const Shape& tfl_to, int32_t out, const std::string& base) {
  if (out < 0) out = temp(base, tfl_to);
  const int32_t shape = const_ints(base + ":shape", tfl_to, {static_cast<int64_t>(tfl_to.size())});
  std::vector<int32_t> new_shape(tfl_to.begin(), tfl_to.end());
  add_op(Op::RESHAPE, {x, shape}, {out}, Opts::ReshapeOptions,
         fb::CreateReshapeOptionsDirect(fbb_, &new_shape).Union());
  return out;
}

// TFLite ops with the meaning of IR reshape from `ir_from` to `ir_to`: a rank-4 tensor is
// NHWC in TFLite and NCHW in the IR, so its memory order is changed to NCHW before and back
// to NHWC after the reshape, unless that leaves the order unchanged.
int32_t Writer::layout_reshape(int32_t x, const Shape& ir_from, const Shape& ir_to, int32_t out,
                               const std::string& base) {
  int32_t cur = x;
  if (ir_from.size() == 4 && !lay::transpose_is_noop(lay::nchw_to_nhwc(ir_from), lay::kPermNhwcToNchw)) {
    const int32_t t = temp(base + ":nchw", ir_from);
    add_op(Op::TRANSPOSE, {cur, const_ints(base + ":perm", lay::kPermNhwcToNchw, {4})}, {t}, Opts::TransposeOptions,
           fb::CreateTransposeOptions(fbb_).Union());
    cur = t;
  }
  if (ir_to.size() == 4 && !lay::transpose_is_noop(ir_to, lay::kPermNchwToNhwc)) {
    const int32_t mid = reshape(cur, ir_to, -1, base + ":reshape");
    if (out < 0) out = temp(base, lay::nchw_to_nhwc(ir_to));
    add_op(Op::TRANSPOSE, {mid, const_ints(base + ":perm", lay::kPermNchwToNhwc, {4})}, {out}, Opts::TransposeOptions,
           fb::CreateTransposeOptions(fbb_).Union());
    return out;
  }
  return reshape(cur, lay::nchw_to_nhwc(ir_to), out, base);
}

int32_t Writer::pad_input(int32_t x, const Shape& ir_in, const PadPlan& plan, bool max_pool, const std::string& base) {
  const std::vector<int64_t> paddings = {0, 0, plan.pads[0], plan.pads[2], plan.pads[1], plan.pads[3], 0, 0};
  const Shape padded = {ir_in[0], ir_in[2] + plan.pads[0] + plan.pads[2], ir_in[3] + plan.pads[1] + plan.pads[3],
                        ir_in[1]};
  const int32_t out = temp(base + ":padded", padded);
  const int32_t pads = const_ints(base + ":paddings", paddings, {4, 2});
  if (max_pool) {
    // Max pooling ignores padding: pad with the lowest value so that it never wins.
    const int32_t value = const_floats(base + ":pad_value", {std::numeric_limits<float>::lowest()}, {});
    add_op(Op::PADV2, {x, pads, value}, {out}, Opts::PadV2Options, fb::CreatePadV2Options(fbb_).Union());
  } else {
    add_op(Op::PAD, {x, pads}, {out}, Opts::PadOptions, fb::CreatePadOptions(fbb_).Union());
  }
  return out;
}

int32_t Writer::scalar_binary(Op op, int32_t x, float value, int32_t out, Act act, const std::string& base) {
  const int32_t c = const_floats(base + ":scalar", {value}, {1});
  switch (op) {
    case Op::ADD:
      add_op(op, {x, c}, {out}, Opts::AddOptions, fb::CreateAddOptions(fbb_, act).Union());
      break;
    case Op::SUB:
      add_op(op, {x, c}, {out}, Opts::SubOptions, fb::CreateSubOptions(fbb_, act).Union());
      break;
    case Op::MUL:
      add_op(op, {x, c}, {out}, Opts::MulOptions, fb::CreateMulOptions(fbb_, act).Union());
      break;
    default:
      add_op(op, {x, c}, {out}, Opts::DivOptions, fb::CreateDivOptions(fbb_, act).Union());
      break;
  }
  return out;
}

// ---- ops ------------------------------------------------------------------------------------

Status Writer::conv(const Node& n) {
  const Shape& in = g_.value(n.inputs[0]).shape;
  const int64_t cin = in[1];
  const int64_t cout = get_int(n.attrs, "out_channels", 0);
  const int64_t groups = n.attr_int("groups");
  if (groups > 1 && groups == cin && cout % cin == 0) return depthwise(n, cout / cin);
  NNLAT_ASSIGN_OR_RETURN(PadPlan plan, plan_padding(n.attrs, in[2], in[3], false, true));
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d w, ir::resolve_window(n.attrs, in[2], in[3], false));
  int32_t x = tensor_of(n.inputs[0]);
  if (plan.pad_op) x = pad_input(x, in, plan, false, n.name);
  const int64_t cin_per_group = cin / groups;
  std::vector<int32_t> inputs = {x, random_weights(n.name + ":filter", {cout, w.kernel_h, w.kernel_w, cin_per_group},
                                                   cin_per_group * w.kernel_h * w.kernel_w)};
  // TFLite's CONV_2D takes the bias as an optional third input (no "-1" placeholder).
  if (n.attr_int("bias")) {
    inputs.push_back(random_weights(n.name + ":bias", {cout}, cin_per_group * w.kernel_h * w.kernel_w));
  }
  const auto options =
      fb::CreateConv2DOptions(fbb_, plan.padding, static_cast<int32_t>(w.stride_w), static_cast<int32_t>(w.stride_h),
                              fused_act(n), static_cast<int32_t>(w.dilation_w), static_cast<int32_t>(w.dilation_h));
  add_op(Op::CONV_2D, std::move(inputs), {tensor_of(out_value(n))}, Opts::Conv2DOptions, options.Union());
  return Status::Ok();
}

Status Writer::depthwise(const Node& n, int64_t multiplier) {
  const Shape& in = g_.value(n.inputs[0]).shape;
  NNLAT_ASSIGN_OR_RETURN(PadPlan plan, plan_padding(n.attrs, in[2], in[3], false, true));
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d w, ir::resolve_window(n.attrs, in[2], in[3], false));
  int32_t x = tensor_of(n.inputs[0]);
  if (plan.pad_op) x = pad_input(x, in, plan, false, n.name);
  const int64_t channels = in[1] * multiplier;
  std::vector<int32_t> inputs = {
      x, random_weights(n.name + ":filter", {1, w.kernel_h, w.kernel_w, channels}, w.kernel_h * w.kernel_w)};
  if (n.attr_int("bias")) inputs.push_back(random_weights(n.name + ":bias", {channels}, w.kernel_h * w.kernel_w));
  const auto options =
      fb::CreateDepthwiseConv2DOptions(fbb_, plan.padding, static_cast<int32_t>(w.stride_w),
                                       static_cast<int32_t>(w.stride_h), static_cast<int32_t>(multiplier), fused_act(n),
                                       static_cast<int32_t>(w.dilation_w), static_cast<int32_t>(w.dilation_h));
  add_op(Op::DEPTHWISE_CONV_2D, std::move(inputs), {tensor_of(out_value(n))}, Opts::DepthwiseConv2DOptions,
         options.Union());
  return Status::Ok();
}

Status Writer::fully_connected(const Node& n) {
  const Shape& in = g_.value(n.inputs[0]).shape;
  if (in.size() == 4) {
    return node_error(n,
                      "acts on the last (width) dimension of a rank-4 NCHW value, which TFLite cannot express; "
                      "flatten first");
  }
  const int64_t k = in.back();
  const int64_t out = get_int(n.attrs, "out_features", 0);
  const int32_t bias = n.attr_int("bias") ? random_weights(n.name + ":bias", {out}, k) : -1;
  const int32_t weights = random_weights(n.name + ":weights", {out, k}, k);
  const auto options = fb::CreateFullyConnectedOptions(fbb_, fused_act(n),
                                                       fb::FullyConnectedOptionsWeightsFormat::DEFAULT, in.size() > 2);
  add_op(Op::FULLY_CONNECTED, {tensor_of(n.inputs[0]), weights, bias}, {tensor_of(out_value(n))},
         Opts::FullyConnectedOptions, options.Union());
  return Status::Ok();
}

Status Writer::pool(const Node& n) {
  const Shape& in = g_.value(n.inputs[0]).shape;
  const bool max_pool = n.op == OpKind::kMaxPool2d;
  const auto dilation = get_ints(n.attrs, "dilation", {1, 1});
  if (std::any_of(dilation.begin(), dilation.end(), [](int64_t d) { return d != 1; })) {
    return node_error(n, "dilated pooling has no TFLite equivalent");
  }
  // TFLite's SAME average pooling leaves the padding out of the count, as count_include_pad=0.
  const bool same_allowed = max_pool || n.attr_int("count_include_pad") == 0;
  auto plan = plan_padding(n.attrs, in[2], in[3], n.attr_int("ceil_mode") != 0, same_allowed);
  if (!plan.ok()) return node_error(n, plan.error().message, plan.error().code);
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d w, ir::resolve_window(n.attrs, in[2], in[3], false));
  int32_t x = tensor_of(n.inputs[0]);
  if (plan->pad_op) x = pad_input(x, in, *plan, max_pool, n.name);
  const auto options =
      fb::CreatePool2DOptions(fbb_, plan->padding, static_cast<int32_t>(w.stride_w), static_cast<int32_t>(w.stride_h),
                              static_cast<int32_t>(w.kernel_w), static_cast<int32_t>(w.kernel_h), fused_act(n));
  add_op(max_pool ? Op::MAX_POOL_2D : Op::AVERAGE_POOL_2D, {x}, {tensor_of(out_value(n))}, Opts::Pool2DOptions,
         options.Union());
  return Status::Ok();
}

Status Writer::binary(const Node& n) {
  const Op op = n.op == OpKind::kAdd   ? Op::ADD
                : n.op == OpKind::kSub ? Op::SUB
                : n.op == OpKind::kMul ? Op::MUL
                                       : Op::DIV;
  const int32_t out = tensor_of(out_value(n));
  if (n.inputs.size() == 1) {
    scalar_binary(op, tensor_of(n.inputs[0]), static_cast<float>(get_float(n.attrs, "scalar", 0.0)), out, fused_act(n),
                  n.name);
    return Status::Ok();
  }
  int32_t a = tensor_of(n.inputs[0]);
  int32_t b = tensor_of(n.inputs[1]);
  const Shape& sa = g_.value(n.inputs[0]).shape;
  const Shape& sb = g_.value(n.inputs[1]).shape;
  // IR broadcasting aligns trailing NCHW dimensions: make a lower-rank operand of a rank-4
  // one rank 4 (leading ones) so that it changes layout like the other.
  if (std::max(sa.size(), sb.size()) == 4 && sa.size() != sb.size()) {
    const bool a_low = sa.size() < 4;
    const Shape& low = a_low ? sa : sb;
    Shape padded(4 - low.size(), 1);
    padded.insert(padded.end(), low.begin(), low.end());
    int32_t& t = a_low ? a : b;
    t = layout_reshape(t, low, padded, -1, n.name + ":broadcast");
  }
  const Act act = fused_act(n);
  switch (op) {
    case Op::ADD:
      add_op(op, {a, b}, {out}, Opts::AddOptions, fb::CreateAddOptions(fbb_, act).Union());
      break;
    case Op::SUB:
      add_op(op, {a, b}, {out}, Opts::SubOptions, fb::CreateSubOptions(fbb_, act).Union());
      break;
    case Op::MUL:
      add_op(op, {a, b}, {out}, Opts::MulOptions, fb::CreateMulOptions(fbb_, act).Union());
      break;
    default:
      add_op(op, {a, b}, {out}, Opts::DivOptions, fb::CreateDivOptions(fbb_, act).Union());
      break;
  }
  return Status::Ok();
}

Status Writer::activation(const Node& n) {
  const int32_t x = tensor_of(n.inputs[0]);
  const int32_t out = tensor_of(n.outputs[0]);
  switch (n.op) {
    case OpKind::kRelu:
      add_op(Op::RELU, {x}, {out});
      return Status::Ok();
    case OpKind::kRelu6:
      add_op(Op::RELU6, {x}, {out});
      return Status::Ok();
    case OpKind::kSigmoid:
      add_op(Op::LOGISTIC, {x}, {out});
      return Status::Ok();
    case OpKind::kTanh:
      add_op(Op::TANH, {x}, {out});
      return Status::Ok();
    case OpKind::kHardSwish:
      add_op(Op::HARD_SWISH, {x}, {out}, Opts::HardSwishOptions, fb::CreateHardSwishOptions(fbb_).Union());
      return Status::Ok();
    case OpKind::kGelu: {
      const std::string approximate = n.attr_string("approximate");
      if (approximate != "none" && approximate != "tanh")
        return node_error(n, "approximate '" + approximate + "' unknown");
      add_op(Op::GELU, {x}, {out}, Opts::GeluOptions, fb::CreateGeluOptions(fbb_, approximate == "tanh").Union());
      return Status::Ok();
    }
    case OpKind::kClamp: {
      const auto code = fusable_activation(n);
      if (!code) return node_error(n, "only clamps to [0, 6], [-1, 1] and [0, inf) have a TFLite op");
      add_op(*code == Act::RELU6 ? Op::RELU6 : *code == Act::RELU ? Op::RELU : Op::RELU_N1_TO_1, {x}, {out});
      return Status::Ok();
    }
    case OpKind::kSwish: {  // x * sigmoid(x)
      const int32_t s = temp(n.name + ":sigmoid", lay::nchw_to_nhwc(g_.value(n.inputs[0]).shape));
      add_op(Op::LOGISTIC, {x}, {s});
      add_op(Op::MUL, {x, s}, {out}, Opts::MulOptions, fb::CreateMulOptions(fbb_).Union());
      return Status::Ok();
    }
    case OpKind::kHardSigmoid: {  // clamp(alpha x + beta, 0, 1) = relu6(6 alpha x + 6 beta) / 6
      const double alpha = n.attr_float("alpha");
      const double beta = n.attr_float("beta");
      const Shape tfl = lay::nchw_to_nhwc(g_.value(n.inputs[0]).shape);
      const int32_t scaled = scalar_binary(Op::MUL, x, static_cast<float>(6 * alpha), temp(n.name + ":scaled", tfl),
                                           Act::NONE, n.name + ":scale");
      const int32_t clipped = scalar_binary(Op::ADD, scaled, static_cast<float>(6 * beta),
                                            temp(n.name + ":clipped", tfl), Act::RELU6, n.name + ":shift");
      scalar_binary(Op::MUL, clipped, static_cast<float>(1.0 / 6.0), out, Act::NONE, n.name + ":div6");
      return Status::Ok();
    }
    default:  // write_node sends only the activations here
      return node_error(n, "not an activation", ErrorCode::kInternal);
  }
}

Status Writer::write_node(const Node& n) {
  const Shape& in = g_.value(n.inputs[0]).shape;
  const ir::Value& out = g_.value(n.outputs[0]);
  if (n.attrs.contains("operand")) return node_error(n, "a constant tensor operand is not written to TFLite");
  switch (n.op) {
    case OpKind::kConv2d:
      return conv(n);
    case OpKind::kDepthwiseConv2d:
      return depthwise(n, n.attr_int("multiplier"));
    case OpKind::kFullyConnected:
      return fully_connected(n);
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      return pool(n);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return binary(n);
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kClamp:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kHardSwish:
    case OpKind::kHardSigmoid:
    case OpKind::kSwish:
    case OpKind::kGelu:
      return activation(n);
    case OpKind::kBatchNorm:
      return node_error(n,
                        "TFLite has no batch normalization op; fold it into the preceding convolution before "
                        "exporting, or export ONNX");
    case OpKind::kGlobalAvgPool:
    case OpKind::kReduceMean: {
      std::set<int64_t> axes;
      bool keep = true;
      if (n.op == OpKind::kGlobalAvgPool) {
        axes = {1, 2};  // NHWC H, W
      } else {
        const auto r = static_cast<int64_t>(in.size());
        for (int64_t a : get_ints(n.attrs, "axes", {}))
          axes.insert(lay::nchw_axis_to_nhwc(a < 0 ? a + r : a, in.size()));
        keep = n.attr_int("keepdims") != 0;
      }
      const int32_t axes_t = const_ints(n.name + ":axes", std::vector<int64_t>(axes.begin(), axes.end()),
                                        {static_cast<int64_t>(axes.size())});
      add_op(Op::MEAN, {tensor_of(n.inputs[0]), axes_t}, {tensor_of(n.outputs[0])}, Opts::ReducerOptions,
             fb::CreateReducerOptions(fbb_, keep).Union());
      return Status::Ok();
    }
    case OpKind::kConcat: {
      const auto r = static_cast<int64_t>(in.size());
      int64_t axis = get_int(n.attrs, "axis", 1);
      if (axis < 0) axis += r;
      std::vector<int32_t> inputs;
      for (ValueId v : n.inputs) inputs.push_back(tensor_of(v));
      const auto options = fb::CreateConcatenationOptions(
          fbb_, static_cast<int32_t>(lay::nchw_axis_to_nhwc(axis, in.size())), fused_act(n));
      add_op(Op::CONCATENATION, std::move(inputs), {tensor_of(out_value(n))}, Opts::ConcatenationOptions,
             options.Union());
      return Status::Ok();
    }
    case OpKind::kSplit: {
      const auto sizes = get_ints(n.attrs, "sizes", {});
      if (std::adjacent_find(sizes.begin(), sizes.end(), std::not_equal_to<>()) != sizes.end()) {
        return node_error(n, "unequal split sizes (TFLite SPLIT_V) are not written yet");
      }
      const auto r = static_cast<int64_t>(in.size());
      int64_t axis = get_int(n.attrs, "axis", 1);
      if (axis < 0) axis += r;
      const int32_t axis_t = const_ints(n.name + ":axis", {lay::nchw_axis_to_nhwc(axis, in.size())}, {});
      std::vector<int32_t> outputs;
      for (ValueId v : n.outputs) outputs.push_back(tensor_of(v));
      add_op(Op::SPLIT, {axis_t, tensor_of(n.inputs[0])}, std::move(outputs), Opts::SplitOptions,
             fb::CreateSplitOptions(fbb_, static_cast<int32_t>(sizes.size())).Union());
      return Status::Ok();
    }
    case OpKind::kReshape:
    case OpKind::kFlatten:
      layout_reshape(tensor_of(n.inputs[0]), in, out.shape, tensor_of(n.outputs[0]), n.name);
      return Status::Ok();
    case OpKind::kChannelShuffle: {  // NHWC: [N,H,W,C] -> [N,H,W,g,C/g] -> swap the last two -> [N,H,W,C]
      const int64_t groups = n.attr_int("groups");
      const Shape tfl = lay::nchw_to_nhwc(in);
      const int32_t split =
          reshape(tensor_of(n.inputs[0]), {tfl[0], tfl[1], tfl[2], groups, tfl[3] / groups}, -1, n.name + ":groups");
      const int32_t swapped = temp(n.name + ":swapped", {tfl[0], tfl[1], tfl[2], tfl[3] / groups, groups});
      add_op(Op::TRANSPOSE, {split, const_ints(n.name + ":perm", {0, 1, 2, 4, 3}, {5})}, {swapped},
             Opts::TransposeOptions, fb::CreateTransposeOptions(fbb_).Union());
      reshape(swapped, tfl, tensor_of(n.outputs[0]), n.name);
      return Status::Ok();
    }
    case OpKind::kTranspose: {
      std::vector<int64_t> perm = get_ints(n.attrs, "perm", {});
      if (perm.size() == 4) {
        // TFLite output dim j is IR output dim qinv[j], which reads IR input dim
        // perm[qinv[j]], which is TFLite input dim q[perm[qinv[j]]].
        const std::vector<int64_t> ir_perm = perm;
        for (size_t j = 0; j < 4; ++j) {
          perm[j] = lay::kNhwcDimOfNchw[static_cast<size_t>(ir_perm[static_cast<size_t>(lay::kNchwDimOfNhwc[j])])];
        }
      }
      add_op(Op::TRANSPOSE,
             {tensor_of(n.inputs[0]), const_ints(n.name + ":perm", perm, {static_cast<int64_t>(perm.size())})},
             {tensor_of(n.outputs[0])}, Opts::TransposeOptions, fb::CreateTransposeOptions(fbb_).Union());
      return Status::Ok();
    }
    case OpKind::kPad: {
      const std::string mode = get_string(n.attrs, "mode", "constant");
      if (mode != "constant") return node_error(n, "pad mode '" + mode + "' (TFLite MIRROR_PAD) is not written yet");
      const auto pads = get_ints(n.attrs, "pads", {});
      const size_t r = in.size();
      std::vector<int64_t> paddings(2 * r);
      for (size_t k = 0; k < r; ++k) {  // TFLite dim k is IR dim qinv[k]
        const size_t i = r == 4 ? static_cast<size_t>(lay::kNchwDimOfNhwc[k]) : k;
        paddings[2 * k] = pads[i];
        paddings[2 * k + 1] = pads[i + r];
      }
      const int32_t pads_t = const_ints(n.name + ":paddings", paddings, {static_cast<int64_t>(r), 2});
      const double value = get_float(n.attrs, "value", 0.0);
      if (value != 0.0) {
        const int32_t value_t = const_floats(n.name + ":value", {static_cast<float>(value)}, {});
        add_op(Op::PADV2, {tensor_of(n.inputs[0]), pads_t, value_t}, {tensor_of(n.outputs[0])}, Opts::PadV2Options,
               fb::CreatePadV2Options(fbb_).Union());
      } else {
        add_op(Op::PAD, {tensor_of(n.inputs[0]), pads_t}, {tensor_of(n.outputs[0])}, Opts::PadOptions,
               fb::CreatePadOptions(fbb_).Union());
      }
      return Status::Ok();
    }
    case OpKind::kResize: {
      const int32_t size = const_ints(n.name + ":size", {out.shape[2], out.shape[3]}, {2});
      if (get_string(n.attrs, "mode", "nearest") == "bilinear") {
        add_op(Op::RESIZE_BILINEAR, {tensor_of(n.inputs[0]), size}, {tensor_of(n.outputs[0])},
               Opts::ResizeBilinearOptions, fb::CreateResizeBilinearOptions(fbb_).Union());
      } else {
        add_op(Op::RESIZE_NEAREST_NEIGHBOR, {tensor_of(n.inputs[0]), size}, {tensor_of(n.outputs[0])},
               Opts::ResizeNearestNeighborOptions, fb::CreateResizeNearestNeighborOptions(fbb_).Union());
      }
      return Status::Ok();
    }
    case OpKind::kSoftmax: {
      const auto r = static_cast<int64_t>(in.size());
      int64_t axis = get_int(n.attrs, "axis", -1);
      if (axis < 0) axis += r;
      if (lay::nchw_axis_to_nhwc(axis, in.size()) != r - 1) {
        return node_error(n, "TFLite's softmax runs over the last (NHWC: channel) dimension only");
      }
      add_op(Op::SOFTMAX, {tensor_of(n.inputs[0])}, {tensor_of(n.outputs[0])}, Opts::SoftmaxOptions,
             fb::CreateSoftmaxOptions(fbb_, 1.0f).Union());
      return Status::Ok();
    }
    case OpKind::kMatMul: {
      const Shape& b = g_.value(n.inputs[1]).shape;
      if (in.size() == 4 || b.size() == 4) return node_error(n, "rank-4 operands would change layout; not written");
      add_op(Op::BATCH_MATMUL, {tensor_of(n.inputs[0]), tensor_of(n.inputs[1])}, {tensor_of(n.outputs[0])},
             Opts::BatchMatMulOptions, fb::CreateBatchMatMulOptions(fbb_).Union());
      return Status::Ok();
    }
    case OpKind::kIdentity:
      tensor_of_value_[n.outputs[0].index] = tensor_of(n.inputs[0]);  // no kernel: the same tensor
      return Status::Ok();
    default:
      return node_error(n, "no TFLite equivalent");
  }
}

Result<std::string> Writer::run() {
  if (auto st = ir::verify(g_); !st.ok()) return st.error().with_context("TFLite export");
  for (const auto& v : g_.values()) {
    if (v.dtype != ir::DType::kFloat32) {
      return make_error(ErrorCode::kUnsupported, "TFLite export: value " + v.name + " is " +
                                                     std::string(ir::dtype_name(v.dtype)) +
                                                     "; the writer writes float32 models only");
    }
  }
  // FlatBuffers end at 2 GB; random float32 weights must fit well inside.
  if (ir::graph_cost(g_).total.params > (int64_t{1} << 28) + (int64_t{1} << 27)) {
    return make_error(ErrorCode::kUnsupported, "TFLite export: the weights exceed what one FlatBuffer can hold");
  }
  NNLAT_ASSIGN_OR_RETURN(auto order, g_.topological_order());

  // Fusion: an activation TFLite can fuse, alone in reading a fusable op's only output.
  std::vector<int> readers(g_.values().size(), 0);
  for (const auto& n : g_.nodes()) {
    for (ValueId v : n.inputs) ++readers[v.index];
  }
  for (ValueId v : g_.outputs()) ++readers[v.index];
  for (ir::NodeId id : order) {
    const Node& n = g_.node(id);
    const auto act = fusable_activation(n);
    if (!act) continue;
    const ValueId in = n.inputs[0];
    const auto& producer = g_.value(in).producer;
    if (!producer || readers[in.index] != 1) continue;
    const Node& p = g_.node(*producer);
    if (!takes_fused_activation(p.op) || p.outputs.size() != 1 || fused_into_.contains(in.index)) continue;
    fused_into_[in.index] = {*act, n.outputs[0]};
    absorbed_nodes_.insert(id.index);
  }

  buffers_.push_back(fb::CreateBuffer(fbb_));  // buffer 0: the empty sentinel
  tensor_of_value_.assign(g_.values().size(), -1);
  std::vector<int32_t> inputs;
  for (ValueId v : g_.inputs()) inputs.push_back(tensor_of(v));
  for (ir::NodeId id : order) {
    if (absorbed_nodes_.contains(id.index)) continue;
    NNLAT_RETURN_IF_ERROR(write_node(g_.node(id)));
  }
  std::vector<int32_t> outputs;
  for (ValueId v : g_.outputs()) outputs.push_back(tensor_of(v));

  const auto subgraph = fb::CreateSubGraphDirect(fbb_, &tensors_, &inputs, &outputs, &operators_, g_.name.c_str());
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs = {subgraph};
  const auto model = fb::CreateModelDirect(fbb_, 3, &codes_, &subgraphs, "nnlat export", &buffers_);
  fb::FinishModelBuffer(fbb_, model);
  return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
}

}  // namespace

Result<std::string> export_tflite_bytes(const ir::Graph& graph, uint64_t seed) {
  Writer writer(graph, seed);
  return writer.run();
}

Status export_tflite_file(const ir::Graph& graph, const std::string& path, uint64_t seed) {
  auto bytes = export_tflite_bytes(graph, seed);
  if (!bytes.ok()) return bytes.error().with_context(path);
  return write_file_atomic(path, *bytes);
}

}  // namespace nnlat::formats
