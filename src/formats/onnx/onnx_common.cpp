#include "formats/onnx/onnx_common.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace nnlat::formats::onnx_detail {

using onnx::TensorProto;

std::optional<ir::DType> dtype_from_onnx(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT:
      return ir::DType::kFloat32;
    case TensorProto::FLOAT16:
      return ir::DType::kFloat16;
    case TensorProto::INT8:
      return ir::DType::kInt8;
    case TensorProto::UINT8:
      return ir::DType::kUInt8;
    case TensorProto::INT32:
      return ir::DType::kInt32;
    case TensorProto::INT64:
      return ir::DType::kInt64;
    default:
      return std::nullopt;
  }
}

int32_t dtype_to_onnx(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kFloat32:
      return TensorProto::FLOAT;
    case ir::DType::kFloat16:
      return TensorProto::FLOAT16;
    case ir::DType::kInt8:
      return TensorProto::INT8;
    case ir::DType::kUInt8:
      return TensorProto::UINT8;
    case ir::DType::kInt32:
      return TensorProto::INT32;
    case ir::DType::kInt64:
      return TensorProto::INT64;
  }
  return TensorProto::FLOAT;
}

std::string onnx_type_name(int32_t elem_type) {
  if (TensorProto::DataType_IsValid(elem_type)) {
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(elem_type));
  }
  return "type " + std::to_string(elem_type);
}

int64_t onnx_elem_size(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::BOOL:
      return 1;
    case TensorProto::UINT16:
    case TensorProto::INT16:
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      return 2;
    case TensorProto::INT64:
    case TensorProto::UINT64:
    case TensorProto::DOUBLE:
    case TensorProto::COMPLEX64:
      return 8;
    case TensorProto::COMPLEX128:
      return 16;
    default:
      return 0;
  }
}

