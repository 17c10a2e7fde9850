#include "nnlat/ir/types.hpp"

#include <sstream>

#include "nnlat/core/saturating.hpp"

namespace nnlat::ir {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kFloat16:
      return "float16";
    case DType::kInt8:
      return "int8";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
  }
  return "float32";
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (DType d : {DType::kFloat32, DType::kFloat16, DType::kInt8, DType::kUInt8, DType::kInt32, DType::kInt64}) {
    if (dtype_name(d) == name) return d;
  }
  return std::nullopt;
}

int64_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return 4;
    case DType::kFloat16:
      return 2;
    case DType::kInt8:
      return 1;
    case DType::kUInt8:
      return 1;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
  }
  return 4;
}

int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n = saturating_mul(n, d);
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "x" : "") << shape[i];
  return out.str();
}

std::string_view attr_type_name(AttrType type) {
  switch (type) {
    case AttrType::kInt:
      return "int";
    case AttrType::kFloat:
      return "float";
    case AttrType::kInts:
      return "ints";
    case AttrType::kFloats:
      return "floats";
    case AttrType::kString:
      return "string";
  }
  return "?";
}

AttrType attr_type_of(const AttrValue& value) { return static_cast<AttrType>(value.index()); }

namespace {
template <typename T>
const T* find_attr(const Attrs& attrs, const std::string& name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return nullptr;
  return std::get_if<T>(&it->second);
}
}  // namespace

int64_t get_int(const Attrs& attrs, const std::string& name, int64_t fallback) {
  const auto* v = find_attr<int64_t>(attrs, name);
  return v ? *v : fallback;
}
double get_float(const Attrs& attrs, const std::string& name, double fallback) {
  if (const auto* v = find_attr<double>(attrs, name)) return *v;
  if (const auto* i = find_attr<int64_t>(attrs, name)) return static_cast<double>(*i);
  return fallback;
}
std::vector<int64_t> get_ints(const Attrs& attrs, const std::string& name, std::vector<int64_t> fallback) {
  const auto* v = find_attr<std::vector<int64_t>>(attrs, name);
  return v ? *v : fallback;
}
std::vector<double> get_floats(const Attrs& attrs, const std::string& name, std::vector<double> fallback) {
  const auto* v = find_attr<std::vector<double>>(attrs, name);
  return v ? *v : fallback;
}
const std::vector<int64_t>* find_ints(const Attrs& attrs, const std::string& name) {
  return find_attr<std::vector<int64_t>>(attrs, name);
}
const std::string* find_string(const Attrs& attrs, const std::string& name) {
  return find_attr<std::string>(attrs, name);
}
std::string get_string(const Attrs& attrs, const std::string& name, std::string fallback) {
  const auto* v = find_attr<std::string>(attrs, name);
  return v ? *v : fallback;
}

}  // namespace nnlat::ir
