// Constant folding at import, as onnx-simplifier does: the shape arithmetic that exporters
// write (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, ConstantOfShape / Equal / Where /
// Expand, Range, Mod, ...) is evaluated once the shapes of its activation inputs are known,
// so that the op consuming it (a Reshape, an Expand) sees a constant. A node folds when every
// input is a constant, or when it is a Shape / Size of an activation. Constants whose values
// are unknown (weights stored as external data or given as graph inputs) fold to constants
// of known shape and unknown values: enough for the ops that read only shapes (a MatMul by a
// transposed weight, a gathered bias table). docs/onnx.md "Constant folding".
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>

#include "formats/onnx/onnx_importer.hpp"

namespace nnlat::formats::onnx_detail {
namespace {

// Values are not kept beyond this many elements (the shape still is).
constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

struct Tensor {
  std::vector<int64_t> dims;
  bool is_int = false;
  std::optional<std::vector<double>> values;  // nullopt: unknown (a weight)
  int64_t size() const { return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>()); }
};

bool int_type(int32_t t) {
  using T = onnx::TensorProto;
  return t == T::INT8 || t == T::UINT8 || t == T::INT16 || t == T::UINT16 || t == T::INT32 || t == T::INT64 ||
         t == T::UINT32 || t == T::UINT64 || t == T::BOOL;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

std::optional<std::vector<int64_t>> broadcast_dims(const std::vector<const Tensor*>& ts) {
  size_t rank = 0;
  for (const Tensor* t : ts) rank = std::max(rank, t->dims.size());
  std::vector<int64_t> out(rank, 1);
  for (const Tensor* t : ts) {
    const size_t off = rank - t->dims.size();
    for (size_t d = 0; d < t->dims.size(); ++d) {
      const int64_t v = t->dims[d];
      if (v == out[off + d] || v == 1) continue;
      if (out[off + d] != 1) return std::nullopt;
      out[off + d] = v;
    }
  }
  return out;
}

// Value of `t` at the flat index `o` of the broadcast shape `out`.
double at_broadcast(const Tensor& t, const std::vector<int64_t>& out, int64_t o) {
  const auto os = strides_of(out);
  const auto ts = strides_of(t.dims);
  const size_t off = out.size() - t.dims.size();
  int64_t idx = 0;
  for (size_t d = 0; d < out.size(); ++d) {
    const int64_t coord = (o / os[d]) % out[d];
    if (d >= off && t.dims[d - off] != 1) idx += coord * ts[d - off];
  }
  return (*t.values)[static_cast<size_t>(idx)];
}

bool all_known(const std::vector<const Tensor*>& ts) {
  return std::all_of(ts.begin(), ts.end(), [](const Tensor* t) { return t->values.has_value(); });
}

}  // namespace

bool is_foldable_op(const onnx::NodeProto& n) {
  static const std::set<std::string> kOps = {"Shape",
                                             "Size",
                                             "Gather",
                                             "Slice",
                                             "Concat",
                                             "Unsqueeze",
                                             "Squeeze",
                                             "Cast",
                                             "CastLike",
                                             "Reshape",
                                             "Transpose",
                                             "Expand",
                                             "ConstantOfShape",
                                             "Equal",
                                             "Less",
                                             "Greater",
                                             "LessOrEqual",
                                             "GreaterOrEqual",
                                             "Not",
                                             "And",
                                             "Or",
                                             "Where",
                                             "Add",
                                             "Sub",
                                             "Mul",
                                             "Div",
                                             "Mod",
                                             "Pow",
                                             "Neg",
                                             "Abs",
                                             "Sqrt",
                                             "Exp",
                                             "Log",
                                             "Floor",
                                             "Ceil",
                                             "Reciprocal",
                                             "Min",
                                             "Max",
                                             "Sigmoid",
                                             "Relu",
                                             "Tanh",
                                             "Erf",
                                             "Range",
                                             "Identity",
                                             "Tile",
                                             "MatMul",
                                             "Gemm",
                                             "Clip",
                                             "Flatten",
                                             "ReduceProd",
                                             "ReduceSum",
                                             "ReduceMax",
                                             "ReduceMin",
                                             "Sign",
                                             "ScatterND"};
  return (n.domain().empty() || n.domain() == "ai.onnx") && kOps.contains(n.op_type());
}

namespace {

// How many leading inputs an op's fold reads unconditionally (ONNX requires them).
size_t required_fold_inputs(const std::string& op) {
  static const std::set<std::string> kThree = {"Where", "ScatterND", "Range"};
  static const std::set<std::string> kTwo = {
      "Add", "Sub", "Mul",    "Div",  "Mod",   "Pow", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
      "And", "Or",  "MatMul", "Gemm", "Gather"};
  if (kThree.contains(op)) return 3;
  if (kTwo.contains(op)) return 2;
  return 1;
}

}  // namespace

Result<bool> Importer::try_fold(size_t i) {
  const auto& n = node(i);
  if (!is_foldable_op(n) || n.output_size() < 1 || n.output(0).empty()) return false;
  const std::string& op = n.op_type();
  std::vector<Tensor> in(static_cast<size_t>(n.input_size()));
  std::vector<bool> present(in.size(), false);
  for (int k = 0; k < n.input_size(); ++k) {
    const std::string& name = n.input(k);
    if (name.empty()) continue;
    present[static_cast<size_t>(k)] = true;
    Tensor& t = in[static_cast<size_t>(k)];
    if (auto it = consts_.find(name); it != consts_.end()) {
      t.dims = tensor_dims(*it->second);
      t.is_int = int_type(it->second->data_type());
      if (it->second->data_location() != onnx::TensorProto::EXTERNAL) {
        auto v = tensor_values(*it->second);
        if (v.ok()) t.values = std::move(*v);
      }
      continue;
    }
    if ((op == "Shape" || op == "Size") && k == 0) {
      auto a = acts_.find(name);
      if (a == acts_.end()) return false;
      t.dims = shape(a->second);
      continue;
    }
    return false;  // an activation: not foldable
  }
  if (in.empty()) return false;
  auto fail = [&](const std::string& why) -> Result<bool> { return node_fail(i, ErrorCode::kShapeError, why); };
  // The inputs the folds below read without asking whether they are there: a node without
  // them is malformed (a fuzzed MatMul with one input once read past its inputs).
  const size_t required = required_fold_inputs(op);
  for (size_t k = 0; k < required; ++k) {
    if (k >= in.size() || !present[k]) {
      return node_fail(
          i, ErrorCode::kParseError,
          op + " needs " + std::to_string(required) + " inputs; input " + std::to_string(k) + " is missing");
    }
  }
  auto need_values = [&](size_t k) -> Status {
    if (k >= in.size() || !present[k])
      return node_fail(i, ErrorCode::kParseError, "input " + std::to_string(k) + " is missing");
    if (!in[k].values) {
      return unsupported(i, "input '" + n.input(static_cast<int>(k)) +
                                "' is a weight whose values nnlat does not read, but folding needs them");
    }
    return Status::Ok();
  };
  auto ints_of = [&](size_t k) -> Result<std::vector<int64_t>> {
    NNLAT_RETURN_IF_ERROR(need_values(k));
    std::vector<int64_t> v;
    constexpr double kBig = 4611686018427387904.0;  // 2^62: INT64_MAX / MIN as "unbounded"
    for (double d : *in[k].values) {
      v.push_back(d >= kBig ? (int64_t{1} << 62) : d <= -kBig ? -(int64_t{1} << 62) : static_cast<int64_t>(d));
    }
    return v;
  };
  auto axes_input_or_attr = [&](size_t k) -> Result<std::optional<std::vector<int64_t>>> {
    if (k < in.size() && present[k]) {
      NNLAT_ASSIGN_OR_RETURN(auto v, ints_of(k));
      return std::optional<std::vector<int64_t>>(v);
    }
    return attr_ints(i, "axes");
  };
  auto norm = [](int64_t a, size_t rank) { return a < 0 ? a + static_cast<int64_t>(rank) : a; };
  Tensor out;
  const Tensor& x = in[0];
  out.is_int = x.is_int;

  if (op == "Shape") {
    NNLAT_ASSIGN_OR_RETURN(auto start, attr_int(i, "start"));
    NNLAT_ASSIGN_OR_RETURN(auto end, attr_int(i, "end"));
    const auto r = static_cast<int64_t>(x.dims.size());
    int64_t s = std::clamp<int64_t>(norm(start.value_or(0), x.dims.size()), 0, r);
    int64_t e = std::clamp<int64_t>(end ? norm(*end, x.dims.size()) : r, 0, r);
    std::vector<double> v;
    for (int64_t d = s; d < e; ++d) v.push_back(static_cast<double>(x.dims[static_cast<size_t>(d)]));
    out.dims = {static_cast<int64_t>(v.size())};
    out.values = v;
    out.is_int = true;
  } else if (op == "Size") {
    out.dims = {};
    out.values = std::vector<double>{static_cast<double>(x.size())};
    out.is_int = true;
  } else if (op == "Identity") {
    out = x;
  } else if (op == "Cast" || op == "CastLike") {
    out = x;
    int32_t to = 0;
    if (op == "Cast") {
      NNLAT_ASSIGN_OR_RETURN(auto t, attr_int(i, "to"));
      to = static_cast<int32_t>(t.value_or(onnx::TensorProto::FLOAT));
    } else {
      to = consts_.at(n.input(1))->data_type();
    }
    out.is_int = int_type(to);
    if (out.values && to == onnx::TensorProto::BOOL) {
      for (double& v : *out.values) v = v != 0 ? 1 : 0;
    } else if (out.values && out.is_int) {
      for (double& v : *out.values) v = std::trunc(v);
    }
  } else if (op == "Gather") {
    NNLAT_ASSIGN_OR_RETURN(auto axis_attr, attr_int(i, "axis"));
    const int64_t axis = norm(axis_attr.value_or(0), x.dims.size());
    if (axis < 0 || axis >= static_cast<int64_t>(x.dims.size())) return fail("axis out of range");
    const auto ax = static_cast<size_t>(axis);
    out.dims.assign(x.dims.begin(), x.dims.begin() + axis);
    out.dims.insert(out.dims.end(), in[1].dims.begin(), in[1].dims.end());
    out.dims.insert(out.dims.end(), x.dims.begin() + axis + 1, x.dims.end());
    // Indices given as a graph input (a buffer under export_params=False): the shape only.
    if (x.values && in[1].values) {
      NNLAT_ASSIGN_OR_RETURN(auto idx, ints_of(1));
      const int64_t outer = std::accumulate(x.dims.begin(), x.dims.begin() + axis, int64_t{1}, std::multiplies<>());
      const int64_t inner = std::accumulate(x.dims.begin() + axis + 1, x.dims.end(), int64_t{1}, std::multiplies<>());
      std::vector<double> v;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j : idx) {
          if (j < 0) j += x.dims[ax];
          if (j < 0 || j >= x.dims[ax]) return fail("index " + std::to_string(j) + " out of range");
          for (int64_t k = 0; k < inner; ++k)
            v.push_back((*x.values)[static_cast<size_t>((o * x.dims[ax] + j) * inner + k)]);
        }
      }
      out.values = std::move(v);
    }
  } else if (op == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset_ < 10) {
      NNLAT_ASSIGN_OR_RETURN(auto s, attr_ints(i, "starts"));
      NNLAT_ASSIGN_OR_RETURN(auto e, attr_ints(i, "ends"));
      NNLAT_ASSIGN_OR_RETURN(auto a, attr_ints(i, "axes"));
      starts = s.value_or(std::vector<int64_t>{});
      ends = e.value_or(std::vector<int64_t>{});
      if (a) axes = *a;
    } else {
      NNLAT_ASSIGN_OR_RETURN(starts, ints_of(1));
      NNLAT_ASSIGN_OR_RETURN(ends, ints_of(2));
      if (in.size() > 3 && present[3]) {
        NNLAT_ASSIGN_OR_RETURN(axes, ints_of(3));
      }
      if (in.size() > 4 && present[4]) {
        NNLAT_ASSIGN_OR_RETURN(steps, ints_of(4));
      }
    }
    NNLAT_ASSIGN_OR_RETURN(auto r, resolve_slice(i, x.dims, starts, ends, axes, steps));
    out.dims = r.out;
    if (x.values) {
      const auto xs = strides_of(x.dims);
      const auto os = strides_of(out.dims);
      std::vector<double> v(static_cast<size_t>(out.size()));
      for (int64_t o = 0; o < out.size(); ++o) {
        int64_t src = 0;
        for (size_t d = 0; d < out.dims.size(); ++d) {
          const int64_t c = (o / os[d]) % out.dims[d];
          src += (r.start[d] + c * r.step[d]) * xs[d];
        }
        v[static_cast<size_t>(o)] = (*x.values)[static_cast<size_t>(src)];
      }
      out.values = std::move(v);
    }
  } else if (op == "Concat") {
    NNLAT_ASSIGN_OR_RETURN(auto axis_attr, attr_int(i, "axis"));
    const int64_t axis = norm(axis_attr.value_or(0), x.dims.size());
    if (axis < 0 || axis >= static_cast<int64_t>(x.dims.size())) return fail("axis out of range");
    out.dims = x.dims;
    out.dims[static_cast<size_t>(axis)] = 0;
    bool known = true;
    for (size_t k = 0; k < in.size(); ++k) {
      if (!present[k]) continue;
      if (in[k].dims.size() != x.dims.size()) return fail("Concat inputs differ in rank");
      out.dims[static_cast<size_t>(axis)] += in[k].dims[static_cast<size_t>(axis)];
      known = known && in[k].values.has_value();
    }
    if (known) {
      const int64_t outer = std::accumulate(x.dims.begin(), x.dims.begin() + axis, int64_t{1}, std::multiplies<>());
      std::vector<double> v;
      for (int64_t o = 0; o < outer; ++o) {
        for (size_t k = 0; k < in.size(); ++k) {
          if (!present[k]) continue;
          const int64_t inner = in[k].size() / std::max<int64_t>(outer, 1);
          for (int64_t j = 0; j < inner; ++j) v.push_back((*in[k].values)[static_cast<size_t>(o * inner + j)]);
        }
      }
      out.values = std::move(v);
    }
  } else if (op == "Unsqueeze") {
    NNLAT_ASSIGN_OR_RETURN(auto axes, axes_input_or_attr(1));
    if (!axes) return fail("Unsqueeze has no axes");
    const size_t rank = x.dims.size() + axes->size();
    std::vector<bool> ins(rank, false);
    for (int64_t a : *axes) {
      const int64_t d = norm(a, rank);
      if (d < 0 || d >= static_cast<int64_t>(rank)) return fail("axis out of range");
      ins[static_cast<size_t>(d)] = true;
    }
    size_t k = 0;
    for (size_t d = 0; d < rank; ++d) out.dims.push_back(ins[d] ? 1 : x.dims[k++]);
    out.values = x.values;
  } else if (op == "Squeeze") {
    NNLAT_ASSIGN_OR_RETURN(auto axes, axes_input_or_attr(1));
    std::vector<bool> drop(x.dims.size(), false);
    if (axes) {
      for (int64_t a : *axes)
        drop[static_cast<size_t>(
            std::clamp<int64_t>(norm(a, x.dims.size()), 0, static_cast<int64_t>(x.dims.size()) - 1))] = true;
    } else {
      for (size_t d = 0; d < x.dims.size(); ++d) drop[d] = x.dims[d] == 1;
    }
    for (size_t d = 0; d < x.dims.size(); ++d) {
      if (!drop[d]) out.dims.push_back(x.dims[d]);
    }
    out.values = x.values;
  } else if (op == "Reshape" || op == "Flatten") {
    if (op == "Flatten") {
      NNLAT_ASSIGN_OR_RETURN(auto a, attr_int(i, "axis"));
      const int64_t axis = norm(a.value_or(1), x.dims.size());
      int64_t outer = 1;
      for (int64_t d = 0; d < axis; ++d) outer *= x.dims[static_cast<size_t>(d)];
      out.dims = {outer, x.size() / std::max<int64_t>(outer, 1)};
    } else {
      NNLAT_ASSIGN_OR_RETURN(auto target, ints_of(1));
      NNLAT_ASSIGN_OR_RETURN(auto allow_zero, attr_int(i, "allowzero"));
      NNLAT_ASSIGN_OR_RETURN(Shape s, resolve_reshape(i, x.dims, target, allow_zero.value_or(0) != 0));
      out.dims = s;
    }
    if (out.size() != x.size()) return fail("reshape changes the element count");
    out.values = x.values;
  } else if (op == "Transpose") {
    NNLAT_ASSIGN_OR_RETURN(auto perm_attr, attr_ints(i, "perm"));
    std::vector<int64_t> perm;
    if (perm_attr) {
      perm = *perm_attr;
    } else {
      for (auto r = static_cast<int64_t>(x.dims.size()); r > 0; --r) perm.push_back(r - 1);
    }
    if (perm.size() != x.dims.size()) return fail("perm does not match the rank");
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(x.dims.size())) return fail("perm out of range");
      out.dims.push_back(x.dims[static_cast<size_t>(p)]);
    }
    if (x.values) {
      const auto xs = strides_of(x.dims);
      const auto os = strides_of(out.dims);
      std::vector<double> v(static_cast<size_t>(out.size()));
      for (int64_t o = 0; o < out.size(); ++o) {
        int64_t src = 0;
        for (size_t d = 0; d < out.dims.size(); ++d)
          src += ((o / os[d]) % out.dims[d]) * xs[static_cast<size_t>(perm[d])];
        v[static_cast<size_t>(o)] = (*x.values)[static_cast<size_t>(src)];
      }
      out.values = std::move(v);
    }
  } else if (op == "Expand" || op == "Tile") {
    NNLAT_ASSIGN_OR_RETURN(auto target, ints_of(1));
    Tensor shape_t;
    if (op == "Expand") {
      shape_t.dims = target;
      auto b = broadcast_dims({&x, &shape_t});
      if (!b)
        return fail("Expand of " + dims_to_string(x.dims) + " to " + dims_to_string(target) + " does not broadcast");
      out.dims = *b;
      if (x.values) {
        std::vector<double> v(static_cast<size_t>(out.size()));
        for (int64_t o = 0; o < out.size(); ++o) v[static_cast<size_t>(o)] = at_broadcast(x, out.dims, o);
        out.values = std::move(v);
      }
    } else {
      if (target.size() != x.dims.size()) return fail("Tile repeats do not match the rank");
      for (size_t d = 0; d < x.dims.size(); ++d) out.dims.push_back(x.dims[d] * target[d]);
      if (x.values) {
        const auto xs = strides_of(x.dims);
        const auto os = strides_of(out.dims);
        std::vector<double> v(static_cast<size_t>(out.size()));
        for (int64_t o = 0; o < out.size(); ++o) {
          int64_t src = 0;
          for (size_t d = 0; d < out.dims.size(); ++d) src += (((o / os[d]) % out.dims[d]) % x.dims[d]) * xs[d];
          v[static_cast<size_t>(o)] = (*x.values)[static_cast<size_t>(src)];
        }
        out.values = std::move(v);
      }
    }
  } else if (op == "ScatterND") {
    // Swin's shifted-window mask: slices of a zero tensor set to region numbers.
    NNLAT_ASSIGN_OR_RETURN(auto reduction, attr_string(i, "reduction"));
    if (reduction && *reduction != "none")
      return unsupported(i, "folding ScatterND with reduction '" + *reduction + "'");
    const Tensor& idx = in[1];
    const Tensor& upd = in[2];
    if (idx.dims.empty() || idx.dims.back() > static_cast<int64_t>(x.dims.size()))
      return fail("ScatterND indices do not fit the data");
    out.dims = x.dims;
    if (x.values && idx.values && upd.values) {
      const int64_t k = idx.dims.back();
      const int64_t slice = std::accumulate(x.dims.begin() + k, x.dims.end(), int64_t{1}, std::multiplies<>());
      const int64_t count = idx.size() / std::max<int64_t>(k, 1);
      if (upd.size() != count * slice) return fail("ScatterND updates do not fit the indices");
      const auto xs = strides_of(x.dims);
      std::vector<double> v = *x.values;
      for (int64_t c = 0; c < count; ++c) {
        int64_t off = 0;
        for (int64_t d = 0; d < k; ++d) {
          int64_t j = static_cast<int64_t>((*idx.values)[static_cast<size_t>(c * k + d)]);
          if (j < 0) j += x.dims[static_cast<size_t>(d)];
          if (j < 0 || j >= x.dims[static_cast<size_t>(d)]) return fail("ScatterND index out of range");
          off += j * xs[static_cast<size_t>(d)];
        }
        for (int64_t e = 0; e < slice; ++e)
          v[static_cast<size_t>(off + e)] = (*upd.values)[static_cast<size_t>(c * slice + e)];
      }
      out.values = std::move(v);
    }
  } else if (op == "ConstantOfShape") {
    NNLAT_ASSIGN_OR_RETURN(out.dims, ints_of(0));
    double fill = 0;
    out.is_int = false;
    if (const auto* a = attr(i, "value"); a && a->has_t()) {
      auto v = tensor_values(a->t());
      if (!v.ok() || v->size() != 1) return fail("ConstantOfShape value must hold one number");
      fill = (*v)[0];
      out.is_int = int_type(a->t().data_type());
    }
    out.values = std::vector<double>(static_cast<size_t>(std::max<int64_t>(out.size(), 0)), fill);
  } else if (op == "Range") {
    NNLAT_RETURN_IF_ERROR(need_values(0));
    NNLAT_RETURN_IF_ERROR(need_values(1));
    NNLAT_RETURN_IF_ERROR(need_values(2));
    const double start = (*in[0].values)[0], limit = (*in[1].values)[0], delta = (*in[2].values)[0];
    if (delta == 0) return fail("Range delta is 0");
    const auto count = static_cast<int64_t>(std::max(0.0, std::ceil((limit - start) / delta)));
    std::vector<double> v;
    for (int64_t k = 0; k < count; ++k) v.push_back(start + static_cast<double>(k) * delta);
    out.dims = {count};
    out.values = std::move(v);
  } else if (op == "MatMul" || op == "Gemm") {
    NNLAT_ASSIGN_OR_RETURN(auto ta,
                           op == "Gemm" ? attr_int(i, "transA") : Result<std::optional<int64_t>>(std::nullopt));
    NNLAT_ASSIGN_OR_RETURN(auto tb,
                           op == "Gemm" ? attr_int(i, "transB") : Result<std::optional<int64_t>>(std::nullopt));
    Tensor a = x, b = in[1];
    if (a.dims.size() < 2 || b.dims.size() < 2) return unsupported(i, "folding a MatMul of rank-1 constants");
    if (ta.value_or(0) != 0) std::swap(a.dims[a.dims.size() - 1], a.dims[a.dims.size() - 2]);
    if (tb.value_or(0) != 0) std::swap(b.dims[b.dims.size() - 1], b.dims[b.dims.size() - 2]);
    const int64_t m = a.dims[a.dims.size() - 2], kk = a.dims.back(), nn = b.dims.back();
    if (b.dims[b.dims.size() - 2] != kk) return fail("MatMul inner dimensions differ");
    Tensor ab{std::vector<int64_t>(a.dims.begin(), a.dims.end() - 2), false, std::nullopt};
    Tensor bb{std::vector<int64_t>(b.dims.begin(), b.dims.end() - 2), false, std::nullopt};
    auto batch = broadcast_dims({&ab, &bb});
    if (!batch) return fail("MatMul batch dimensions do not broadcast");
    out.dims = *batch;
    out.dims.push_back(m);
    out.dims.push_back(nn);
    out.is_int = false;
    const bool bias = op == "Gemm" && in.size() > 2 && present[2];
    if (x.values && in[1].values && (!bias || in[2].values) && batch->empty() && out.size() <= kMaxFoldedElements) {
      std::vector<double> v(static_cast<size_t>(m * nn), 0.0);
      const auto& av = *x.values;
      const auto& bv = *in[1].values;
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < nn; ++c) {
          double acc = 0;
          for (int64_t t = 0; t < kk; ++t) {
            const double va = ta.value_or(0) ? av[static_cast<size_t>(t * m + r)] : av[static_cast<size_t>(r * kk + t)];
            const double vb =
                tb.value_or(0) ? bv[static_cast<size_t>(c * kk + t)] : bv[static_cast<size_t>(t * nn + c)];
            acc += va * vb;
          }
          v[static_cast<size_t>(r * nn + c)] = acc;
        }
      if (bias) {
        Tensor c = in[2];
        for (int64_t o = 0; o < out.size(); ++o) v[static_cast<size_t>(o)] += at_broadcast(c, out.dims, o);
      }
      out.values = std::move(v);
    }
  } else if (op == "ReduceProd" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin") {
    NNLAT_ASSIGN_OR_RETURN(auto axes, op == "ReduceSum" && opset_ >= 13 ? axes_input_or_attr(1)
                                      : opset_ >= 18                    ? axes_input_or_attr(1)
                                                                        : attr_ints(i, "axes"));
    NNLAT_ASSIGN_OR_RETURN(auto keep, attr_int(i, "keepdims"));
    std::vector<bool> red(x.dims.size(), !axes || axes->empty());
    if (axes) {
      for (int64_t a : *axes)
        red[static_cast<size_t>(
            std::clamp<int64_t>(norm(a, x.dims.size()), 0, static_cast<int64_t>(x.dims.size()) - 1))] = true;
    }
    std::vector<int64_t> kept;
    for (size_t d = 0; d < x.dims.size(); ++d) {
      if (!red[d]) {
        out.dims.push_back(x.dims[d]);
        kept.push_back(x.dims[d]);
      } else if (keep.value_or(1) != 0) {
        out.dims.push_back(1);
        kept.push_back(1);
      } else {
        kept.push_back(1);
      }
    }
    if (x.values) {
      const double init = op == "ReduceProd" ? 1.0 : op == "ReduceSum" ? 0.0 : op == "ReduceMax" ? -INFINITY : INFINITY;
      std::vector<double> v(static_cast<size_t>(out.size()), init);
      const auto xs = strides_of(x.dims);
      const auto ks = strides_of(kept);
      for (int64_t j = 0; j < x.size(); ++j) {
        int64_t o = 0;
        for (size_t d = 0; d < x.dims.size(); ++d) {
          if (!red[d]) o += ((j / xs[d]) % x.dims[d]) * ks[d];
        }
        double& acc = v[static_cast<size_t>(o)];
        const double e = (*x.values)[static_cast<size_t>(j)];
        acc = op == "ReduceProd"  ? acc * e
              : op == "ReduceSum" ? acc + e
              : op == "ReduceMax" ? std::max(acc, e)
                                  : std::min(acc, e);
      }
      out.values = std::move(v);
    }
  } else {
    // Element-wise, with numpy broadcasting.
    std::vector<const Tensor*> ops;
    for (size_t k = 0; k < in.size(); ++k) {
      if (present[k]) ops.push_back(&in[k]);
    }
    if (op == "Clip" && ops.size() > 1) ops.resize(1);  // bounds are scalars
    auto b = broadcast_dims(ops);
    if (!b) return fail(op + " operands do not broadcast");
    out.dims = *b;
    static const std::set<std::string> kBool = {"Equal",          "Less", "Greater", "LessOrEqual",
                                                "GreaterOrEqual", "Not",  "And",     "Or"};
    if (kBool.contains(op)) out.is_int = true;
    if (op == "Where") out.is_int = in[1].is_int;
    NNLAT_ASSIGN_OR_RETURN(auto fmod_attr,
                           op == "Mod" ? attr_int(i, "fmod") : Result<std::optional<int64_t>>(std::nullopt));
    double lo = -INFINITY, hi = INFINITY;
    if (op == "Clip") {
      if (opset_ < 11) {
        NNLAT_ASSIGN_OR_RETURN(auto mn, attr_float(i, "min"));
        NNLAT_ASSIGN_OR_RETURN(auto mx, attr_float(i, "max"));
        lo = mn.value_or(lo);
        hi = mx.value_or(hi);
      } else {
        if (in.size() > 1 && present[1]) {
          NNLAT_RETURN_IF_ERROR(need_values(1));
          lo = (*in[1].values)[0];
        }
        if (in.size() > 2 && present[2]) {
          NNLAT_RETURN_IF_ERROR(need_values(2));
          hi = (*in[2].values)[0];
        }
      }
    }
    if (all_known(ops) && out.size() <= kMaxFoldedElements) {
      const bool ints = out.is_int && op != "Where";
      std::vector<double> v(static_cast<size_t>(out.size()));
      for (int64_t o = 0; o < out.size(); ++o) {
        const double a = at_broadcast(*ops[0], out.dims, o);
        const double c = ops.size() > 1 ? at_broadcast(*ops[1], out.dims, o) : 0.0;
        double r = 0;
        if (op == "Add")
          r = a + c;
        else if (op == "Sub")
          r = a - c;
        else if (op == "Mul")
          r = a * c;
        else if (op == "Div")
          r = ints && c != 0 ? std::trunc(a / c) : a / c;
        else if (op == "Mod") {
          if (c == 0) return fail("Mod by zero");
          r = fmod_attr.value_or(0) != 0 || !x.is_int ? std::fmod(a, c) : a - c * std::floor(a / c);
        } else if (op == "Pow")
          r = std::pow(a, c);
        else if (op == "Min")
          r = std::min(a, c);
        else if (op == "Max")
          r = std::max(a, c);
        else if (op == "Equal")
          r = a == c;
        else if (op == "Less")
          r = a < c;
        else if (op == "Greater")
          r = a > c;
        else if (op == "LessOrEqual")
          r = a <= c;
        else if (op == "GreaterOrEqual")
          r = a >= c;
        else if (op == "And")
          r = (a != 0) && (c != 0);
        else if (op == "Or")
          r = (a != 0) || (c != 0);
        else if (op == "Not")
          r = a == 0;
        else if (op == "Where")
          r = a != 0 ? c : at_broadcast(*ops[2], out.dims, o);
        else if (op == "Neg")
          r = -a;
        else if (op == "Abs")
          r = std::abs(a);
        else if (op == "Sign")
          r = (a > 0) - (a < 0);
        else if (op == "Sqrt")
          r = std::sqrt(a);
        else if (op == "Exp")
          r = std::exp(a);
        else if (op == "Log")
          r = std::log(a);
        else if (op == "Floor")
          r = std::floor(a);
        else if (op == "Ceil")
          r = std::ceil(a);
        else if (op == "Reciprocal")
          r = 1.0 / a;
        else if (op == "Sigmoid")
          r = 1.0 / (1.0 + std::exp(-a));
        else if (op == "Relu")
          r = std::max(a, 0.0);
        else if (op == "Tanh")
          r = std::tanh(a);
        else if (op == "Erf")
          r = std::erf(a);
        else if (op == "Clip")
          r = std::min(std::max(a, lo), hi);
        else
          return unsupported(i, "folding " + op + " is not implemented");
        v[static_cast<size_t>(o)] = r;
      }
      out.values = std::move(v);
    }
  }
  if (out.values && out.size() > kMaxFoldedElements) out.values.reset();
  auto t = std::make_unique<onnx::TensorProto>();
  t->set_name(n.output(0));
  for (int64_t d : out.dims) t->add_dims(d);
  if (out.values) {
    if (out.is_int) {
      t->set_data_type(onnx::TensorProto::INT64);
      for (double v : *out.values) {
        t->add_int64_data(v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(v));
      }
    } else {
      t->set_data_type(onnx::TensorProto::DOUBLE);
      for (double v : *out.values) t->add_double_data(v);
    }
  } else {
    t->set_data_type(out.is_int ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT);
    t->set_data_location(onnx::TensorProto::EXTERNAL);  // values unknown: a weight, or too large to keep
  }
  consts_[n.output(0)] = t.get();
  if (!prepass_) folded_[n.output(0)] = t.get();
  owned_.push_back(std::move(t));
  handled_[i] = true;
  return true;
}

