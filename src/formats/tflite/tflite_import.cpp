// TFLite import: a "TFL3" FlatBuffer (read through nnlat's own schema subset) becomes an
// IR graph. Subgraph 0 only. See docs/tflite.md for the supported subset and the layout rules.
//
// Steps: check the identifier and verify the buffer (so that no later read can leave it),
// resolve every operator code and report all unsupported ones at once, then convert the
// operators in execution order: NHWC shapes and axes become NCHW, weights become attributes
// (shapes only), fused activations become separate activation nodes. Finally shapes are
// inferred by the IR, the graph is verified, and every TFLite tensor shape is compared with
// the shape the IR infers for it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "formats/tflite/tflite_layout.hpp"
#include "formats/tflite/tflite_schema.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/tflite.hpp"

namespace nnlat::formats {
namespace {

namespace fb = nnlat::tflite_fb;
namespace lay = tflite_layout;
using ir::Attrs;
using ir::OpKind;
using ir::Shape;
using ir::ValueId;

// Sanity limits for hostile files: dimensions and element counts beyond these are rejected
// before any arithmetic on them can overflow.
constexpr int64_t kMaxDim = int64_t{1} << 24;
constexpr int64_t kMaxElements = int64_t{1} << 36;

// Names come from the file: keep error messages on one line whatever they contain.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '?' : ch;
  return out;
}

std::string builtin_name(int32_t code) {
  if (code >= 0 && code <= static_cast<int32_t>(fb::BuiltinOperator::MAX)) {
    const char* name = fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(code));
    if (name != nullptr && *name != '\0') return name;
  }
  return "BUILTIN_" + std::to_string(code);
}

std::optional<ir::DType> dtype_of(fb::TensorType type) {
  switch (type) {
    case fb::TensorType::FLOAT32:
      return ir::DType::kFloat32;
    case fb::TensorType::FLOAT16:
      return ir::DType::kFloat16;
    case fb::TensorType::INT8:
      return ir::DType::kInt8;
    case fb::TensorType::UINT8:
      return ir::DType::kUInt8;
    case fb::TensorType::INT32:
      return ir::DType::kInt32;
    case fb::TensorType::INT64:
      return ir::DType::kInt64;
    default:
      return std::nullopt;
  }
}

float half_to_float(uint16_t h) {
  const int sign = (h >> 15) ? -1 : 1;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return static_cast<float>(sign * std::ldexp(mantissa, -24));
  if (exponent == 31) return mantissa ? std::numeric_limits<float>::quiet_NaN() : sign * HUGE_VALF;
  return static_cast<float>(sign * std::ldexp(mantissa + 1024, exponent - 25));
}

// The TFLite name of a builtin mapped to an op kind: through the op table only, then the few
// TFLite builtins that are variants of a table op listed under another TFLite name (the
// converter refines them below) or that the table lists under no TFLite name.
std::optional<OpKind> map_builtin(const std::string& name) {
  if (auto kind = ir::op_from_tflite(name)) return kind;
  static const std::pair<const char*, const char*> kVariants[] = {
      {"RESIZE_NEAREST_NEIGHBOR", "RESIZE_BILINEAR"},  // resize, mode "nearest"
      {"PADV2", "PAD"},                                // pad with a constant value
      {"SQUEEZE", "RESHAPE"},                          // shape-only reshapes
      {"EXPAND_DIMS", "RESHAPE"},
  };
  for (const auto& [variant, primary] : kVariants) {
    if (name == variant) return ir::op_from_tflite(primary);
  }
  if (name == "QUANTIZE" || name == "DEQUANTIZE") return ir::op_from_name("identity");
  if (name == "RELU_N1_TO_1") return ir::op_from_name("clamp");
  return std::nullopt;
}

// The op kinds this importer converts (map_builtin may name others if the table grows).
bool importer_handles(OpKind kind) {
  // No TFLite builtin this importer reads becomes one of these (batch norm is folded by the
  // converter; swish, hard sigmoid, channel shuffle and flatten arrive as their pieces).
  constexpr ir::OpSet kNotFromTflite{OpKind::kBatchNorm,     OpKind::kHardSigmoid,    OpKind::kSwish,
                                     OpKind::kGlobalAvgPool, OpKind::kChannelShuffle, OpKind::kFlatten};
  return !kNotFromTflite.contains(kind);
}

struct TensorInfo {
  const fb::Tensor* tensor = nullptr;
  Shape shape;           // TFLite order (NHWC for rank 4)
  int64_t elements = 0;  // -1 when a dimension is unknown (<= 0)
  std::string name;      // unique IR value name
  std::string display;   // the file's name, printable, for messages
  bool constant = false;
  bool readable = false;  // constant with data in the file (not derived by DEQUANTIZE)
  std::string_view data;
};

struct OpCtx {
  size_t index = 0;
  const fb::Operator* op = nullptr;
  int32_t code = 0;
  std::string name;  // builtin name
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

class Importer {
 public:
  Importer(const fb::Model* model, std::string_view bytes, std::string source)
      : model_(model), bytes_(bytes), source_(std::move(source)) {}

  Result<ir::Graph> run();

 private:
  Error fail(ErrorCode code, const std::string& message) const { return make_error(code, source_ + ": " + message); }
  Error op_fail(const OpCtx& c, const std::string& message, ErrorCode code = ErrorCode::kParseError) const {
    return fail(code, "operator " + std::to_string(c.index) + " (" + c.name + "): " + message);
  }
  std::string tensor_label(int32_t index) const {
    return "tensor '" + tensors_[static_cast<size_t>(index)].display + "' (index " + std::to_string(index) + ")";
  }

  Status load_tensors();
  Status load_operators();
  void find_foldable_transposes();
  Status convert(const OpCtx& c);

  // Operand access.
  bool has_input(const OpCtx& c, size_t pos) const { return pos < c.inputs.size() && c.inputs[pos] >= 0; }
  Result<const TensorInfo*> input_tensor(const OpCtx& c, size_t pos) const;
  Result<ValueId> activation(const OpCtx& c, size_t pos) const;
  Result<std::vector<int64_t>> const_ints(const OpCtx& c, size_t pos) const;
  Result<double> const_scalar(const OpCtx& c, int32_t tensor_index) const;
  const TensorInfo& output_tensor(const OpCtx& c, size_t pos = 0) const {
    return tensors_[static_cast<size_t>(c.outputs[pos])];
  }

