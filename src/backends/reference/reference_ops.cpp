// Naive kernels of every op in the op table (NCHW, float, double accumulation).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>

#include "backends/reference/reference_backend.hpp"

namespace nnlat::backends::reference {
namespace {

using ir::Shape;
using Tensor = std::vector<float>;

size_t sz(int64_t v) { return static_cast<size_t>(v); }

Error node_error(const ir::Node& node, const std::string& message, ErrorCode code = ErrorCode::kUnsupported) {
  return make_error(code, "node " + node.name + " (" + std::string(ir::op_name(node.op)) + "): " + message);
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

int64_t norm_axis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Strides of `in` as seen from a broadcast output of rank `rank` (0 where broadcast).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  const auto own = strides_of(in);
  const size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) st[off + i] = in[i] == 1 ? 0 : own[i];
  return st;
}

// Calls f(out_index, a_index, b_index) for every element of `out`.
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb, F f) {
  const int64_t n = ir::num_elements(out);
  std::vector<int64_t> idx(out.size(), 0);
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < n; ++o) {
    f(o, ia, ib);
    for (size_t d = out.size(); d-- > 0;) {
      ++idx[d];
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

void conv2d(const Shape& in, const Shape& out, const Tensor& x, const NodeWeights& w, const ir::Window2d& win,
            int64_t groups, Tensor& y) {
  // Depthwise is the grouped case with groups = C and `multiplier` outputs per group.
  const int64_t n = in[0], cin = in[1], ih = in[2], iw = in[3];
  const int64_t cout = out[1], oh = out[2], ow = out[3];
  const int64_t cin_g = cin / groups, cout_g = cout / groups;
  y.assign(sz(ir::num_elements(out)), 0.0f);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t oc = 0; oc < cout; ++oc) {
      const int64_t g = oc / cout_g;
      const double bias = w.bias.empty() ? 0.0 : w.bias[sz(oc)];
      for (int64_t oy = 0; oy < oh; ++oy) {
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = bias;
          for (int64_t ic = 0; ic < cin_g; ++ic) {
            const int64_t c = g * cin_g + ic;
            for (int64_t ky = 0; ky < win.kernel_h; ++ky) {
              const int64_t iy = oy * win.stride_h - win.pad_top + ky * win.dilation_h;
              if (iy < 0 || iy >= ih) continue;
              for (int64_t kx = 0; kx < win.kernel_w; ++kx) {
                const int64_t ix = ox * win.stride_w - win.pad_left + kx * win.dilation_w;
                if (ix < 0 || ix >= iw) continue;
                acc += static_cast<double>(x[sz(((b * cin + c) * ih + iy) * iw + ix)]) *
                       w.weight[sz(((oc * cin_g + ic) * win.kernel_h + ky) * win.kernel_w + kx)];
              }
            }
          }
          y[sz(((b * cout + oc) * oh + oy) * ow + ox)] = static_cast<float>(acc);
        }
      }
    }
  }
}

