// Helpers shared by the ONNX importer and exporter: element types, tensor data, the
// per-node attribute hint and the canonical (fully spelled-out) form of an op's attributes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/onnx/onnx_proto.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats::onnx_detail {

// The opset the exporter writes (onnx 1.12 knows opsets up to 17; 14 has HardSwish and
// the input-based Clip / Split / Pad / Resize forms).
inline constexpr int64_t kExportOpset = 14;
inline constexpr int64_t kExportIrVersion = 8;
// Prefix of the NodeProto doc_string that carries an IR node's exact op and attributes.
inline constexpr std::string_view kHintPrefix = "nnlat:";

std::optional<ir::DType> dtype_from_onnx(int32_t elem_type);
int32_t dtype_to_onnx(ir::DType dtype);
std::string onnx_type_name(int32_t elem_type);
// Bytes per element of an ONNX element type; 0 when it has no fixed size (string, undefined).
int64_t onnx_elem_size(int32_t elem_type);

uint16_t float_to_half(float value);
float half_to_float(uint16_t bits);
// A float32 read back as the shortest decimal that round-trips, so that 0.1f becomes 0.1.
double widen_float(float value);

// Checks that a tensor's dims are sane and that its stored data matches them (external
// data is accepted unchecked). Run before any ONNX library code reads the tensor.
Status validate_tensor(const onnx::TensorProto& tensor);
// Element count of a validated tensor.
int64_t tensor_num_elements(const onnx::TensorProto& tensor);
// Values of a numeric tensor as doubles (errors for external data and non-numeric types).
Result<std::vector<double>> tensor_values(const onnx::TensorProto& tensor);

// Hint: "nnlat:{"op":"conv2d","attrs":{"kernel":{"ints":[3,3]}}}".
std::string encode_hint(ir::OpKind op, const ir::Attrs& attrs);
struct Hint {
  ir::OpKind op;
  ir::Attrs attrs;
};
std::optional<Hint> decode_hint(std::string_view doc_string);

// The canonical form of (op, attrs) given the input shapes: defaults filled in, one-value
// windows expanded, axes normalised, reshape -1 resolved, relu / relu6 written as clamp and
// depthwise_conv2d as a grouped conv2d. Two nodes compute the same function exactly when
// their canonical forms are equivalent (floats compared to a relative 1e-6).
struct Canonical {
  ir::OpKind op;
  ir::Attrs attrs;
};
Canonical canonical_form(ir::OpKind op, const ir::Attrs& attrs, std::span<const ir::Shape> inputs);
bool attrs_equivalent(const ir::Attrs& a, const ir::Attrs& b);
bool same_function(ir::OpKind op_a, const ir::Attrs& attrs_a, ir::OpKind op_b, const ir::Attrs& attrs_b,
                   std::span<const ir::Shape> inputs);

}  // namespace nnlat::formats::onnx_detail