  // Emission.
  std::string node_name(const std::string& base);
  std::string value_name(const std::string& base);
  ValueId add(OpKind kind, std::vector<ValueId> inputs, Attrs attrs, const std::string& node_base,
              const std::string& out_value);
  void bind(const OpCtx& c, size_t pos, ValueId v) { tensor_value_[static_cast<size_t>(c.outputs[pos])] = v; }
  Status finish(const OpCtx& c, OpKind kind, std::vector<ValueId> inputs, Attrs attrs, fb::ActivationFunctionType act);
  ValueId emit_reshape(ValueId x, const Shape& from, const Shape& to, const std::string& base,
                       const std::string& out_value);

  // Per-op converters.
  Status conv(const OpCtx& c);
  Status depthwise(const OpCtx& c);
  Status fully_connected(const OpCtx& c);
  Status batch_matmul(const OpCtx& c);
  Status pool(const OpCtx& c, OpKind kind);
  Status mean(const OpCtx& c);
  Status binary(const OpCtx& c, OpKind kind);
  Status concat(const OpCtx& c);
  Status split(const OpCtx& c);
  Status reshape(const OpCtx& c);
  Status transpose(const OpCtx& c);
  Status pad(const OpCtx& c);
  Status resize(const OpCtx& c);
  Status softmax(const OpCtx& c);
  Status unary(const OpCtx& c, OpKind kind);
  Status quantize(const OpCtx& c);

  const fb::Model* model_;
  std::string_view bytes_;
  std::string source_;
  const fb::SubGraph* subgraph_ = nullptr;
  std::vector<TensorInfo> tensors_;
  std::vector<OpCtx> ops_;
  std::vector<std::optional<ValueId>> tensor_value_;
  std::vector<bool> skip_op_;                 // TRANSPOSE folded into the next RESHAPE
  std::map<size_t, int32_t> flatten_source_;  // RESHAPE op -> tensor it flattens
  std::set<std::string> value_names_;         // reserved (tensor names) and used
  std::set<std::string> node_names_;
  ir::Graph graph_;
};

// ---- loading --------------------------------------------------------------------------------

Status Importer::load_tensors() {
  const auto* tensors = subgraph_->tensors();
  const size_t n = tensors ? tensors->size() : 0;
  const auto* buffers = model_->buffers();
  tensors_.resize(n);
  tensor_value_.assign(n, std::nullopt);
  for (size_t i = 0; i < n; ++i) {
    TensorInfo& info = tensors_[i];
    info.tensor = tensors->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (info.tensor == nullptr) return fail(ErrorCode::kParseError, "tensor " + std::to_string(i) + " is missing");
    info.display = info.tensor->name() ? printable(info.tensor->name()->string_view()) : "";
    std::string base = info.display.empty() ? "tensor_" + std::to_string(i) : info.display;
    if (value_names_.contains(base)) base.append("#").append(std::to_string(i));
    while (value_names_.contains(base)) base += "_";
    info.name = base;
    value_names_.insert(base);
    if (info.display.empty()) info.display = base;

    info.elements = 1;
    if (const auto* shape = info.tensor->shape()) {
      for (int32_t d : *shape) {
        if (d > kMaxDim)
          return fail(ErrorCode::kParseError, tensor_label(static_cast<int32_t>(i)) + " has a dimension too large");
        info.shape.push_back(d);
        if (d <= 0) {
          info.elements = -1;
        } else if (info.elements > 0) {
          info.elements *= d;
          if (info.elements > kMaxElements) {
            return fail(ErrorCode::kParseError, tensor_label(static_cast<int32_t>(i)) + " has too many elements");
          }
        }
      }
    }

    const uint32_t b = info.tensor->buffer();
    if (b != 0) {
      if (buffers == nullptr || b >= buffers->size()) {
        return fail(ErrorCode::kParseError, tensor_label(static_cast<int32_t>(i)) + " refers to buffer " +
                                                std::to_string(b) + " which does not exist");
      }
      const fb::Buffer* buf = buffers->Get(b);
      if (buf != nullptr && buf->data() != nullptr && buf->data()->size() > 0) {
        info.data = std::string_view(reinterpret_cast<const char*>(buf->data()->data()), buf->data()->size());
      } else if (buf != nullptr && buf->offset() > 1 && buf->size() > 0) {
        // Data outside the FlatBuffer (models over 2 GB): offset is from the start of the file.
        if (buf->offset() > bytes_.size() || buf->size() > bytes_.size() - buf->offset()) {
          return fail(ErrorCode::kParseError,
                      tensor_label(static_cast<int32_t>(i)) + " has data beyond the end of the file");
        }
        info.data = bytes_.substr(buf->offset(), buf->size());
      }
      info.constant = info.readable = !info.data.empty();
    }
  }
  return Status::Ok();
}

Status Importer::load_operators() {
  const auto* codes = model_->operator_codes();
  const auto* operators = subgraph_->operators();
  const size_t n = operators ? operators->size() : 0;
  const auto n_tensors = static_cast<int32_t>(tensors_.size());
  std::vector<std::string> unsupported;
  for (size_t i = 0; i < n; ++i) {
    OpCtx c;
    c.index = i;
    c.op = operators->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (c.op == nullptr) return fail(ErrorCode::kParseError, "operator " + std::to_string(i) + " is missing");
    const uint32_t code_index = c.op->opcode_index();
    if (codes == nullptr || code_index >= codes->size() || codes->Get(code_index) == nullptr) {
      return fail(ErrorCode::kParseError, "operator " + std::to_string(i) + " refers to operator code " +
                                              std::to_string(code_index) + " which does not exist");
    }
    const fb::OperatorCode* code = codes->Get(code_index);
    c.code = std::max<int32_t>(code->deprecated_builtin_code(), static_cast<int32_t>(code->builtin_code()));
    c.name = builtin_name(c.code);
    if (c.code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
      c.name = "CUSTOM(" + (code->custom_code() ? printable(code->custom_code()->string_view()) : std::string()) + ")";
    }
    if (c.op->inputs()) c.inputs.assign(c.op->inputs()->begin(), c.op->inputs()->end());
    if (c.op->outputs()) c.outputs.assign(c.op->outputs()->begin(), c.op->outputs()->end());
    for (int32_t t : c.inputs) {
      if (t < -1 || t >= n_tensors) return op_fail(c, "input tensor index " + std::to_string(t) + " out of range");
    }
    if (c.outputs.empty()) return op_fail(c, "has no outputs");
    for (int32_t t : c.outputs) {
      if (t < 0 || t >= n_tensors) return op_fail(c, "output tensor index " + std::to_string(t) + " out of range");
    }
    const auto kind = map_builtin(c.name);
    if (!kind || !importer_handles(*kind)) unsupported.push_back(c.name + " (operator " + std::to_string(i) + ")");
    ops_.push_back(std::move(c));
  }
  if (!unsupported.empty()) {
    std::string list;
    for (size_t i = 0; i < unsupported.size(); ++i) list += (i ? ", " : "") + unsupported[i];
    return fail(ErrorCode::kUnsupported, "unsupported TFLite operators: " + list);
  }
  skip_op_.assign(ops_.size(), false);
  return Status::Ok();
}

// TRANSPOSE(NHWC->NCHW) feeding only a RESHAPE to [N, K] is how converters from PyTorch
// write torch.flatten on a TFLite tensor: the pair is exactly IR flatten on the
// transpose's input, and is imported as one flatten node.
void Importer::find_foldable_transposes() {
  std::vector<int> producer(tensors_.size(), -1);
  std::vector<int> consumers(tensors_.size(), 0);
  for (const OpCtx& c : ops_) {
    for (int32_t t : c.outputs) producer[static_cast<size_t>(t)] = static_cast<int>(c.index);
    for (int32_t t : c.inputs) {
      if (t >= 0) ++consumers[static_cast<size_t>(t)];
    }
  }
  if (const auto* outs = subgraph_->outputs()) {
    for (int32_t t : *outs) {
      if (t >= 0 && static_cast<size_t>(t) < tensors_.size()) ++consumers[static_cast<size_t>(t)];
    }
  }
  for (const OpCtx& c : ops_) {
    if (c.name != "RESHAPE" && c.name != "SQUEEZE") continue;
    if (c.inputs.empty() || c.inputs[0] < 0) continue;
    const auto mid = static_cast<size_t>(c.inputs[0]);
    const int p = producer[mid];
    if (p < 0 || static_cast<size_t>(p) >= c.index || consumers[mid] != 1) continue;
    const OpCtx& t = ops_[static_cast<size_t>(p)];
    if (t.name != "TRANSPOSE" || t.outputs.size() != 1 || !has_input(t, 0) || !has_input(t, 1)) continue;
    auto perm = const_ints(t, 1);
    if (!perm.ok() || *perm != lay::kPermNhwcToNchw) continue;
    const TensorInfo& src = tensors_[static_cast<size_t>(t.inputs[0])];
    const TensorInfo& out = tensors_[static_cast<size_t>(c.outputs[0])];
    if (src.shape.size() != 4 || src.elements <= 0 || out.shape.size() != 2 || out.elements != src.elements ||
        out.shape[0] != src.shape[0]) {
      continue;
    }
    skip_op_[static_cast<size_t>(p)] = true;
    flatten_source_[c.index] = t.inputs[0];
  }
}

// ---- operand access -------------------------------------------------------------------------

Result<const TensorInfo*> Importer::input_tensor(const OpCtx& c, size_t pos) const {
  if (!has_input(c, pos)) return op_fail(c, "input " + std::to_string(pos) + " is missing");
  return &tensors_[static_cast<size_t>(c.inputs[pos])];
}

Result<ValueId> Importer::activation(const OpCtx& c, size_t pos) const {
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* t, input_tensor(c, pos));
  const int32_t index = c.inputs[pos];
  if (const auto& v = tensor_value_[static_cast<size_t>(index)]) return *v;
  if (t->constant) {
    return op_fail(c,
                   "input " + std::to_string(pos) + " is the constant " + tensor_label(index) +
                       "; nnlat keeps constants only as weights, shape operands and scalars",
                   ErrorCode::kUnsupported);
  }
  return op_fail(c, "input " + tensor_label(index) + " is read before any operator produces it");
}