uint16_t float_to_half(float value) {
  uint32_t x = 0;
  std::memcpy(&x, &value, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t raw_exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (raw_exp == 0xffu) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
  const int32_t exp = static_cast<int32_t>(raw_exp) - 127 + 15;
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    const auto shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1u);
    const uint32_t mid = 1u << (shift - 1u);
    if (rem > mid || (rem == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;
  return static_cast<uint16_t>(half);
}

float half_to_float(uint16_t bits) {
  const uint32_t sign = (static_cast<uint32_t>(bits) & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1fu;
  const uint32_t mant = bits & 0x3ffu;
  if (exp == 0) {
    const float f = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -f : f;
  }
  uint32_t x = 0;
  if (exp == 31) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f = 0;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

double widen_float(float value) {
  if (!std::isfinite(value)) return static_cast<double>(value);
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  double d = static_cast<double>(value);
  if (res.ec == std::errc()) std::from_chars(buf, res.ptr, d);
  return d;
}

namespace {

Error tensor_error(const TensorProto& t, const std::string& message) {
  return make_error(ErrorCode::kParseError, "tensor '" + t.name() + "': " + message);
}

// Number of entries the typed (non-raw) field of `type` must hold for `n` elements, and
// how many it holds.
std::pair<int64_t, int64_t> typed_field_counts(const TensorProto& t, int64_t n) {
  switch (t.data_type()) {
    case TensorProto::FLOAT:
      return {n, t.float_data_size()};
    case TensorProto::COMPLEX64:
      return {2 * n, t.float_data_size()};
    case TensorProto::INT32:
    case TensorProto::INT16:
    case TensorProto::INT8:
    case TensorProto::UINT16:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      return {n, t.int32_data_size()};
    case TensorProto::STRING:
      return {n, t.string_data_size()};
    case TensorProto::INT64:
      return {n, t.int64_data_size()};
    case TensorProto::DOUBLE:
      return {n, t.double_data_size()};
    case TensorProto::COMPLEX128:
      return {2 * n, t.double_data_size()};
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      return {n, t.uint64_data_size()};
    default:
      return {n, -1};
  }
}

template <typename T>
T read_raw(const std::string& raw, int64_t i) {
  T v{};
  std::memcpy(&v, raw.data() + static_cast<size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

}  // namespace

Status validate_tensor(const TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) return tensor_error(t, "negative dimension " + std::to_string(d));
    if (d > 0 && n > (int64_t{1} << 40) / d) return tensor_error(t, "too many elements");
    n *= d;
  }
  if (t.data_location() == TensorProto::EXTERNAL) return Status::Ok();
  const int32_t type = t.data_type();
  if (type == TensorProto::UNDEFINED || !TensorProto::DataType_IsValid(type)) {
    return tensor_error(t, "undefined element type " + std::to_string(type));
  }
  if (t.has_raw_data()) {
    const int64_t elem = onnx_elem_size(type);
    if (elem == 0) return tensor_error(t, onnx_type_name(type) + " data cannot be stored raw");
    const auto have = static_cast<int64_t>(t.raw_data().size());
    if (have != n * elem) {
      return tensor_error(
          t, "raw data has " + std::to_string(have) + " bytes, its shape needs " + std::to_string(n * elem));
    }
    return Status::Ok();
  }
  const auto [need, have] = typed_field_counts(t, n);
  if (have < 0) return tensor_error(t, "unsupported element type " + onnx_type_name(type));
  if (need != have) {
    return tensor_error(t, "holds " + std::to_string(have) + " values, its shape needs " + std::to_string(need));
  }
  return Status::Ok();
}

int64_t tensor_num_elements(const TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) n *= d;
  return n;
}

Result<std::vector<double>> tensor_values(const TensorProto& t) {
  NNLAT_RETURN_IF_ERROR(validate_tensor(t));
  if (t.data_location() == TensorProto::EXTERNAL) {
    return make_error(ErrorCode::kUnsupported, "tensor '" + t.name() + "': values stored as external data");
  }
  const int64_t n = tensor_num_elements(t);
  std::vector<double> out(static_cast<size_t>(n));
  const bool raw = t.has_raw_data();
  const std::string& r = t.raw_data();
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    const int ii = static_cast<int>(i);
    switch (t.data_type()) {
      case TensorProto::FLOAT:
        v = widen_float(raw ? read_raw<float>(r, i) : t.float_data(ii));
        break;
      case TensorProto::DOUBLE:
        v = raw ? read_raw<double>(r, i) : t.double_data(ii);
        break;
      case TensorProto::FLOAT16:
        v = widen_float(half_to_float(raw ? read_raw<uint16_t>(r, i) : static_cast<uint16_t>(t.int32_data(ii))));
        break;
      case TensorProto::BFLOAT16: {
        const uint32_t bits = static_cast<uint32_t>(raw ? read_raw<uint16_t>(r, i) : t.int32_data(ii)) << 16;
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        v = widen_float(f);
        break;
      }
      case TensorProto::INT8:
        v = raw ? read_raw<int8_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::UINT8:
        v = raw ? read_raw<uint8_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::INT16:
        v = raw ? read_raw<int16_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::UINT16:
        v = raw ? read_raw<uint16_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::BOOL:
        v = raw ? read_raw<uint8_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::INT32:
        v = raw ? read_raw<int32_t>(r, i) : t.int32_data(ii);
        break;
      case TensorProto::INT64:
        v = static_cast<double>(raw ? read_raw<int64_t>(r, i) : t.int64_data(ii));
        break;
      case TensorProto::UINT32:
        v = raw ? read_raw<uint32_t>(r, i) : static_cast<double>(t.uint64_data(ii));
        break;
      case TensorProto::UINT64:
        v = static_cast<double>(raw ? read_raw<uint64_t>(r, i) : t.uint64_data(ii));
        break;
      default:
        return make_error(ErrorCode::kUnsupported, "tensor '" + t.name() + "': element type " +
                                                       onnx_type_name(t.data_type()) + " is not numeric");
    }
    out[static_cast<size_t>(i)] = v;
  }
  return out;
}

// ---- hints ----------------------------------------------------------------------------------

std::string encode_hint(ir::OpKind op, const ir::Attrs& attrs) {
  nlohmann::json a = nlohmann::json::object();
  for (const auto& [name, value] : attrs) {
    nlohmann::json v;
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            v["int"] = x;
          } else if constexpr (std::is_same_v<T, double>) {
            v["float"] = x;
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            v["ints"] = x;
          } else if constexpr (std::is_same_v<T, std::vector<double>>) {
            v["floats"] = x;
          } else {
            v["string"] = x;
          }
        },
        value);
    a[name] = v;
  }
  nlohmann::json j;
  j["op"] = std::string(ir::op_name(op));
  j["attrs"] = a;
  return std::string(kHintPrefix) + j.dump();
}