void pool2d(bool is_max, const ir::Attrs& attrs, const Shape& in, const Shape& out, const Tensor& x,
            const ir::Window2d& win, Tensor& y) {
  const int64_t n = in[0], c = in[1], ih = in[2], iw = in[3], oh = out[2], ow = out[3];
  const bool include_pad = ir::get_int(attrs, "count_include_pad", 0) != 0;
  y.assign(sz(ir::num_elements(out)), 0.0f);
  for (int64_t p = 0; p < n * c; ++p) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        if (is_max) {
          float m = -std::numeric_limits<float>::infinity();
          for (int64_t ky = 0; ky < win.kernel_h; ++ky) {
            const int64_t iy = oy * win.stride_h - win.pad_top + ky * win.dilation_h;
            if (iy < 0 || iy >= ih) continue;
            for (int64_t kx = 0; kx < win.kernel_w; ++kx) {
              const int64_t ix = ox * win.stride_w - win.pad_left + kx * win.dilation_w;
              if (ix < 0 || ix >= iw) continue;
              m = std::max(m, x[sz((p * ih + iy) * iw + ix)]);
            }
          }
          y[sz((p * oh + oy) * ow + ox)] = m;
        } else {
          // PyTorch semantics: the window is clipped to the padded input; count_include_pad
          // divides by that clipped size, otherwise by the number of real input elements.
          int64_t y0 = oy * win.stride_h - win.pad_top, x0 = ox * win.stride_w - win.pad_left;
          int64_t y1 = std::min(y0 + win.kernel_h, ih + win.pad_bottom);
          int64_t x1 = std::min(x0 + win.kernel_w, iw + win.pad_right);
          const int64_t padded_count = (y1 - y0) * (x1 - x0);
          y0 = std::max<int64_t>(y0, 0);
          x0 = std::max<int64_t>(x0, 0);
          y1 = std::min(y1, ih);
          x1 = std::min(x1, iw);
          double acc = 0;
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) acc += x[sz((p * ih + iy) * iw + ix)];
          const int64_t count = include_pad ? padded_count : (y1 - y0) * (x1 - x0);
          y[sz((p * oh + oy) * ow + ox)] = count > 0 ? static_cast<float>(acc / static_cast<double>(count)) : 0.0f;
        }
      }
    }
  }
}

void reduce_mean(const Shape& in, const std::vector<int64_t>& axes, const Tensor& x, Tensor& y) {
  std::vector<bool> reduced(in.size(), false);
  for (int64_t a : axes) reduced[sz(norm_axis(a, in.size()))] = true;
  Shape kept = in;  // keepdims shape
  int64_t count = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (reduced[d]) {
      count *= in[d];
      kept[d] = 1;
    }
  }
  std::vector<double> acc(sz(ir::num_elements(kept)), 0.0);
  const auto kept_strides = broadcast_strides(kept, in);
  for_each_broadcast(in, kept_strides, std::vector<int64_t>(in.size(), 0),
                     [&](int64_t i, int64_t k, int64_t) { acc[sz(k)] += x[sz(i)]; });
  y.resize(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) y[i] = static_cast<float>(acc[i] / static_cast<double>(count));
}

float apply_binary(ir::OpKind op, float a, float b) {
  switch (op) {
    case ir::OpKind::kAdd:
      return a + b;
    case ir::OpKind::kSub:
      return a - b;
    case ir::OpKind::kMul:
      return a * b;
    default:
      return a / b;
  }
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Copies a block-structured tensor: `outer` blocks, each `inner` elements long, from `src`
// (block stride `src_stride`) to `dst` (block stride `dst_stride`).
void copy_blocks(const float* src, int64_t src_stride, float* dst, int64_t dst_stride, int64_t outer, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) std::copy_n(src + o * src_stride, inner, dst + o * dst_stride);
}

}  // namespace