Result<std::vector<int64_t>> Importer::const_ints(const OpCtx& c, size_t pos) const {
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* t, input_tensor(c, pos));
  const std::string label = tensor_label(c.inputs[pos]);
  if (!t->readable) return op_fail(c, "input " + label + " must be a constant with data", ErrorCode::kUnsupported);
  const fb::TensorType type = t->tensor->type();
  size_t width = 0;
  if (type == fb::TensorType::INT32) width = 4;
  if (type == fb::TensorType::INT64) width = 8;
  if (width == 0) return op_fail(c, "constant " + label + " must be int32 or int64");
  if (t->elements < 0 || t->data.size() != static_cast<size_t>(t->elements) * width) {
    return op_fail(c, "constant " + label + " holds " + std::to_string(t->data.size()) +
                          " bytes, which does not match its shape " + ir::shape_to_string(t->shape));
  }
  std::vector<int64_t> values;
  values.reserve(static_cast<size_t>(t->elements));
  const auto* p = reinterpret_cast<const uint8_t*>(t->data.data());
  for (int64_t i = 0; i < t->elements; ++i) {
    if (width == 4) {
      values.push_back(flatbuffers::ReadScalar<int32_t>(p + 4 * i));
    } else {
      values.push_back(flatbuffers::ReadScalar<int64_t>(p + 8 * i));
    }
  }
  return values;
}

Result<double> Importer::const_scalar(const OpCtx& c, int32_t index) const {
  const TensorInfo& t = tensors_[static_cast<size_t>(index)];
  const std::string label = tensor_label(index);
  if (!t.readable || t.elements != 1) {
    return op_fail(c,
                   "operand " + label + " is a constant of shape " + ir::shape_to_string(t.shape) +
                       "; nnlat keeps only single-value constants (scalars) of element-wise ops",
                   ErrorCode::kUnsupported);
  }
  const auto* p = reinterpret_cast<const uint8_t*>(t.data.data());
  double raw = 0;
  size_t width = 0;
  bool quantized = false;
  switch (t.tensor->type()) {
    case fb::TensorType::FLOAT32:
      width = 4;
      if (t.data.size() >= width) raw = flatbuffers::ReadScalar<float>(p);
      break;
    case fb::TensorType::FLOAT16:
      width = 2;
      if (t.data.size() >= width) raw = half_to_float(flatbuffers::ReadScalar<uint16_t>(p));
      break;
    case fb::TensorType::INT8:
      width = 1;
      quantized = true;
      if (t.data.size() >= width) raw = flatbuffers::ReadScalar<int8_t>(p);
      break;
    case fb::TensorType::UINT8:
      width = 1;
      quantized = true;
      if (t.data.size() >= width) raw = flatbuffers::ReadScalar<uint8_t>(p);
      break;
    case fb::TensorType::INT32:
      width = 4;
      quantized = true;
      if (t.data.size() >= width) raw = flatbuffers::ReadScalar<int32_t>(p);
      break;
    default:
      return op_fail(c, "constant " + label + " has an element type nnlat cannot read", ErrorCode::kUnsupported);
  }
  if (t.data.size() != width)
    return op_fail(c, "constant " + label + " has " + std::to_string(t.data.size()) + " bytes");
  if (quantized && t.tensor->quantization() && t.tensor->quantization()->scale() &&
      t.tensor->quantization()->scale()->size() > 0) {
    const auto* q = t.tensor->quantization();
    const double zero =
        (q->zero_point() && q->zero_point()->size() > 0) ? static_cast<double>(q->zero_point()->Get(0)) : 0.0;
    raw = static_cast<double>(q->scale()->Get(0)) * (raw - zero);
  }
  return raw;
}

