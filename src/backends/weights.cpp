#include "nnlat/backends/weights.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nnlat/core/hash.hpp"

namespace nnlat::backends {
namespace {

// SplitMix64: tiny, fast and identical on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi) with 24 random bits.
  float uniform(float lo, float hi) {
    const float u = static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
    return lo + (hi - lo) * u;
  }

 private:
  uint64_t state_;
};

void fill(std::vector<float>& out, size_t n, Rng& rng, float lo, float hi) {
  out.resize(n);
  for (auto& v : out) v = rng.uniform(lo, hi);
}

Error node_error(const ir::Node& node, const std::string& message) {
  return make_error(ErrorCode::kShapeError,
                    "node " + node.name + " (" + std::string(ir::op_name(node.op)) + "): " + message);
}

}  // namespace

std::vector<float> random_uniform(size_t count, uint64_t seed, float lo, float hi) {
  Rng rng(seed ^ 0x5DEECE66DULL);
  std::vector<float> out;
  fill(out, count, rng, lo, hi);
  return out;
}

void batch_norm_scale_shift(const NodeWeights& bn, std::vector<float>& scale, std::vector<float>& shift) {
  const size_t c = bn.gamma.size();
  scale.resize(c);
  shift.resize(c);
  for (size_t i = 0; i < c; ++i) {
    const double s = static_cast<double>(bn.gamma[i]) / std::sqrt(static_cast<double>(bn.var[i]) + bn.epsilon);
    scale[i] = static_cast<float>(s);
    shift[i] = static_cast<float>(static_cast<double>(bn.beta[i]) - static_cast<double>(bn.mean[i]) * s);
  }
}

void fold_batch_norm(const NodeWeights& layer, const NodeWeights* bn, int64_t out_channels, std::vector<float>& weight,
                     std::vector<float>& bias) {
  const auto outs = static_cast<size_t>(out_channels);
  weight = layer.weight;
  bias = layer.bias.empty() ? std::vector<float>(outs, 0.0f) : layer.bias;
  if (!bn) return;
  std::vector<float> scale, shift;
  batch_norm_scale_shift(*bn, scale, shift);
  const size_t per_out = weight.size() / outs;
  for (size_t o = 0; o < outs; ++o) {
    for (size_t i = 0; i < per_out; ++i) weight[o * per_out + i] *= scale[o];
    bias[o] = bias[o] * scale[o] + shift[o];
  }
}

Result<GraphWeights> make_weights(const ir::Graph& graph, uint64_t seed) {
  GraphWeights weights;
  weights.nodes.resize(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const ir::Node& node = graph.nodes()[i];
    NodeWeights& w = weights.nodes[i];
    if (node.inputs.empty() || node.outputs.empty()) continue;
    const ir::Shape& in = graph.value(node.inputs[0]).shape;
    const ir::Shape& out = graph.value(node.outputs[0]).shape;
    Rng rng(seed * 0x2545F4914F6CDD1DULL + fnv1a64(node.name));
    auto he = [&](int64_t fan_in) { return static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in))); };
    switch (node.op) {
      case ir::OpKind::kConv2d: {
        if (in.size() != 4 || out.size() != 4) return node_error(node, "expects rank-4 input and output");
        const auto kernel = ir::get_ints(node.attrs, "kernel", {1, 1});
        const int64_t kh = kernel[0];
        const int64_t kw = kernel.size() > 1 ? kernel[1] : kernel[0];
        const int64_t groups = node.attr_int("groups");
        const int64_t cout = out[1];
        const int64_t cin_g = in[1] / groups;
        w.weight_shape = {cout, cin_g, kh, kw};
        const float b = he(cin_g * kh * kw);
        fill(w.weight, static_cast<size_t>(ir::num_elements(w.weight_shape)), rng, -b, b);
        if (node.attr_int("bias") != 0) fill(w.bias, static_cast<size_t>(cout), rng, -0.1f, 0.1f);
        break;
      }
      case ir::OpKind::kDepthwiseConv2d: {
        if (in.size() != 4 || out.size() != 4) return node_error(node, "expects rank-4 input and output");
        const auto kernel = ir::get_ints(node.attrs, "kernel", {1, 1});
        const int64_t kh = kernel[0];
        const int64_t kw = kernel.size() > 1 ? kernel[1] : kernel[0];
        const int64_t cout = out[1];
        w.weight_shape = {cout, 1, kh, kw};
        const float b = he(kh * kw);
        fill(w.weight, static_cast<size_t>(ir::num_elements(w.weight_shape)), rng, -b, b);
        if (node.attr_int("bias") != 0) fill(w.bias, static_cast<size_t>(cout), rng, -0.1f, 0.1f);
        break;
      }
      case ir::OpKind::kFullyConnected: {
        if (in.empty()) return node_error(node, "expects an input of rank >= 1");
        const int64_t k = in.back();
        const int64_t n = out.back();
        w.weight_shape = {n, k};
        const float b = he(k);
        fill(w.weight, static_cast<size_t>(n * k), rng, -b, b);
        if (node.attr_int("bias") != 0) fill(w.bias, static_cast<size_t>(n), rng, -0.1f, 0.1f);
        break;
      }
      case ir::OpKind::kBatchNorm: {
        if (in.size() < 2) return node_error(node, "expects a channel dimension");
        const auto c = static_cast<size_t>(in[1]);
        fill(w.gamma, c, rng, 0.5f, 1.5f);
        fill(w.beta, c, rng, -0.1f, 0.1f);
        fill(w.mean, c, rng, -0.1f, 0.1f);
        fill(w.var, c, rng, 0.5f, 1.5f);
        w.epsilon = node.attr_float("epsilon");
        break;
      }
      case ir::OpKind::kLayerNorm: {
        if (node.attr_int("affine") == 0) break;
        const int64_t r = static_cast<int64_t>(in.size());
        int64_t axis = node.attr_int("axis");
        if (axis < 0) axis += r;
        int64_t inner = 1;
        for (int64_t d = std::clamp<int64_t>(axis, 0, r); d < r; ++d) inner *= in[static_cast<size_t>(d)];
        fill(w.gamma, static_cast<size_t>(inner), rng, 0.5f, 1.5f);
        fill(w.beta, static_cast<size_t>(inner), rng, -0.1f, 0.1f);
        w.epsilon = node.attr_float("epsilon");
        break;
      }
      case ir::OpKind::kAdd:
      case ir::OpKind::kSub:
      case ir::OpKind::kMul:
      case ir::OpKind::kDiv:
      case ir::OpKind::kConcat:
        // A constant tensor operand (position embedding, layer scale, class token): its values.
        if (node.attrs.contains("operand")) {
          w.weight_shape = ir::get_ints(node.attrs, "operand", {});
          fill(w.weight, static_cast<size_t>(ir::num_elements(w.weight_shape)), rng, 0.5f, 1.5f);
        }
        break;
      default:
        // Every other op has no parameters; one that the op table calls weighted needs a rule above.
        if (ir::has_trait(node.op, ir::OpTrait::kWeighted)) return node_error(node, "has no weight rule");
        break;
    }
  }
  return weights;
}

}  // namespace nnlat::backends
