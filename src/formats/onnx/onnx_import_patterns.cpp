// Multi-node patterns fused on import: swish, gelu (erf and tanh forms), channel_shuffle
// and MatMul + bias. docs/onnx.md lists them.
#include <algorithm>

#include "formats/onnx/onnx_importer.hpp"

namespace nnlat::formats::onnx_detail {

std::optional<size_t> Importer::sole_consumer(const std::string& value) const {
  if (graph_outputs_.contains(value)) return std::nullopt;
  const auto it = consumers_.find(value);
  if (it == consumers_.end() || it->second.size() != 1) return std::nullopt;
  return it->second[0];
}

std::optional<std::string> Importer::other_operand(size_t i, const std::string& known) const {
  const auto& n = node(i);
  if (n.input_size() != 2) return std::nullopt;
  if (n.input(0) == known && n.input(1) != known) return n.input(1);
  if (n.input(1) == known && n.input(0) != known) return n.input(0);
  return std::nullopt;
}

std::optional<double> Importer::const_scalar(const std::string& name) const {
  const auto it = consts_.find(name);
  if (it == consts_.end() || tensor_num_elements(*it->second) != 1) return std::nullopt;
  auto v = tensor_values(*it->second);
  if (!v.ok()) return std::nullopt;
  return (*v)[0];
}

void Importer::find_patterns() {
  auto single_out = [&](size_t i) -> std::optional<std::string> {
    const auto& n = node(i);
    if (n.output_size() != 1 || n.output(0).empty()) return std::nullopt;
    return n.output(0);
  };
  // Follows `value` to its only consumer if that is an `op_type` node.
  auto next = [&](const std::string& value, const char* op_type) -> std::optional<size_t> {
    auto c = sole_consumer(value);
    if (!c || !is_op(*c, op_type) || !single_out(*c)) return std::nullopt;
    return c;
  };
  auto with_const = [&](size_t i, const std::string& known, double target) {
    auto other = other_operand(i, known);
    if (!other) return false;
    auto v = const_scalar(*other);
    return v && near(*v, target);
  };
  // The tail shared by both gelu forms: t -> Mul by x and by 0.5 (either order).
  auto gelu_tail = [&](const std::string& t, const std::string& x, std::vector<size_t>& nodes) {
    auto m1 = next(t, "Mul");
    if (!m1) return false;
    const bool x_first = other_operand(*m1, t) == x;
    if (!x_first && !with_const(*m1, t, 0.5)) return false;
    auto m2 = next(*single_out(*m1), "Mul");
    if (!m2) return false;
    const std::string t2 = *single_out(*m1);
    if (x_first ? !with_const(*m2, t2, 0.5) : other_operand(*m2, t2) != x) return false;
    nodes.push_back(*m1);
    nodes.push_back(*m2);
    return true;
  };
  auto claim = [&](Match m) {
    for (size_t j : m.nodes) claimed_[j] = matches_.size();
    matches_.push_back(std::move(m));
  };

  for (size_t i : order_) {
    if (handled_[i] || claimed_.contains(i)) continue;
    const auto& n = node(i);
    const auto out = single_out(i);
    if (!out || n.input_size() < 1) continue;
    const std::string x = n.input(0);
    if (x.empty() || is_const(x)) continue;

    if (is_op(i, "Sigmoid")) {  // x * sigmoid(x)
      if (auto m = next(*out, "Mul"); m && other_operand(*m, *out) == x) claim({Pattern::kSwish, {i, *m}, x});
      continue;
    }
    if ((is_op(i, "Div") && with_const(i, x, std::sqrt(2.0)) && node(i).input(0) == x) ||
        (is_op(i, "Mul") && with_const(i, x, 1.0 / std::sqrt(2.0)))) {  // 0.5 x (1 + erf(x / sqrt 2))
      std::vector<size_t> nodes{i};
      auto e = next(*out, "Erf");
      if (!e) continue;
      auto a = next(*single_out(*e), "Add");
      if (!a || !with_const(*a, *single_out(*e), 1.0)) continue;
      nodes.push_back(*e);
      nodes.push_back(*a);
      if (gelu_tail(*single_out(*a), x, nodes)) claim({Pattern::kGeluErf, nodes, x});
      continue;
    }
    if (is_op(i, "Pow") && node(i).input(0) == x && with_const(i, x, 3.0)) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      std::vector<size_t> nodes{i};
      auto m1 = next(*out, "Mul");
      if (!m1 || !with_const(*m1, *out, 0.044715)) continue;
      auto a1 = next(*single_out(*m1), "Add");
      if (!a1 || other_operand(*a1, *single_out(*m1)) != x) continue;
      auto m2 = next(*single_out(*a1), "Mul");
      if (!m2 || !with_const(*m2, *single_out(*a1), std::sqrt(2.0 / 3.14159265358979323846))) continue;
      auto t = next(*single_out(*m2), "Tanh");
      if (!t) continue;
      auto a2 = next(*single_out(*t), "Add");
      if (!a2 || !with_const(*a2, *single_out(*t), 1.0)) continue;
      nodes.insert(nodes.end(), {*m1, *a1, *m2, *t, *a2});
      if (gelu_tail(*single_out(*a2), x, nodes)) claim({Pattern::kGeluTanh, nodes, x});
      continue;
    }
    if (is_op(i, "ReduceL2")) {  // F.normalize: x / expand(clip(||x||, eps))
      auto clip = next(*out, "Clip");
      if (!clip || node(*clip).input(0) != *out) continue;
      std::string norm = *single_out(*clip);
      std::vector<size_t> nodes{i, *clip};
      if (auto e = next(norm, "Expand"); e && node(*e).input(0) == norm) {
        nodes.push_back(*e);
        norm = *single_out(*e);
      }
      auto div = next(norm, "Div");
      if (!div || node(*div).input(0) != x || node(*div).input(1) != norm) continue;
      nodes.push_back(*div);
      claim({Pattern::kL2Normalize, nodes, x});
      continue;
    }
    if (is_op(i, "ReduceMean")) {  // layer norm: (x - mean) / sqrt(mean((x - mean)^2) + eps) [* w + b]
      auto sub = next(*out, "Sub");
      if (!sub || node(*sub).input(0) != x || node(*sub).input(1) != *out) continue;
      const std::string d = *single_out(*sub);
      const auto cit = consumers_.find(d);
      if (graph_outputs_.contains(d) || cit == consumers_.end() || cit->second.size() != 2) continue;
      std::optional<size_t> pow, div;
      for (size_t c : cit->second) {
        if (is_op(c, "Pow") && node(c).input(0) == d) pow = c;
        if (is_op(c, "Div") && node(c).input(0) == d) div = c;
      }
      if (!pow || !div || !with_const(*pow, d, 2.0)) continue;
      auto var = next(*single_out(*pow), "ReduceMean");
      if (!var) continue;
      auto add = next(*single_out(*var), "Add");
      if (!add) continue;
      auto eps = other_operand(*add, *single_out(*var));
      if (!eps || !const_scalar(*eps)) continue;
      auto sq = next(*single_out(*add), "Sqrt");
      if (!sq || sole_consumer(*single_out(*sq)) != div || node(*div).input(1) != *single_out(*sq)) continue;
      std::vector<size_t> nodes{i, *sub, *pow, *var, *add, *sq, *div};
      if (auto mul = next(*single_out(*div), "Mul")) {
        auto w = other_operand(*mul, *single_out(*div));
        auto bias = next(*single_out(*mul), "Add");
        if (w && is_const(*w) && bias) {
          auto b = other_operand(*bias, *single_out(*mul));
          if (b && is_const(*b)) nodes.insert(nodes.end(), {*mul, *bias});
        }
      }
      claim({Pattern::kLayerNorm, nodes, x});
      continue;
    }
    if (is_op(i, "MatMul") && n.input_size() == 2 && is_const(n.input(1))) {  // x W + b
      const auto& w = *consts_.at(n.input(1));
      if (w.dims_size() != 2) continue;
      auto a = next(*out, "Add");
      if (!a) continue;
      auto b = other_operand(*a, *out);
      if (!b || !is_const(*b)) continue;
      const auto bd = tensor_dims(*consts_.at(*b));
      if (bd.empty() || bd.back() != w.dims(1) || tensor_num_elements(*consts_.at(*b)) != w.dims(1)) continue;
      claim({Pattern::kFcBias, {i, *a}, x});
      continue;
    }
    if (is_op(i, "Reshape") && n.input_size() == 2 && is_const(n.input(1)) &&
        tensor_num_elements(*consts_.at(n.input(1))) == 5) {  // channel shuffle
      auto t = next(*out, "Transpose");
      if (!t) continue;
      auto perm = attr_ints(*t, "perm");
      if (!perm.ok() || *perm != std::optional<std::vector<int64_t>>(std::vector<int64_t>{0, 2, 1, 3, 4})) continue;
      auto r2 = next(*single_out(*t), "Reshape");
      if (!r2 || node(*r2).input_size() != 2 || node(*r2).input(0) != *single_out(*t) ||
          !is_const(node(*r2).input(1)) || tensor_num_elements(*consts_.at(node(*r2).input(1))) != 4) {
        continue;
      }
      claim({Pattern::kChannelShuffle, {i, *t, *r2}, x});
    }
  }
}