// ---- emission -------------------------------------------------------------------------------

std::string Importer::node_name(const std::string& base) {
  std::string name = base;
  for (int i = 1; node_names_.contains(name); ++i) name = base + "#" + std::to_string(i);
  node_names_.insert(name);
  return name;
}

std::string Importer::value_name(const std::string& base) {
  std::string name = base;
  for (int i = 1; value_names_.contains(name); ++i) name = base + "#" + std::to_string(i);
  value_names_.insert(name);
  return name;
}

// `out_value` must be a tensor name (reserved) or come from value_name().
ValueId Importer::add(OpKind kind, std::vector<ValueId> inputs, Attrs attrs, const std::string& node_base,
                      const std::string& out_value) {
  const ir::NodeId id = graph_.add_node(node_name(node_base), kind, std::move(inputs), std::move(attrs), {out_value});
  return graph_.node(id).outputs[0];
}

Status Importer::finish(const OpCtx& c, OpKind kind, std::vector<ValueId> inputs, Attrs attrs,
                        fb::ActivationFunctionType act) {
  if (c.outputs.size() != 1) return op_fail(c, "expects 1 output, has " + std::to_string(c.outputs.size()));
  const std::string& base = output_tensor(c).name;
  if (act == fb::ActivationFunctionType::NONE) {
    bind(c, 0, add(kind, std::move(inputs), std::move(attrs), base, base));
    return Status::Ok();
  }
  OpKind act_kind = OpKind::kRelu;
  Attrs act_attrs;
  switch (act) {
    case fb::ActivationFunctionType::RELU:
      act_kind = OpKind::kRelu;
      break;
    case fb::ActivationFunctionType::RELU6:
      act_kind = OpKind::kRelu6;
      break;
    case fb::ActivationFunctionType::TANH:
      act_kind = OpKind::kTanh;
      break;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      act_kind = OpKind::kClamp;
      act_attrs = {{"min", -1.0}, {"max", 1.0}};
      break;
    default:
      return op_fail(c, "fused activation " + std::to_string(static_cast<int>(act)) + " is not supported",
                     ErrorCode::kUnsupported);
  }
  const ValueId pre = add(kind, std::move(inputs), std::move(attrs), base, value_name(base + ":pre_act"));
  bind(c, 0, add(act_kind, {pre}, std::move(act_attrs), base + ":" + std::string(ir::op_name(act_kind)), base));
  return Status::Ok();
}

// IR nodes with the meaning of a TFLite RESHAPE from TFLite shape `from` to `to`: TFLite
// reshapes NHWC memory, the IR holds rank-4 values as NCHW, so a transpose goes before
// (rank-4 input) and after (rank-4 output) unless it leaves the memory order unchanged.
// [N, H, W, C] -> [N, H*W*C] with that order unchanged (H = W = 1, or C = 1) is a flatten.
ValueId Importer::emit_reshape(ValueId x, const Shape& from, const Shape& to, const std::string& base,
                               const std::string& out_value) {
  const bool pre = from.size() == 4 && !lay::transpose_is_noop(lay::nhwc_to_nchw(from), lay::kPermNchwToNhwc);
  if (from.size() == 4 && to.size() == 2 && to[0] == from[0] && !pre) {
    return add(OpKind::kFlatten, {x}, {{"axis", int64_t{1}}}, base, out_value);
  }
  ValueId cur = x;
  if (pre)
    cur = add(OpKind::kTranspose, {cur}, {{"perm", lay::kPermNchwToNhwc}}, base + ":to_nhwc",
              value_name(base + ":to_nhwc"));
  if (to.size() == 4 && !lay::transpose_is_noop(to, lay::kPermNhwcToNchw)) {
    cur = add(OpKind::kReshape, {cur}, {{"shape", to}}, base + ":reshape", value_name(base + ":nhwc"));
    return add(OpKind::kTranspose, {cur}, {{"perm", lay::kPermNhwcToNchw}}, base, out_value);
  }
  return add(OpKind::kReshape, {cur}, {{"shape", lay::nhwc_to_nchw(to)}}, base, out_value);
}

// ---- converters -----------------------------------------------------------------------------

Result<std::string> padding_name(fb::Padding padding) {
  if (padding == fb::Padding::SAME) return std::string("same");
  if (padding == fb::Padding::VALID) return std::string("valid");
  return make_error(ErrorCode::kParseError, "padding " + std::to_string(static_cast<int>(padding)) + " unknown");
}