Result<SliceRange> Importer::resolve_slice(size_t i, const Shape& dims, const std::vector<int64_t>& starts,
                                           const std::vector<int64_t>& ends, std::vector<int64_t> axes,
                                           std::vector<int64_t> steps) const {
  const size_t rank = dims.size();
  if (axes.empty()) {
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  }
  if (steps.empty()) steps.assign(axes.size(), 1);
  if (starts.size() != axes.size() || ends.size() != axes.size() || steps.size() != axes.size()) {
    return node_fail(i, ErrorCode::kShapeError, "starts, ends, axes and steps differ in length");
  }
  SliceRange r;
  r.out = dims;
  r.start.assign(rank, 0);
  r.step.assign(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = axes[k] < 0 ? axes[k] + static_cast<int64_t>(rank) : axes[k];
    if (a < 0 || a >= static_cast<int64_t>(rank)) return node_fail(i, ErrorCode::kShapeError, "axis out of range");
    const auto d = static_cast<size_t>(a);
    const int64_t n = dims[d];
    const int64_t st = steps[k];
    if (st == 0) return node_fail(i, ErrorCode::kShapeError, "step 0");
    int64_t s = starts[k] < 0 ? starts[k] + n : starts[k];
    int64_t e = ends[k] < 0 ? ends[k] + n : ends[k];
    int64_t len = 0;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      len = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, -1, n - 1);
      e = std::clamp<int64_t>(e, -1, n - 1);
      len = s > e ? (s - e - st - 1) / -st : 0;
    }
    r.out[d] = len;
    r.start[d] = s;
    r.step[d] = st;
  }
  return r;
}

}  // namespace nnlat::formats::onnx_detail