std::optional<Hint> decode_hint(std::string_view doc_string) {
  if (doc_string.substr(0, kHintPrefix.size()) != kHintPrefix) return std::nullopt;
  const auto j = nlohmann::json::parse(doc_string.substr(kHintPrefix.size()), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("op") || !j["op"].is_string() || !j.contains("attrs") || !j["attrs"].is_object()) {
    return std::nullopt;
  }
  const auto op = ir::op_from_name(j["op"].get<std::string>());
  if (!op) return std::nullopt;
  Hint h{*op, {}};
  const auto& attrs = j["attrs"];
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (!v.is_object() || v.size() != 1) return std::nullopt;
    const std::string& type = v.begin().key();
    const auto& x = v.begin().value();
    if (type == "int" && x.is_number_integer()) {
      h.attrs[name] = x.get<int64_t>();
    } else if (type == "float" && x.is_number()) {
      h.attrs[name] = x.get<double>();
    } else if (type == "ints" && x.is_array() &&
               std::all_of(x.begin(), x.end(), [](const auto& e) { return e.is_number_integer(); })) {
      h.attrs[name] = x.get<std::vector<int64_t>>();
    } else if (type == "floats" && x.is_array() &&
               std::all_of(x.begin(), x.end(), [](const auto& e) { return e.is_number(); })) {
      h.attrs[name] = x.get<std::vector<double>>();
    } else if (type == "string" && x.is_string()) {
      h.attrs[name] = x.get<std::string>();
    } else {
      return std::nullopt;
    }
  }
  return h;
}

// ---- canonical form -------------------------------------------------------------------------