Status Importer::conv(const OpCtx& c) {
  const auto* o = c.op->builtin_options_as_Conv2DOptions();
  if (o == nullptr) return op_fail(c, "has no Conv2DOptions");
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* filter, input_tensor(c, 1));
  if (in->shape.size() != 4) return op_fail(c, "input must be rank 4 (NHWC), got " + ir::shape_to_string(in->shape));
  const Shape& f = filter->shape;  // [O, KH, KW, I]
  if (f.size() != 4 || filter->elements <= 0) {
    return op_fail(c, "filter must be rank 4 [out, kh, kw, in], got " + ir::shape_to_string(f));
  }
  const int64_t cin = in->shape[3];
  if (cin <= 0 || cin % f[3] != 0) {
    return op_fail(
        c, "filter input depth " + std::to_string(f[3]) + " does not divide input channels " + std::to_string(cin));
  }
  auto padding = padding_name(o->padding());
  if (!padding.ok()) return op_fail(c, padding.error().message);
  const int64_t groups = cin / f[3];
  Attrs attrs{{"kernel", std::vector<int64_t>{f[1], f[2]}},
              {"stride", std::vector<int64_t>{o->stride_h(), o->stride_w()}},
              {"padding", *padding}};
  if (o->dilation_h_factor() != 1 || o->dilation_w_factor() != 1) {
    attrs["dilation"] = std::vector<int64_t>{o->dilation_h_factor(), o->dilation_w_factor()};
  }
  if (has_input(c, 2)) attrs["bias"] = int64_t{1};
  OpKind kind = OpKind::kConv2d;
  if (groups > 1 && groups == cin && f[0] % cin == 0) {
    // One input channel per group: a depthwise convolution written as a grouped CONV_2D.
    kind = OpKind::kDepthwiseConv2d;
    if (f[0] / cin != 1) attrs["multiplier"] = f[0] / cin;
  } else {
    attrs["out_channels"] = f[0];
    if (groups != 1) attrs["groups"] = groups;
  }
  return finish(c, kind, {x}, std::move(attrs), o->fused_activation_function());
}

Status Importer::depthwise(const OpCtx& c) {
  const auto* o = c.op->builtin_options_as_DepthwiseConv2DOptions();
  if (o == nullptr) return op_fail(c, "has no DepthwiseConv2DOptions");
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* filter, input_tensor(c, 1));
  if (in->shape.size() != 4) return op_fail(c, "input must be rank 4 (NHWC), got " + ir::shape_to_string(in->shape));
  const Shape& f = filter->shape;  // [1, KH, KW, C * multiplier]
  if (f.size() != 4 || filter->elements <= 0 || f[0] != 1) {
    return op_fail(c, "filter must be [1, kh, kw, channels], got " + ir::shape_to_string(f));
  }
  const int64_t cin = in->shape[3];
  if (cin <= 0 || f[3] % cin != 0) {
    return op_fail(
        c, "filter depth " + std::to_string(f[3]) + " is not a multiple of input channels " + std::to_string(cin));
  }
  auto padding = padding_name(o->padding());
  if (!padding.ok()) return op_fail(c, padding.error().message);
  Attrs attrs{{"kernel", std::vector<int64_t>{f[1], f[2]}},
              {"stride", std::vector<int64_t>{o->stride_h(), o->stride_w()}},
              {"padding", *padding}};
  if (o->dilation_h_factor() != 1 || o->dilation_w_factor() != 1) {
    attrs["dilation"] = std::vector<int64_t>{o->dilation_h_factor(), o->dilation_w_factor()};
  }
  if (f[3] / cin != 1) attrs["multiplier"] = f[3] / cin;
  if (has_input(c, 2)) attrs["bias"] = int64_t{1};
  return finish(c, OpKind::kDepthwiseConv2d, {x}, std::move(attrs), o->fused_activation_function());
}

Status Importer::fully_connected(const OpCtx& c) {
  const auto* o = c.op->builtin_options_as_FullyConnectedOptions();
  const auto act = o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
  const bool keep_dims = o && o->keep_num_dims();
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* w, input_tensor(c, 1));
  if (w->shape.size() != 2 || w->elements <= 0) {
    return op_fail(c, "weights must be [out, in], got " + ir::shape_to_string(w->shape));
  }
  const int64_t n = w->shape[0];
  const int64_t k = w->shape[1];
  if (in->elements <= 0 || in->shape.empty() || in->elements % k != 0) {
    return op_fail(c, "input " + ir::shape_to_string(in->shape) + " cannot be read as rows of " + std::to_string(k));
  }
  Attrs attrs{{"out_features", n}, {"bias", int64_t{has_input(c, 2) ? 1 : 0}}};
  if (keep_dims) {
    if (in->shape.size() == 4) {
      return op_fail(c, "keep_num_dims on a rank-4 (NHWC) input is not supported", ErrorCode::kUnsupported);
    }
    if (in->shape.back() != k)
      return op_fail(c, "input's last dimension differs from the weights' " + std::to_string(k));
  } else if (in->shape.size() != 2 || in->shape[1] != k) {
    // TFLite reads the input as rows of k values in its own (NHWC) memory order.
    const std::string& base = output_tensor(c).name;
    x = emit_reshape(x, in->shape, {in->elements / k, k}, base + ":rows", value_name(base + ":rows"));
  }
  return finish(c, OpKind::kFullyConnected, {x}, std::move(attrs), act);
}

Status Importer::batch_matmul(const OpCtx& c) {
  if (const auto* o = c.op->builtin_options_as_BatchMatMulOptions(); o && (o->adj_x() || o->adj_y())) {
    return op_fail(c, "adjoint operands are not supported", ErrorCode::kUnsupported);
  }
  NNLAT_ASSIGN_OR_RETURN(ValueId a, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(ValueId b, activation(c, 1));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* ta, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* tb, input_tensor(c, 1));
  if (ta->shape.size() == 4 || tb->shape.size() == 4) {
    return op_fail(c, "rank-4 operands are not supported (nnlat reads rank-4 tensors as NHWC images)",
                   ErrorCode::kUnsupported);
  }
  return finish(c, OpKind::kMatMul, {a, b}, {}, fb::ActivationFunctionType::NONE);
}

Status Importer::pool(const OpCtx& c, OpKind kind) {
  const auto* o = c.op->builtin_options_as_Pool2DOptions();
  if (o == nullptr) return op_fail(c, "has no Pool2DOptions");
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  auto padding = padding_name(o->padding());
  if (!padding.ok()) return op_fail(c, padding.error().message);
  Attrs attrs{{"kernel", std::vector<int64_t>{o->filter_height(), o->filter_width()}},
              {"stride", std::vector<int64_t>{o->stride_h(), o->stride_w()}},
              {"padding", *padding}};
  return finish(c, kind, {x}, std::move(attrs), o->fused_activation_function());
}