Status run_node(const ir::Graph& graph, const ir::Node& node, const NodeWeights& w,
                std::span<const std::vector<float>* const> inputs, std::vector<std::vector<float>>& outputs) {
  using ir::OpKind;
  if (inputs.size() != node.inputs.size()) return node_error(node, "wrong input count", ErrorCode::kInternal);
  const Shape& in = graph.value(node.inputs[0]).shape;
  const Shape& out = graph.value(node.outputs[0]).shape;
  const Tensor& x = *inputs[0];
  if (static_cast<int64_t>(x.size()) != ir::num_elements(in)) {
    return node_error(node, "input has " + std::to_string(x.size()) + " elements, shape " + ir::shape_to_string(in),
                      ErrorCode::kShapeError);
  }
  outputs.assign(node.outputs.size(), {});
  Tensor& y = outputs[0];
  auto unary = [&](auto f) {
    y.resize(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(f(static_cast<double>(x[i])));
    return Status::Ok();
  };
  const ir::Attrs& a = node.attrs;
  switch (node.op) {
    case OpKind::kConv2d:
    case OpKind::kDepthwiseConv2d: {
      NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, ir::resolve_window(a, in[2], in[3], false));
      const bool dw = node.op == OpKind::kDepthwiseConv2d;
      const int64_t groups = dw ? in[1] : node.attr_int("groups");
      if (w.weight.empty()) return node_error(node, "no weights", ErrorCode::kInternal);
      conv2d(in, out, x, w, win, groups, y);
      return Status::Ok();
    }
    case OpKind::kFullyConnected: {
      const int64_t k = in.back(), n = out.back(), rows = ir::num_elements(in) / k;
      y.resize(sz(rows * n));
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t o = 0; o < n; ++o) {
          double acc = w.bias.empty() ? 0.0 : w.bias[sz(o)];
          for (int64_t i = 0; i < k; ++i) acc += static_cast<double>(x[sz(r * k + i)]) * w.weight[sz(o * k + i)];
          y[sz(r * n + o)] = static_cast<float>(acc);
        }
      }
      return Status::Ok();
    }
    case OpKind::kMatMul: {
      const Shape& bs = graph.value(node.inputs[1]).shape;
      const Tensor& b = *inputs[1];
      const int64_t m = in[in.size() - 2], k = in.back(), n = bs.back();
      const Shape batch(out.begin(), out.end() - 2);
      const auto sa = broadcast_strides(Shape(in.begin(), in.end() - 2), batch);
      const auto sb = broadcast_strides(Shape(bs.begin(), bs.end() - 2), batch);
      y.assign(sz(ir::num_elements(out)), 0.0f);
      for_each_broadcast(batch, sa, sb, [&](int64_t o, int64_t ia, int64_t ib) {
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t t = 0; t < k; ++t)
              acc += static_cast<double>(x[sz(ia * m * k + i * k + t)]) * b[sz(ib * k * n + t * n + j)];
            y[sz(o * m * n + i * n + j)] = static_cast<float>(acc);
          }
      });
      return Status::Ok();
    }
    case OpKind::kBatchNorm: {
      std::vector<float> scale, shift;
      batch_norm_scale_shift(w, scale, shift);
      const int64_t c = in[1];
      const int64_t inner = ir::num_elements(in) / (in[0] * c);
      y.resize(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const auto ch = sz((static_cast<int64_t>(i) / inner) % c);
        y[i] = static_cast<float>(static_cast<double>(x[i]) * scale[ch] + shift[ch]);
      }
      return Status::Ok();
    }
    case OpKind::kRelu:
      return unary([](double v) { return std::max(v, 0.0); });
    case OpKind::kRelu6:
      return unary([](double v) { return std::clamp(v, 0.0, 6.0); });
    case OpKind::kClamp: {
      const double lo = node.attr_float("min");
      const double hi = node.attr_float("max");
      return unary([&](double v) { return std::min(std::max(v, lo), hi); });
    }
    case OpKind::kHardSwish:
      return unary([](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });
    case OpKind::kHardSigmoid: {
      const double alpha = node.attr_float("alpha"), beta = node.attr_float("beta");
      return unary([&](double v) { return std::clamp(alpha * v + beta, 0.0, 1.0); });
    }
    case OpKind::kSigmoid:
      return unary(sigmoid);
    case OpKind::kSwish:
      return unary([](double v) { return v * sigmoid(v); });
    case OpKind::kTanh:
      return unary([](double v) { return std::tanh(v); });
    case OpKind::kGelu: {
      if (node.attr_string("approximate") == "tanh") {
        return unary([](double v) {
          return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
        });
      }
      return unary([](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
    }
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d: {
      NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, ir::resolve_window(a, in[2], in[3], node.attr_int("ceil_mode") != 0));
      pool2d(node.op == OpKind::kMaxPool2d, a, in, out, x, win, y);
      return Status::Ok();
    }
    case OpKind::kGlobalAvgPool:
      reduce_mean(in, {2, 3}, x, y);
      return Status::Ok();
    case OpKind::kReduceMean:
      reduce_mean(in, ir::get_ints(a, "axes", {}), x, y);
      return Status::Ok();
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv: {
      if (inputs.size() == 1 && a.contains("operand")) {  // a constant tensor: the node's weights
        const Shape cs = ir::get_ints(a, "operand", {});
        if (sz(ir::num_elements(cs)) != w.weight.size()) return node_error(node, "no operand", ErrorCode::kInternal);
        y.resize(sz(ir::num_elements(out)));
        for_each_broadcast(
            out, broadcast_strides(in, out), broadcast_strides(cs, out),
            [&](int64_t o, int64_t ia, int64_t ib) { y[sz(o)] = apply_binary(node.op, x[sz(ia)], w.weight[sz(ib)]); });
        return Status::Ok();
      }
      if (inputs.size() == 1) {
        const auto s = static_cast<float>(ir::get_float(a, "scalar", 0.0));
        y.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = apply_binary(node.op, x[i], s);
        return Status::Ok();
      }
      const Tensor& b = *inputs[1];
      const Shape& bs = graph.value(node.inputs[1]).shape;
      y.resize(sz(ir::num_elements(out)));
      for_each_broadcast(
          out, broadcast_strides(in, out), broadcast_strides(bs, out),
          [&](int64_t o, int64_t ia, int64_t ib) { y[sz(o)] = apply_binary(node.op, x[sz(ia)], b[sz(ib)]); });
      return Status::Ok();
    }
    case OpKind::kConcat: {
      const int64_t axis = norm_axis(ir::get_int(a, "axis", 1), in.size());
      const int64_t outer = std::accumulate(out.begin(), out.begin() + axis, int64_t{1}, std::multiplies<>());
      const int64_t out_inner = ir::num_elements(out) / outer;
      y.resize(sz(ir::num_elements(out)));
      // A constant operand (e.g. a class token) is one more part, at `operand_index`.
      std::vector<std::pair<const float*, Shape>> parts;
      for (size_t i = 0; i < inputs.size(); ++i)
        parts.emplace_back(inputs[i]->data(), graph.value(node.inputs[i]).shape);
      if (a.contains("operand")) {
        const auto at = std::min(sz(node.attr_int("operand_index")), parts.size());
        parts.insert(parts.begin() + static_cast<std::ptrdiff_t>(at),
                     std::pair<const float*, Shape>(w.weight.data(), ir::get_ints(a, "operand", {})));
      }
      int64_t offset = 0;
      for (const auto& [data, s] : parts) {
        const int64_t inner = ir::num_elements(s) / outer;
        copy_blocks(data, inner, y.data() + offset, out_inner, outer, inner);
        offset += inner;
      }
      return Status::Ok();
    }
    case OpKind::kChannelShuffle: {
      // [N, g, C/g, H, W] -> [N, C/g, g, H, W]: output channel j*g + i is input channel i*(C/g) + j.
      const int64_t g = node.attr_int("groups"), c = in[1], k = c / g, hw = in[2] * in[3];
      y.resize(x.size());
      for (int64_t b = 0; b < in[0]; ++b)
        for (int64_t i = 0; i < g; ++i)
          for (int64_t j = 0; j < k; ++j)
            std::copy_n(x.data() + (b * c + i * k + j) * hw, hw, y.data() + (b * c + j * g + i) * hw);
      return Status::Ok();
    }
    case OpKind::kSplit: {
      const int64_t axis = norm_axis(ir::get_int(a, "axis", 1), in.size());
      const int64_t outer = std::accumulate(in.begin(), in.begin() + axis, int64_t{1}, std::multiplies<>());
      const int64_t in_inner = ir::num_elements(in) / outer;
      int64_t offset = 0;
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        const Shape& s = graph.value(node.outputs[i]).shape;
        const int64_t inner = ir::num_elements(s) / outer;
        outputs[i].resize(sz(ir::num_elements(s)));
        copy_blocks(x.data() + offset, in_inner, outputs[i].data(), inner, outer, inner);
        offset += inner;
      }
      return Status::Ok();
    }
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kIdentity:
      y = x;
      return Status::Ok();
    case OpKind::kTranspose: {
      const auto perm = ir::get_ints(a, "perm", {});
      const auto in_strides = strides_of(in);
      std::vector<int64_t> st(perm.size());
      for (size_t i = 0; i < perm.size(); ++i) st[i] = in_strides[sz(perm[i])];
      y.resize(x.size());
      for_each_broadcast(out, st, std::vector<int64_t>(out.size(), 0),
                         [&](int64_t o, int64_t i, int64_t) { y[sz(o)] = x[sz(i)]; });
      return Status::Ok();
    }
    case OpKind::kPad: {
      const auto pads = ir::get_ints(a, "pads", {});
      const std::string mode = ir::get_string(a, "mode", "constant");
      const auto value = static_cast<float>(ir::get_float(a, "value", 0.0));
      const size_t rank = in.size();
      const auto in_strides = strides_of(in);
      y.resize(sz(ir::num_elements(out)));
      std::vector<int64_t> idx(rank, 0);
      for (int64_t o = 0; o < ir::num_elements(out); ++o) {
        int64_t src = 0;
        bool inside = true;
        for (size_t d = 0; d < rank; ++d) {
          int64_t i = idx[d] - pads[d];
          if (i < 0 || i >= in[d]) {
            if (mode == "constant") {
              inside = false;
              break;
            }
            if (mode == "edge") {
              i = std::clamp<int64_t>(i, 0, in[d] - 1);
            } else {  // reflect (no edge repeat); a period of 2 * (n - 1)
              const int64_t period = std::max<int64_t>(1, 2 * (in[d] - 1));
              i = ((i % period) + period) % period;
              if (i >= in[d]) i = period - i;
            }
          }
          src += i * in_strides[d];
        }
        y[sz(o)] = inside ? x[sz(src)] : value;
        for (size_t d = rank; d-- > 0;) {
          if (++idx[d] < out[d]) break;
          idx[d] = 0;
        }
      }
      return Status::Ok();
    }
    case OpKind::kResize: {
      const int64_t n = in[0] * in[1], ih = in[2], iw = in[3], oh = out[2], ow = out[3];
      const bool bilinear = ir::get_string(a, "mode", "nearest") == "bilinear";
      const double sh = static_cast<double>(ih) / static_cast<double>(oh);
      const double sw = static_cast<double>(iw) / static_cast<double>(ow);
      y.resize(sz(ir::num_elements(out)));
      for (int64_t p = 0; p < n; ++p) {
        const float* src = x.data() + p * ih * iw;
        for (int64_t oy = 0; oy < oh; ++oy) {
          for (int64_t ox = 0; ox < ow; ++ox) {
            float v;
            if (bilinear) {
              // Half-pixel centres (ONNX half_pixel, PyTorch align_corners=False, TF2),
              // source coordinates clamped at 0.
              const double fy = std::max(0.0, (static_cast<double>(oy) + 0.5) * sh - 0.5);
              const double fx = std::max(0.0, (static_cast<double>(ox) + 0.5) * sw - 0.5);
              const auto y0 = std::min(static_cast<int64_t>(fy), ih - 1);
              const auto x0 = std::min(static_cast<int64_t>(fx), iw - 1);
              const int64_t y1 = std::min(y0 + 1, ih - 1), x1 = std::min(x0 + 1, iw - 1);
              const double ly = fy - static_cast<double>(y0), lx = fx - static_cast<double>(x0);
              const double top = src[y0 * iw + x0] * (1 - lx) + src[y0 * iw + x1] * lx;
              const double bottom = src[y1 * iw + x0] * (1 - lx) + src[y1 * iw + x1] * lx;
              v = static_cast<float>(top * (1 - ly) + bottom * ly);
            } else {
              // Nearest: asymmetric coordinates, floor (ONNX default for nearest, PyTorch 'nearest').
              const auto sy = std::min(static_cast<int64_t>(std::floor(static_cast<double>(oy) * sh)), ih - 1);
              const auto sx = std::min(static_cast<int64_t>(std::floor(static_cast<double>(ox) * sw)), iw - 1);
              v = src[sy * iw + sx];
            }
            y[sz((p * oh + oy) * ow + ox)] = v;
          }
        }
      }
      return Status::Ok();
    }
    case OpKind::kLayerNorm: {
      const int64_t axis = norm_axis(node.attr_int("axis"), in.size());
      const int64_t inner = std::accumulate(in.begin() + axis, in.end(), int64_t{1}, std::multiplies<>());
      const int64_t outer = ir::num_elements(in) / inner;
      const double eps = node.attr_float("epsilon");
      const bool affine = node.attr_int("affine") != 0;
      if (affine && w.gamma.size() != sz(inner)) return node_error(node, "no scale and shift", ErrorCode::kInternal);
      y.resize(x.size());
      for (int64_t o = 0; o < outer; ++o) {
        const float* src = x.data() + o * inner;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < inner; ++i) mean += src[i];
        mean /= static_cast<double>(inner);
        for (int64_t i = 0; i < inner; ++i) var += (src[i] - mean) * (src[i] - mean);
        const double inv = 1.0 / std::sqrt(var / static_cast<double>(inner) + eps);
        for (int64_t i = 0; i < inner; ++i) {
          double v = (src[i] - mean) * inv;
          if (affine) v = v * w.gamma[sz(i)] + w.beta[sz(i)];
          y[sz(o * inner + i)] = static_cast<float>(v);
        }
      }
      return Status::Ok();
    }
    case OpKind::kL2Normalize: {
      const int64_t axis = norm_axis(node.attr_int("axis"), in.size());
      const int64_t len = in[sz(axis)];
      const int64_t inner = std::accumulate(in.begin() + axis + 1, in.end(), int64_t{1}, std::multiplies<>());
      const int64_t outer = ir::num_elements(in) / (len * inner);
      const double eps = node.attr_float("epsilon");
      y.resize(x.size());
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t base = o * len * inner + i;
          double ss = 0;
          for (int64_t t = 0; t < len; ++t)
            ss += static_cast<double>(x[sz(base + t * inner)]) * x[sz(base + t * inner)];
          const double d = std::max(std::sqrt(ss), eps);
          for (int64_t t = 0; t < len; ++t) y[sz(base + t * inner)] = static_cast<float>(x[sz(base + t * inner)] / d);
        }
      }
      return Status::Ok();
    }
    case OpKind::kSlice: {
      const auto axes = ir::get_ints(a, "axes", {});
      const auto starts = ir::get_ints(a, "starts", {});
      const auto steps = ir::get_ints(a, "steps", std::vector<int64_t>(axes.size(), 1));
      std::vector<int64_t> begin(in.size(), 0), step(in.size(), 1);
      for (size_t i = 0; i < axes.size(); ++i) {
        const auto d = sz(norm_axis(axes[i], in.size()));
        begin[d] = starts[i];
        step[d] = steps[i];
      }
      const auto in_strides = strides_of(in);
      std::vector<int64_t> st(in.size());
      int64_t base = 0;
      for (size_t d = 0; d < in.size(); ++d) {
        st[d] = in_strides[d] * step[d];
        base += begin[d] * in_strides[d];
      }
      y.resize(sz(ir::num_elements(out)));
      for_each_broadcast(out, st, std::vector<int64_t>(out.size(), 0),
                         [&](int64_t o, int64_t i, int64_t) { y[sz(o)] = x[sz(base + i)]; });
      return Status::Ok();
    }
    case OpKind::kSoftmax: {
      const int64_t axis = norm_axis(ir::get_int(a, "axis", -1), in.size());
      const int64_t len = in[sz(axis)];
      const int64_t inner = std::accumulate(in.begin() + axis + 1, in.end(), int64_t{1}, std::multiplies<>());
      const int64_t outer = ir::num_elements(in) / (len * inner);
      y.resize(x.size());
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t base = o * len * inner + i;
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t t = 0; t < len; ++t) m = std::max(m, static_cast<double>(x[sz(base + t * inner)]));
          double sum = 0;
          for (int64_t t = 0; t < len; ++t) sum += std::exp(static_cast<double>(x[sz(base + t * inner)]) - m);
          for (int64_t t = 0; t < len; ++t)
            y[sz(base + t * inner)] =
                static_cast<float>(std::exp(static_cast<double>(x[sz(base + t * inner)]) - m) / sum);
        }
      }
      return Status::Ok();
    }
  }
  return node_error(node, "op has no reference kernel", ErrorCode::kInternal);
}

}  // namespace nnlat::backends::reference