namespace {

using ir::Attrs;
using ir::OpKind;

std::vector<int64_t> pair_of(const Attrs& a, const std::string& name, int64_t fallback) {
  auto v = ir::get_ints(a, name, {fallback, fallback});
  if (v.size() == 1) return {v[0], v[0]};
  return v;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

Canonical canonical_form(OpKind op, const Attrs& a, std::span<const ir::Shape> inputs) {
  using ir::get_float;
  using ir::get_int;
  using ir::get_ints;
  using ir::get_string;
  Canonical c{op, {}};
  Attrs& out = c.attrs;
  const size_t rank = inputs.empty() ? 0 : inputs[0].size();
  auto axis = [&](int64_t ax) { return (rank > 0 && ax < 0) ? ax + static_cast<int64_t>(rank) : ax; };
  auto window = [&](bool with_dilation) {
    out["kernel"] = pair_of(a, "kernel", 1);
    out["stride"] = pair_of(a, "stride", 1);
    if (with_dilation) out["dilation"] = pair_of(a, "dilation", 1);
    const std::string padding = get_string(a, "padding", "explicit");
    out["padding"] = padding;
    if (padding == "explicit") out["pads"] = get_ints(a, "pads", {0, 0, 0, 0});
  };
  auto flag = [&](const char* name) { out[name] = int64_t{ir::attr_int(op, a, name) != 0}; };
  switch (op) {
    case OpKind::kConv2d:
      window(true);
      out["out_channels"] = get_int(a, "out_channels", 0);
      out["groups"] = ir::attr_int(op, a, "groups");
      flag("bias");
      break;
    case OpKind::kDepthwiseConv2d: {
      window(true);
      const int64_t ch = rank >= 2 ? inputs[0][1] : 0;
      out["out_channels"] = ch * ir::attr_int(op, a, "multiplier");
      out["groups"] = ch;
      flag("bias");
      c.op = OpKind::kConv2d;
      break;
    }
    case OpKind::kFullyConnected:
      out["out_features"] = get_int(a, "out_features", 0);
      flag("bias");
      break;
    case OpKind::kBatchNorm:
      out["epsilon"] = ir::attr_float(op, a, "epsilon");
      break;
    case OpKind::kRelu:
      out["min"] = 0.0;
      out["max"] = kInf;
      c.op = OpKind::kClamp;
      break;
    case OpKind::kRelu6:
      out["min"] = 0.0;
      out["max"] = 6.0;
      c.op = OpKind::kClamp;
      break;
    case OpKind::kClamp:
      out["min"] = ir::attr_float(op, a, "min");
      out["max"] = ir::attr_float(op, a, "max");
      break;
    case OpKind::kHardSigmoid:
      out["alpha"] = ir::attr_float(op, a, "alpha");
      out["beta"] = ir::attr_float(op, a, "beta");
      break;
    case OpKind::kGelu:
      out["approximate"] = ir::attr_string(op, a, "approximate");
      break;
    case OpKind::kMaxPool2d:
      window(true);
      flag("ceil_mode");
      break;
    case OpKind::kAvgPool2d:
      window(false);
      flag("ceil_mode");
      flag("count_include_pad");
      break;
    case OpKind::kReduceMean: {
      auto axes = get_ints(a, "axes", {});
      for (auto& x : axes) x = axis(x);
      std::sort(axes.begin(), axes.end());
      out["axes"] = axes;
      flag("keepdims");
      break;
    }
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      if (a.contains("scalar")) out["scalar"] = get_float(a, "scalar", 0.0);
      if (a.contains("operand")) out["operand"] = get_ints(a, "operand", {});
      break;
    case OpKind::kConcat:
    case OpKind::kSplit:
      out["axis"] = axis(get_int(a, "axis", 1));
      if (a.contains("operand")) {
        out["operand"] = get_ints(a, "operand", {});
        out["operand_index"] = ir::attr_int(op, a, "operand_index");
      }
      if (op == OpKind::kSplit) out["sizes"] = get_ints(a, "sizes", {});
      break;
    case OpKind::kReshape: {
      auto shape = get_ints(a, "shape", {});
      if (rank > 0) {
        int64_t known = 1;
        for (int64_t d : shape) known *= d == -1 ? 1 : d;
        for (auto& d : shape) {
          if (d == -1 && known != 0) d = ir::num_elements(inputs[0]) / known;
        }
      }
      out["shape"] = shape;
      break;
    }
    case OpKind::kFlatten:
      out["axis"] = get_int(a, "axis", 1);
      break;
    case OpKind::kSoftmax:
      out["axis"] = axis(get_int(a, "axis", -1));
      break;
    case OpKind::kPad:
      out["pads"] = get_ints(a, "pads", {});
      out["mode"] = get_string(a, "mode", "constant");
      out["value"] = get_float(a, "value", 0.0);
      break;
    case OpKind::kResize:
      out["mode"] = get_string(a, "mode", "nearest");
      if (a.contains("size")) out["size"] = get_ints(a, "size", {});
      if (a.contains("scales")) out["scales"] = ir::get_floats(a, "scales", {});
      break;
    case OpKind::kLayerNorm:
      out["axis"] = axis(ir::attr_int(op, a, "axis"));
      out["epsilon"] = ir::attr_float(op, a, "epsilon");
      flag("affine");
      break;
    case OpKind::kL2Normalize:
      out["axis"] = axis(ir::attr_int(op, a, "axis"));
      out["epsilon"] = ir::attr_float(op, a, "epsilon");
      break;
    case OpKind::kSlice: {
      // Sorted by axis, steps filled in.
      const auto axes = get_ints(a, "axes", {});
      const auto starts = get_ints(a, "starts", {});
      const auto ends = get_ints(a, "ends", {});
      const auto steps = get_ints(a, "steps", std::vector<int64_t>(axes.size(), 1));
      std::vector<std::array<int64_t, 4>> rows;
      for (size_t i = 0; i < axes.size() && i < starts.size() && i < ends.size() && i < steps.size(); ++i) {
        rows.push_back({axis(axes[i]), starts[i], ends[i], steps[i]});
      }
      std::sort(rows.begin(), rows.end());
      std::vector<int64_t> sa, ss, se, st;
      for (const auto& r : rows) {
        sa.push_back(r[0]);
        ss.push_back(r[1]);
        se.push_back(r[2]);
        st.push_back(r[3]);
      }
      out["axes"] = sa;
      out["starts"] = ss;
      out["ends"] = se;
      out["steps"] = st;
      break;
    }
    case OpKind::kMatMul:
    case OpKind::kHardSwish:
    case OpKind::kSigmoid:
    case OpKind::kSwish:
    case OpKind::kTanh:
    case OpKind::kGlobalAvgPool:
    case OpKind::kChannelShuffle:
    case OpKind::kTranspose:
    case OpKind::kIdentity:
      out = a;  // ops whose attributes have no defaults (transpose perm, shuffle groups, ...)
      break;
  }
  return c;
}

namespace {

bool close(double x, double y) {
  if (x == y) return true;
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  return std::abs(x - y) <= 1e-6 * std::max(std::abs(x), std::abs(y));
}

bool values_equivalent(const ir::AttrValue& x, const ir::AttrValue& y) {
  if (x.index() != y.index()) return false;
  if (const auto* dx = std::get_if<double>(&x)) return close(*dx, std::get<double>(y));
  if (const auto* vx = std::get_if<std::vector<double>>(&x)) {
    const auto& vy = std::get<std::vector<double>>(y);
    if (vx->size() != vy.size()) return false;
    for (size_t i = 0; i < vx->size(); ++i) {
      if (!close((*vx)[i], vy[i])) return false;
    }
    return true;
  }
  return x == y;
}

}  // namespace

bool attrs_equivalent(const Attrs& a, const Attrs& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const auto it = b.find(name);
    if (it == b.end() || !values_equivalent(value, it->second)) return false;
  }
  return true;
}

bool same_function(OpKind op_a, const Attrs& attrs_a, OpKind op_b, const Attrs& attrs_b,
                   std::span<const ir::Shape> inputs) {
  const Canonical ca = canonical_form(op_a, attrs_a, inputs);
  const Canonical cb = canonical_form(op_b, attrs_b, inputs);
  return ca.op == cb.op && attrs_equivalent(ca.attrs, cb.attrs);
}

}  // namespace nnlat::formats::onnx_detail
