#include "backends/xnnpack/xnnpack_quant.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "backends/reference/reference_backend.hpp"

namespace nnlat::backends::xnnpack {
namespace {

// Ops whose output must keep the input's quantisation parameters in XNNPACK's QS8 nodes.
bool keeps_params(ir::OpKind op) {
  using ir::OpKind;
  constexpr ir::OpSet kKeepsParams{OpKind::kConcat,  OpKind::kSplit,     OpKind::kChannelShuffle,
                                   OpKind::kReshape, OpKind::kFlatten,   OpKind::kIdentity,
                                   OpKind::kPad,     OpKind::kMaxPool2d, OpKind::kResize,
                                   OpKind::kRelu,    OpKind::kRelu6,     OpKind::kClamp};
  return kKeepsParams.contains(op);
}

struct UnionFind {
  std::vector<uint32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  uint32_t find(uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(uint32_t a, uint32_t b) { parent[find(a)] = find(b); }
};

}  // namespace

QuantParams params_for_range(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  if (!(hi - lo > 1e-6f)) {  // an all-zero tensor: any sane range
    lo = -1.0f;
    hi = 1.0f;
  }
  QuantParams q;
  q.scale = (hi - lo) / 255.0f;
  const double zp = std::round(-128.0 - static_cast<double>(lo) / q.scale);
  q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

std::vector<std::vector<float>> calibration_inputs(const ir::Graph& graph, uint64_t seed) {
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const auto n = static_cast<size_t>(ir::num_elements(graph.value(graph.inputs()[i]).shape));
    inputs.push_back(random_uniform(n, seed * 31 + 17 + i, -1.0f, 1.0f));
  }
  return inputs;
}

Result<std::vector<QuantParams>> calibrate(const ir::Graph& graph, const GraphWeights& weights, const Plan& plan,
                                           uint64_t seed) {
  NNLAT_ASSIGN_OR_RETURN(auto values, reference::evaluate_values(graph, weights, calibration_inputs(graph, seed)));
  const size_t n = graph.values().size();
  std::vector<float> lo(n, 0.0f), hi(n, 0.0f);
  for (size_t v = 0; v < n; ++v) {
    for (float x : values[v]) {
      lo[v] = std::min(lo[v], x);
      hi[v] = std::max(hi[v], x);
    }
  }
  UnionFind groups(n);
  for (const Kernel& k : plan.kernels) {
    if (!keeps_params(graph.node(k.node).op)) continue;
    for (ir::ValueId v : k.inputs) groups.join(v.index, k.outputs[0].index);
    for (ir::ValueId v : k.outputs) groups.join(v.index, k.outputs[0].index);
  }
  std::vector<float> group_lo(n, 0.0f), group_hi(n, 0.0f);
  for (uint32_t v = 0; v < n; ++v) {
    const uint32_t r = groups.find(v);
    group_lo[r] = std::min(group_lo[r], lo[v]);
    group_hi[r] = std::max(group_hi[r], hi[v]);
  }
  std::vector<QuantParams> params(n);
  for (uint32_t v = 0; v < n; ++v) {
    const uint32_t r = groups.find(v);
    params[v] = params_for_range(group_lo[r], group_hi[r]);
  }
  return params;
}

}  // namespace nnlat::backends::xnnpack
