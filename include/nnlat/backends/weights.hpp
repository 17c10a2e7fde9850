// Random but valid weights for an IR graph, shared by every backend that executes a graph
// (the naive reference and XNNPACK), so that their outputs can be compared element by
// element. Weights are produced per node in the IR layout; a backend re-lays them out
// (e.g. OIHW -> OHWI for XNNPACK). The IR stores no weights (docs/ir.md): latency does not
// depend on their values, only on their shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends {

struct NodeWeights {
  // conv2d: [out_channels, in_channels / groups, kernel_h, kernel_w] (OIHW);
  // depthwise_conv2d: [channels * multiplier, 1, kernel_h, kernel_w];
  // fully_connected: [out_features, in_features]. Empty for ops without weights.
  std::vector<float> weight;
  ir::Shape weight_shape;
  // conv2d / depthwise_conv2d / fully_connected: [out] when the node has a bias, else empty.
  std::vector<float> bias;
  // batch_norm: y = (x - mean) / sqrt(var + epsilon) * gamma + beta, per channel (dim 1).
  std::vector<float> gamma, beta, mean, var;
  double epsilon = 1e-5;
};

// Indexed by NodeId.index.
struct GraphWeights {
  std::vector<NodeWeights> nodes;
};

// Weights for every node of a shape-inferred graph. Deterministic in (graph, seed): a node's
// weights depend only on the seed, the node's name and its shapes, never on other nodes.
// Scales follow He initialisation (uniform, variance 2 / fan_in) so that activations stay in
// a sane range through deep networks; batch-norm statistics are drawn around the identity.
Result<GraphWeights> make_weights(const ir::Graph& graph, uint64_t seed);

// Per-channel scale and shift of a batch norm: y = x * scale + shift.
void batch_norm_scale_shift(const NodeWeights& bn, std::vector<float>& scale, std::vector<float>& shift);

// The weight and bias of a conv / depthwise conv / fully-connected layer (IR layout) with a
// following batch norm folded in, as TFLite's converter does: W' = W * scale per output
// channel, b' = b * scale + shift. `bn` null: the layer's own weights; the bias is zeros
// when the layer has none.
void fold_batch_norm(const NodeWeights& layer, const NodeWeights* bn, int64_t out_channels, std::vector<float>& weight,
                     std::vector<float>& bias);

// `count` uniform values in [lo, hi) from a seeded, platform-independent generator (inputs
// for tests and benchmark runs).
std::vector<float> random_uniform(size_t count, uint64_t seed, float lo, float hi);

}  // namespace nnlat::backends