Status Importer::map_match(const Match& m) {
  const size_t last = m.nodes.back();
  const std::string out = node(last).output(0);
  const auto it = acts_.find(m.x);
  if (it == acts_.end())
    return node_fail(m.nodes.front(), ErrorCode::kGraphError, "input '" + m.x + "' is not defined");
  const ir::ValueId x = it->second;
  switch (m.kind) {
    case Pattern::kSwish:
      return emit(last, m.nodes, OpKind::kSwish, {x}, {}, {out});
    case Pattern::kGeluErf:
      return emit(last, m.nodes, OpKind::kGelu, {x}, {}, {out});
    case Pattern::kGeluTanh:
      return emit(last, m.nodes, OpKind::kGelu, {x}, {{"approximate", std::string("tanh")}}, {out});
    case Pattern::kFcBias: {
      const auto& w = *consts_.at(input(m.nodes.front(), 1));
      if (shape(x).size() < 2 || shape(x).back() != w.dims(0)) {
        return node_fail(
            m.nodes.front(), ErrorCode::kShapeError,
            "weight " + dims_to_string(tensor_dims(w)) + " does not fit input " + ir::shape_to_string(shape(x)));
      }
      return emit(last, m.nodes, OpKind::kFullyConnected, {x}, {{"out_features", w.dims(1)}, {"bias", int64_t{1}}},
                  {out});
    }
    case Pattern::kLayerNorm: {
      const Shape& xs = shape(x);
      const auto rank = static_cast<int64_t>(xs.size());
      auto axes_of = [&](size_t j) -> std::optional<std::vector<int64_t>> {
        auto keep = attr_int(j, "keepdims");
        if (!keep.ok() || keep->value_or(1) != 1) return std::nullopt;
        std::optional<std::vector<int64_t>> axes;
        if (auto a = attr_ints(j, "axes"); a.ok() && *a) {
          axes = **a;
        } else if (!input(j, 1).empty() && is_const(input(j, 1))) {
          auto v = const_ints(j, input(j, 1));
          if (v.ok()) axes = *v;
        }
        if (!axes || axes->empty()) return std::nullopt;
        for (auto& a : *axes) a = a < 0 ? a + rank : a;
        std::sort(axes->begin(), axes->end());
        return axes;
      };
      auto axes = axes_of(m.nodes[0]);
      bool ok = axes && axes == axes_of(m.nodes[3]) && axes->back() == rank - 1 &&
                axes->front() == rank - static_cast<int64_t>(axes->size()) && axes->front() >= 0;
      std::optional<double> eps;
      if (ok) eps = const_scalar(*other_operand(m.nodes[4], node(m.nodes[3]).output(0)));
      ok = ok && eps.has_value();
      const bool affine = m.nodes.size() == 9;
      if (ok && affine) {
        const Shape normalized(xs.end() - static_cast<std::ptrdiff_t>(axes->size()), xs.end());
        auto fits = [&](size_t j, const std::string& known) {
          auto c = other_operand(j, known);
          if (!c || !is_const(*c)) return false;
          auto cd = tensor_dims(*consts_.at(*c));
          while (!cd.empty() && cd.front() == 1 && cd.size() > normalized.size()) cd.erase(cd.begin());
          return cd == std::vector<int64_t>(normalized.begin(), normalized.end());
        };
        ok = fits(m.nodes[7], node(m.nodes[6]).output(0)) && fits(m.nodes[8], node(m.nodes[7]).output(0));
      }
      if (ok) {
        Attrs a{{"axis", axes->front() - rank}, {"epsilon", *eps}};
        if (!affine) a["affine"] = int64_t{0};
        return emit(last, m.nodes, OpKind::kLayerNorm, {x}, a, {out});
      }
      // Not a layer norm nnlat can express: map the nodes one by one.
      for (size_t j : m.nodes) claimed_.erase(j);
      return map_node(m.nodes.front());
    }
    case Pattern::kL2Normalize: {
      const size_t r = m.nodes[0], clip = m.nodes[1];
      const auto rank = static_cast<int64_t>(shape(x).size());
      std::optional<std::vector<int64_t>> axes;
      if (auto a = attr_ints(r, "axes"); a.ok() && *a) {
        axes = **a;
      } else if (!input(r, 1).empty() && is_const(input(r, 1))) {
        if (auto v = const_ints(r, input(r, 1)); v.ok()) axes = *v;
      }
      auto keep = attr_int(r, "keepdims");
      std::optional<double> eps;
      if (opset_ >= 11 && !input(clip, 1).empty() && input(clip, 2).empty()) {
        eps = const_scalar(input(clip, 1));
      } else if (opset_ < 11) {
        if (auto mn = attr_float(clip, "min"); mn.ok() && *mn && !attr(clip, "max")) eps = **mn;
      }
      if (axes && axes->size() == 1 && keep.ok() && keep->value_or(1) == 1 && eps && *eps >= 0) {
        const int64_t ax = (*axes)[0] < 0 ? (*axes)[0] + rank : (*axes)[0];
        if (ax >= 0 && ax < rank) {
          return emit(last, m.nodes, OpKind::kL2Normalize, {x}, {{"axis", ax - rank}, {"epsilon", *eps}}, {out});
        }
      }
      for (size_t j : m.nodes) claimed_.erase(j);
      return map_node(m.nodes.front());
    }
    case Pattern::kChannelShuffle: {
      const size_t r1 = m.nodes[0];
      const Shape& xs = shape(x);
      bool ok = xs.size() == 4;
      int64_t groups = 0;
      if (ok) {
        auto t1 = const_ints(r1, input(r1, 1));
        auto s1 = t1.ok() ? resolve_reshape(r1, xs, *t1, false) : Result<Shape>(t1.error());
        ok = s1.ok() && s1->size() == 5 && (*s1)[0] == xs[0] && (*s1)[1] > 0 && (*s1)[1] * (*s1)[2] == xs[1] &&
             (*s1)[3] == xs[2] && (*s1)[4] == xs[3];
        if (ok) {
          groups = (*s1)[1];
          const Shape transposed{xs[0], (*s1)[2], groups, xs[2], xs[3]};
          const size_t r2 = m.nodes[2];
          auto t2 = const_ints(r2, input(r2, 1));
          auto s2 = t2.ok() ? resolve_reshape(r2, transposed, *t2, false) : Result<Shape>(t2.error());
          ok = s2.ok() && *s2 == xs;
        }
      }
      if (ok) return emit(last, m.nodes, OpKind::kChannelShuffle, {x}, {{"groups", groups}}, {out});
      // Not a channel shuffle after all: map the three nodes one by one.
      for (size_t j : m.nodes) claimed_.erase(j);
      return map_node(r1);
    }
  }
  return Status::Ok();
}

}  // namespace nnlat::formats::onnx_detail