Status Importer::mean(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(auto axes, const_ints(c, 1));
  const auto rank = static_cast<int64_t>(in->shape.size());
  std::set<int64_t> ir_axes;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return op_fail(c, "axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    ir_axes.insert(lay::nhwc_axis_to_nchw(a < 0 ? a + rank : a, in->shape.size()));
  }
  if (ir_axes.empty()) return op_fail(c, "has no axes", ErrorCode::kUnsupported);
  const auto* o = c.op->builtin_options_as_ReducerOptions();
  const bool keep = o && o->keep_dims();
  if (rank == 4 && keep && ir_axes == std::set<int64_t>{2, 3}) {
    return finish(c, OpKind::kGlobalAvgPool, {x}, {}, fb::ActivationFunctionType::NONE);
  }
  Attrs attrs{{"axes", std::vector<int64_t>(ir_axes.begin(), ir_axes.end())}, {"keepdims", int64_t{keep ? 1 : 0}}};
  return finish(c, OpKind::kReduceMean, {x}, std::move(attrs), fb::ActivationFunctionType::NONE);
}

Status Importer::binary(const OpCtx& c, OpKind kind) {
  fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE;
  if (const auto* o = c.op->builtin_options_as_AddOptions()) act = o->fused_activation_function();
  if (const auto* o = c.op->builtin_options_as_SubOptions()) act = o->fused_activation_function();
  if (const auto* o = c.op->builtin_options_as_MulOptions()) act = o->fused_activation_function();
  if (const auto* o = c.op->builtin_options_as_DivOptions()) act = o->fused_activation_function();
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* ta, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* tb, input_tensor(c, 1));
  const bool ca = ta->constant && !tensor_value_[static_cast<size_t>(c.inputs[0])];
  const bool cb = tb->constant && !tensor_value_[static_cast<size_t>(c.inputs[1])];
  if (ca && cb) return op_fail(c, "both operands are constants", ErrorCode::kUnsupported);
  if (ca || cb) {
    if (ca && (kind == OpKind::kSub || kind == OpKind::kDiv)) {
      return op_fail(c, "a constant first operand is not supported (the IR scalar is the second operand)",
                     ErrorCode::kUnsupported);
    }
    NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, ca ? 1 : 0));
    NNLAT_ASSIGN_OR_RETURN(double scalar, const_scalar(c, c.inputs[ca ? 0 : 1]));
    return finish(c, kind, {x}, {{"scalar", scalar}}, act);
  }
  NNLAT_ASSIGN_OR_RETURN(ValueId a, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(ValueId b, activation(c, 1));
  // TFLite broadcasting aligns trailing NHWC dimensions: a lower-rank operand of a rank-4
  // one is first made rank 4 (leading ones) and then converted like any NHWC tensor.
  const size_t rank = std::max(ta->shape.size(), tb->shape.size());
  if (rank == 4 && ta->shape.size() != tb->shape.size()) {
    const bool a_low = ta->shape.size() < 4;
    const TensorInfo* low = a_low ? ta : tb;
    if (low->elements <= 0)
      return op_fail(c, "operand " + tensor_label(c.inputs[a_low ? 0 : 1]) + " has no static shape");
    Shape padded(4 - low->shape.size(), 1);
    padded.insert(padded.end(), low->shape.begin(), low->shape.end());
    const std::string base = output_tensor(c).name + ":broadcast";
    ValueId& v = a_low ? a : b;
    v = emit_reshape(v, low->shape, padded, base, value_name(base));
  }
  return finish(c, kind, {a, b}, {}, act);
}

Status Importer::concat(const OpCtx& c) {
  const auto* o = c.op->builtin_options_as_ConcatenationOptions();
  if (o == nullptr) return op_fail(c, "has no ConcatenationOptions");
  if (c.inputs.empty()) return op_fail(c, "has no inputs");
  std::vector<ValueId> ins;
  size_t rank = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    NNLAT_ASSIGN_OR_RETURN(ValueId v, activation(c, i));
    NNLAT_ASSIGN_OR_RETURN(const TensorInfo* t, input_tensor(c, i));
    if (i == 0) rank = t->shape.size();
    if (t->shape.size() != rank) return op_fail(c, "inputs differ in rank");
    ins.push_back(v);
  }
  const auto r = static_cast<int64_t>(rank);
  const int64_t axis = o->axis();
  if (axis < -r || axis >= r)
    return op_fail(c, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
  const int64_t ir_axis = lay::nhwc_axis_to_nchw(axis < 0 ? axis + r : axis, rank);
  return finish(c, OpKind::kConcat, std::move(ins), {{"axis", ir_axis}}, o->fused_activation_function());
}

Status Importer::split(const OpCtx& c) {
  // SPLIT's inputs are (axis, tensor).
  NNLAT_ASSIGN_OR_RETURN(auto axis_values, const_ints(c, 0));
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 1));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 1));
  if (axis_values.size() != 1) return op_fail(c, "axis must be a single value");
  const auto r = static_cast<int64_t>(in->shape.size());
  int64_t axis = axis_values[0];
  if (axis < -r || axis >= r)
    return op_fail(c, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
  if (axis < 0) axis += r;
  const auto n = static_cast<int64_t>(c.outputs.size());
  if (const auto* o = c.op->builtin_options_as_SplitOptions(); o && o->num_splits() != n) {
    return op_fail(
        c, "num_splits " + std::to_string(o->num_splits()) + " differs from its " + std::to_string(n) + " outputs");
  }
  const int64_t dim = in->shape[static_cast<size_t>(axis)];
  if (dim <= 0 || dim % n != 0) return op_fail(c, "cannot split " + std::to_string(dim) + " into " + std::to_string(n));
  std::vector<std::string> names;
  for (size_t i = 0; i < c.outputs.size(); ++i) names.push_back(output_tensor(c, i).name);
  const ir::NodeId id = graph_.add_node(node_name(names[0] + ":split"), OpKind::kSplit, {x},
                                        {{"axis", lay::nhwc_axis_to_nchw(axis, in->shape.size())},
                                         {"sizes", std::vector<int64_t>(static_cast<size_t>(n), dim / n)}},
                                        names);
  for (size_t i = 0; i < c.outputs.size(); ++i) bind(c, i, graph_.node(id).outputs[i]);
  return Status::Ok();
}

