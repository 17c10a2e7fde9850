// Basic IR vocabulary: element types, shapes, strong ids and attributes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nnlat::ir {

// Activation layout is NCHW everywhere in the IR (docs/ir.md); importers of NHWC formats
// (TFLite) convert on import.
using Shape = std::vector<int64_t>;

enum class DType { kFloat32, kFloat16, kInt8, kUInt8, kInt32, kInt64 };

std::string_view dtype_name(DType dtype);
std::optional<DType> dtype_from_name(std::string_view name);
int64_t dtype_size(DType dtype);

int64_t num_elements(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "1x3x224x224"

// Strong ids so that a value id can never be passed where a node id is expected.
struct ValueId {
  uint32_t index = 0;
  friend bool operator==(ValueId, ValueId) = default;
  friend auto operator<=>(ValueId, ValueId) = default;
};
struct NodeId {
  uint32_t index = 0;
  friend bool operator==(NodeId, NodeId) = default;
  friend auto operator<=>(NodeId, NodeId) = default;
};

// Attributes are a small typed map so that every op serialises the same way (JSON, ONNX).
// Which names an op accepts, with which type, is declared in the op table.
using AttrValue = std::variant<int64_t, double, std::vector<int64_t>, std::vector<double>, std::string>;
using Attrs = std::map<std::string, AttrValue>;

enum class AttrType { kInt, kFloat, kInts, kFloats, kString };
std::string_view attr_type_name(AttrType type);
AttrType attr_type_of(const AttrValue& value);

int64_t get_int(const Attrs& attrs, const std::string& name, int64_t fallback);
double get_float(const Attrs& attrs, const std::string& name, double fallback);
std::vector<int64_t> get_ints(const Attrs& attrs, const std::string& name, std::vector<int64_t> fallback);
std::vector<double> get_floats(const Attrs& attrs, const std::string& name, std::vector<double> fallback);
std::string get_string(const Attrs& attrs, const std::string& name, std::string fallback);
// The stored value without a copy, or null when absent or of another type (hot paths:
// predictors cost millions of nodes).
const std::vector<int64_t>* find_ints(const Attrs& attrs, const std::string& name);
const std::string* find_string(const Attrs& attrs, const std::string& name);

}  // namespace nnlat::ir