Status Importer::reshape(const OpCtx& c) {
  if (c.outputs.size() != 1) return op_fail(c, "expects 1 output");
  const TensorInfo& out = output_tensor(c);
  if (auto it = flatten_source_.find(c.index); it != flatten_source_.end()) {
    const auto src = static_cast<size_t>(it->second);
    if (!tensor_value_[src]) return op_fail(c, "input " + tensor_label(it->second) + " is read before it is produced");
    bind(c, 0, add(OpKind::kFlatten, {*tensor_value_[src]}, {{"axis", int64_t{1}}}, out.name, out.name));
    return Status::Ok();
  }
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  // The output tensor's static shape is the resolved target (new_shape may hold a -1).
  if (out.shape.empty() || out.elements <= 0) {
    return op_fail(c, "output " + tensor_label(c.outputs[0]) + " has no static shape", ErrorCode::kUnsupported);
  }
  if (in->elements != out.elements) {
    return op_fail(c,
                   "reshape " + ir::shape_to_string(in->shape) + " to " + ir::shape_to_string(out.shape) +
                       " changes the element count",
                   ErrorCode::kShapeError);
  }
  bind(c, 0, emit_reshape(x, in->shape, out.shape, out.name, out.name));
  return Status::Ok();
}

Status Importer::transpose(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(auto perm, const_ints(c, 1));
  const size_t rank = in->shape.size();
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank) return op_fail(c, "perm length differs from the input rank");
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)]) {
      return op_fail(c, "perm is not a permutation");
    }
    seen[static_cast<size_t>(p)] = true;
  }
  std::vector<int64_t> ir_perm = perm;
  if (rank == 4) {
    // IR output dim i is TFLite output dim q[i], which reads TFLite input dim perm[q[i]],
    // which is IR input dim qinv[perm[q[i]]].
    for (size_t i = 0; i < 4; ++i) {
      ir_perm[i] = lay::kNchwDimOfNhwc[static_cast<size_t>(perm[static_cast<size_t>(lay::kNhwcDimOfNchw[i])])];
    }
  }
  return finish(c, OpKind::kTranspose, {x}, {{"perm", ir_perm}}, fb::ActivationFunctionType::NONE);
}

Status Importer::pad(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  NNLAT_ASSIGN_OR_RETURN(auto paddings, const_ints(c, 1));  // [rank][before, after], TFLite order
  const size_t rank = in->shape.size();
  if (paddings.size() != 2 * rank) return op_fail(c, "paddings must be [rank, 2]");
  std::vector<int64_t> pads(2 * rank);
  for (size_t i = 0; i < rank; ++i) {
    const size_t t = rank == 4 ? static_cast<size_t>(lay::kNhwcDimOfNchw[i]) : i;
    pads[i] = paddings[2 * t];
    pads[i + rank] = paddings[2 * t + 1];
  }
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0 || p > kMaxDim; })) {
    return op_fail(c, "paddings must be between 0 and " + std::to_string(kMaxDim));
  }
  Attrs attrs{{"pads", pads}};
  if (has_input(c, 2)) {  // PADV2's constant value
    NNLAT_ASSIGN_OR_RETURN(double value, const_scalar(c, c.inputs[2]));
    if (value != 0.0) attrs["value"] = value;
  }
  return finish(c, OpKind::kPad, {x}, std::move(attrs), fb::ActivationFunctionType::NONE);
}

Status Importer::resize(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(auto size, const_ints(c, 1));
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0 || size[0] > kMaxDim || size[1] > kMaxDim) {
    return op_fail(c, "size must be two positive values [height, width]");
  }
  const std::string mode = c.name == "RESIZE_BILINEAR" ? "bilinear" : "nearest";
  return finish(c, OpKind::kResize, {x}, {{"size", size}, {"mode", mode}}, fb::ActivationFunctionType::NONE);
}

Status Importer::softmax(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  if (in->shape.empty()) return op_fail(c, "input has no shape");
  // TFLite's softmax runs over the last (NHWC: channel) dimension; beta does not change cost.
  const auto rank = static_cast<int64_t>(in->shape.size());
  return finish(c, OpKind::kSoftmax, {x}, {{"axis", rank == 4 ? int64_t{1} : rank - 1}},
                fb::ActivationFunctionType::NONE);
}

Status Importer::unary(const OpCtx& c, OpKind kind) {
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  Attrs attrs;
  if (kind == OpKind::kClamp) attrs = {{"min", -1.0}, {"max", 1.0}};  // RELU_N1_TO_1
  if (kind == OpKind::kGelu) {
    if (const auto* o = c.op->builtin_options_as_GeluOptions(); o && o->approximate())
      attrs["approximate"] = std::string("tanh");
  }
  return finish(c, kind, {x}, std::move(attrs), fb::ActivationFunctionType::NONE);
}

// QUANTIZE / DEQUANTIZE convert between element types and change no shape: an identity
// node (it is a kernel TFLite runs). DEQUANTIZE of a constant (float16 weights) is part of
// the constant, not a kernel.
Status Importer::quantize(const OpCtx& c) {
  NNLAT_ASSIGN_OR_RETURN(const TensorInfo* in, input_tensor(c, 0));
  if (in->constant && !tensor_value_[static_cast<size_t>(c.inputs[0])]) {
    if (c.outputs.size() != 1) return op_fail(c, "expects 1 output");
    tensors_[static_cast<size_t>(c.outputs[0])].constant = true;
    return Status::Ok();
  }
  NNLAT_ASSIGN_OR_RETURN(ValueId x, activation(c, 0));
  return finish(c, OpKind::kIdentity, {x}, {}, fb::ActivationFunctionType::NONE);
}

Status Importer::convert(const OpCtx& c) {
  const OpKind kind = *map_builtin(c.name);  // load_operators checked it
  switch (kind) {
    case OpKind::kConv2d:
      return conv(c);
    case OpKind::kDepthwiseConv2d:
      return depthwise(c);
    case OpKind::kFullyConnected:
      return fully_connected(c);
    case OpKind::kMatMul:
      return batch_matmul(c);
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      return pool(c, kind);
    case OpKind::kReduceMean:
      return mean(c);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return binary(c, kind);
    case OpKind::kConcat:
      return concat(c);
    case OpKind::kSplit:
      return split(c);
    case OpKind::kReshape:
      return reshape(c);
    case OpKind::kTranspose:
      return transpose(c);
    case OpKind::kPad:
      return pad(c);
    case OpKind::kResize:
      return resize(c);
    case OpKind::kSoftmax:
      return softmax(c);
    case OpKind::kIdentity:
      return quantize(c);
    case OpKind::kBatchNorm:
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kClamp:
    case OpKind::kHardSwish:
    case OpKind::kHardSigmoid:
    case OpKind::kSigmoid:
    case OpKind::kSwish:
    case OpKind::kTanh:
    case OpKind::kGelu:
    case OpKind::kGlobalAvgPool:
    case OpKind::kChannelShuffle:
    case OpKind::kFlatten:
    case OpKind::kLayerNorm:  // no TFLite builtin maps to these
    case OpKind::kSlice:
    case OpKind::kL2Normalize:
      return unary(c, kind);
  }
  return unary(c, kind);  // not an OpKind (the switch names every op)
}

// ---- the whole model ------------------------------------------------------------------------

Result<ir::Graph> Importer::run() {
  const auto* subgraphs = model_->subgraphs();
  if (subgraphs == nullptr || subgraphs->size() == 0 || subgraphs->Get(0) == nullptr) {
    return fail(ErrorCode::kParseError, "the model has no subgraph");
  }
  subgraph_ = subgraphs->Get(0);
  graph_.name =
      subgraph_->name() && subgraph_->name()->size() > 0 ? printable(subgraph_->name()->string_view()) : "tflite_model";
  graph_.metadata["source"] = "tflite";
  NNLAT_RETURN_IF_ERROR(load_tensors());
  NNLAT_RETURN_IF_ERROR(load_operators());

  const auto n_tensors = static_cast<int32_t>(tensors_.size());
  if (subgraph_->inputs() == nullptr || subgraph_->inputs()->size() == 0) {
    return fail(ErrorCode::kParseError, "the subgraph has no inputs");
  }
  for (int32_t t : *subgraph_->inputs()) {
    if (t < 0 || t >= n_tensors)
      return fail(ErrorCode::kParseError, "graph input index " + std::to_string(t) + " out of range");
    TensorInfo& info = tensors_[static_cast<size_t>(t)];
    if (tensor_value_[static_cast<size_t>(t)])
      return fail(ErrorCode::kParseError, tensor_label(t) + " is listed twice as an input");
    if (info.constant) continue;  // a constant listed as an input is a constant
    const auto dtype = dtype_of(info.tensor->type());
    if (!dtype) {
      const std::string type_name = fb::EnumNameTensorType(info.tensor->type());
      return fail(ErrorCode::kUnsupported,
                  "graph input " + tensor_label(t) + " has element type " +
                      (type_name.empty() ? std::to_string(static_cast<int>(info.tensor->type())) : type_name) +
                      ", which nnlat does not model");
    }
    if (info.shape.empty() || info.elements <= 0) {
      return fail(ErrorCode::kUnsupported,
                  "graph input " + tensor_label(t) + " has no static shape (" + ir::shape_to_string(info.shape) + ")");
    }
    tensor_value_[static_cast<size_t>(t)] = graph_.add_input(info.name, lay::nhwc_to_nchw(info.shape), *dtype);
  }

  find_foldable_transposes();
  for (const OpCtx& c : ops_) {
    if (skip_op_[c.index]) continue;
    for (int32_t t : c.outputs) {
      if (tensor_value_[static_cast<size_t>(t)] || tensors_[static_cast<size_t>(t)].readable) {
        return op_fail(c, "output " + tensor_label(t) + " is already defined");
      }
    }
    NNLAT_RETURN_IF_ERROR(convert(c));
  }

  if (subgraph_->outputs() == nullptr || subgraph_->outputs()->size() == 0) {
    return fail(ErrorCode::kParseError, "the subgraph has no outputs");
  }
  for (int32_t t : *subgraph_->outputs()) {
    if (t < 0 || t >= n_tensors)
      return fail(ErrorCode::kParseError, "graph output index " + std::to_string(t) + " out of range");
    const auto& v = tensor_value_[static_cast<size_t>(t)];
    if (!v)
      return fail(ErrorCode::kUnsupported, "graph output " + tensor_label(t) + " is not computed by any operator");
    graph_.mark_output(*v);
  }

  if (auto st = ir::infer_shapes(graph_); !st.ok()) return st.error().with_context(source_);
  if (auto st = ir::verify(graph_); !st.ok()) return st.error().with_context(source_);
  for (size_t t = 0; t < tensors_.size(); ++t) {
    const auto& v = tensor_value_[t];
    const TensorInfo& info = tensors_[t];
    if (!v || info.shape.empty() || info.elements <= 0) continue;
    const Shape expected = lay::nhwc_to_nchw(info.shape);
    const Shape& got = graph_.value(*v).shape;
    if (got != expected) {
      return fail(ErrorCode::kShapeError,
                  tensor_label(static_cast<int32_t>(t)) + " has TFLite shape " + ir::shape_to_string(info.shape) +
                      " (NCHW " + ir::shape_to_string(expected) + ") but nnlat infers " + ir::shape_to_string(got));
    }
  }
  return std::move(graph_);
}

}  // namespace

Result<ir::Graph> import_tflite_bytes(std::string_view bytes, const std::string& source) {
  auto invalid = [&](const std::string& why) {
    return make_error(ErrorCode::kParseError, source + ": not a valid TFLite model (" + why + ")");
  };
  if (bytes.empty()) return invalid("empty file");
  if (bytes.size() < 8) return invalid("file too short: " + std::to_string(bytes.size()) + " bytes");
  if (!fb::ModelBufferHasIdentifier(bytes.data())) {
    return make_error(ErrorCode::kParseError,
                      source + ": wrong magic: expected the TFLite identifier 'TFL3' at byte 4, found '" +
                          printable(bytes.substr(4, 4)) + "'");
  }
  // FlatBuffers reads scalars in place: give it a suitably aligned copy when needed.
  std::unique_ptr<uint64_t[]> aligned;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (reinterpret_cast<uintptr_t>(data) % 16 != 0) {
    aligned.reset(new uint64_t[(bytes.size() + 7) / 8]);
    std::memcpy(aligned.get(), bytes.data(), bytes.size());
    data = reinterpret_cast<const uint8_t*>(aligned.get());
    bytes = std::string_view(reinterpret_cast<const char*>(data), bytes.size());
  }
  // Models over 2 GB keep their weights after the FlatBuffer; verify the FlatBuffer part.
  const size_t verify_len = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options options;
  options.max_tables = 1u << 24;  // every tensor, operator and buffer is a table
  flatbuffers::Verifier verifier(data, verify_len, options);
  if (!fb::VerifyModelBuffer(verifier)) return invalid("FlatBuffer verification failed: truncated or corrupted");
  const fb::Model* model = fb::GetModel(data);
  Importer importer(model, bytes, source);
  return importer.run();
}

Result<ir::Graph> import_tflite_file(const std::string& path) {
  NNLAT_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return import_tflite_bytes(bytes, path);
}

}  // namespace nnlat::formats
