#include "backends/xnnpack/xnnpack_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "backends/xnnpack/xnnpack_host_step.hpp"

namespace nnlat::backends::xnnpack {
namespace {

using ir::NodeId;
using ir::OpKind;
using ir::Shape;
using ir::ValueId;

constexpr size_t kMaxRank = 6;  // XNN_MAX_TENSOR_DIMS of this build

struct Uses {
  std::vector<std::vector<NodeId>> consumers;  // by value index
  std::vector<bool> is_output;                 // by value index
};

Uses find_uses(const ir::Graph& g) {
  Uses u;
  u.consumers.resize(g.values().size());
  u.is_output.assign(g.values().size(), false);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    for (ValueId v : g.nodes()[i].inputs) u.consumers[v.index].push_back(NodeId{static_cast<uint32_t>(i)});
  }
  for (ValueId v : g.outputs()) u.is_output[v.index] = true;
  return u;
}

// The single consumer of `v` when it has exactly one and is not a graph output.
std::optional<NodeId> sole_consumer(const Uses& u, ValueId v) {
  if (u.is_output[v.index] || u.consumers[v.index].size() != 1) return std::nullopt;
  return u.consumers[v.index][0];
}

bool is_clamp_like(OpKind op) { return op == OpKind::kRelu || op == OpKind::kRelu6 || op == OpKind::kClamp; }

// Ops whose XNNPACK node takes an output range (TFLite: a fused activation function).
bool takes_output_range(OpKind op) {
  constexpr ir::OpSet kTakesOutputRange{
      OpKind::kConv2d, OpKind::kDepthwiseConv2d, OpKind::kFullyConnected, OpKind::kAdd, OpKind::kSub, OpKind::kMul,
      OpKind::kDiv,    OpKind::kMaxPool2d,       OpKind::kAvgPool2d};
  return kTakesOutputRange.contains(op);
}

std::pair<float, float> clamp_range(const ir::Node& n) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  switch (n.op) {
    case OpKind::kRelu:
      return {0.0f, inf};
    case OpKind::kRelu6:
      return {0.0f, 6.0f};
    default:
      return {static_cast<float>(ir::get_float(n.attrs, "min", -inf)),
              static_cast<float>(ir::get_float(n.attrs, "max", inf))};
  }
}

// A flatten / reshape of a rank-4 tensor to [N, C*H*W]: runs as a reshape of the NHWC
// tensor when every consumer is a fully_connected whose weights can absorb the order change.
bool is_nhwc_flatten_for_fc(const ir::Graph& g, const Uses& u, const ir::Node& n) {
  if (n.op != OpKind::kFlatten && n.op != OpKind::kReshape) return false;
  const Shape& in = g.value(n.inputs[0]).shape;
  const Shape& out = g.value(n.outputs[0]).shape;
  if (in.size() != 4 || out.size() != 2 || out[0] != in[0] || out[1] != in[1] * in[2] * in[3]) return false;
  const ValueId v = n.outputs[0];
  if (u.is_output[v.index] || u.consumers[v.index].empty()) return false;
  return std::all_of(u.consumers[v.index].begin(), u.consumers[v.index].end(), [&](NodeId c) {
    const ir::Node& fc = g.node(c);
    return fc.op == OpKind::kFullyConnected && fc.inputs[0] == v;
  });
}

// Why XNNPACK cannot run `n` (empty: it can).
std::string unsupported_reason(const ir::Graph& g, const Uses& u, const ir::Node& n) {
  for (ValueId v : n.inputs) {
    if (g.value(v).shape.empty() || g.value(v).shape.size() > kMaxRank) {
      return "tensor " + g.value(v).name + " has rank " + std::to_string(g.value(v).shape.size()) +
             " (XNNPACK handles ranks 1 to 6)";
    }
  }
  const Shape& in = g.value(n.inputs[0]).shape;
  const Shape& out = g.value(n.outputs[0]).shape;
  switch (n.op) {
    case OpKind::kConv2d:
    case OpKind::kDepthwiseConv2d:
    case OpKind::kSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kSwish:
    case OpKind::kHardSigmoid:
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kGlobalAvgPool:
    case OpKind::kConcat:
      if (n.attrs.contains("operand")) return "nnlat's XNNPACK backend has no concat with a constant operand";
      return "";
    case OpKind::kSplit:
    case OpKind::kIdentity:
      return "";
    case OpKind::kClamp: {
      const auto [lo, hi] = clamp_range(n);
      return lo <= hi ? "" : "clamp min > max";
    }
    case OpKind::kChannelShuffle:
      return in.size() == 4 ? "" : "channel_shuffle needs a rank-4 tensor";
    case OpKind::kFullyConnected:
      if (in.size() == 4) {
        return "fully_connected on a rank-4 NCHW tensor acts on W, which is not the innermost NHWC dimension";
      }
      return "";
    case OpKind::kMatMul:
      return "XNNPACK 2022-02 has no batch matrix multiply of two activations";
    case OpKind::kLayerNorm:
      return "XNNPACK 2022-02 has no layer normalization node";
    case OpKind::kSlice:
      return "XNNPACK 2022-02 has no slice in its subgraph API (nor a strided copy operator)";
    case OpKind::kL2Normalize:
      return "XNNPACK 2022-02 has no l2 normalization node";
    case OpKind::kTanh:
      return "XNNPACK 2022-02 has no float tanh";
    case OpKind::kGelu:
      return "XNNPACK 2022-02 has no gelu (nor the erf / tanh to build it)";
    case OpKind::kTranspose:
      return "XNNPACK 2022-02 has no transpose (neither in the subgraph nor in the operator API)";
    case OpKind::kBatchNorm:
      return (in.size() == 4 || in.size() == 2) ? ""
                                                : "a batch norm that follows no conv / fc runs only on rank-2 or "
                                                  "rank-4 tensors";
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d: {
      const auto kernel = ir::get_ints(n.attrs, "kernel", {1, 1});
      const bool one = kernel[0] == 1 && (kernel.size() < 2 || kernel[1] == 1);
      if (one) {
        auto win = ir::resolve_window(n.attrs, in[2], in[3], n.attr_int("ceil_mode") != 0);
        if (!win.ok()) return win.error().message;
        if (win->pad_top || win->pad_left || win->pad_bottom || win->pad_right) {
          return "1x1 pooling with padding (XNNPACK rejects 1x1 pooling windows)";
        }
      }
      return "";
    }
    case OpKind::kReduceMean: {
      std::set<int64_t> axes;
      for (int64_t a : ir::get_ints(n.attrs, "axes", {})) axes.insert(a < 0 ? a + static_cast<int64_t>(in.size()) : a);
      if (in.size() == 4 && axes == std::set<int64_t>{2, 3}) return "";
      return "reduce_mean runs only over H and W of a rank-4 tensor (as global average pooling)";
    }
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv: {
      if (n.attrs.contains("operand")) {
        return "nnlat's XNNPACK backend has no " + std::string(ir::op_name(n.op)) + " with a constant tensor operand";
      }
      if (n.inputs.size() == 1) return "";
      for (ValueId v : n.inputs) {
        const Shape& s = g.value(v).shape;
        if (out.size() == 4 && s.size() < 4) {
          Shape padded(4 - s.size(), 1);
          padded.insert(padded.end(), s.begin(), s.end());
          if (!layout_neutral(padded)) {
            return "operand " + g.value(v).name + " of rank " + std::to_string(s.size()) +
                   " broadcasts against NCHW in an order NHWC cannot express without a transpose";
          }
        }
      }
      return "";
    }
    case OpKind::kReshape:
    case OpKind::kFlatten:
      if (in == out || (layout_neutral(in) && layout_neutral(out)) || is_nhwc_flatten_for_fc(g, u, n)) return "";
      return "reshape " + ir::shape_to_string(in) + " -> " + ir::shape_to_string(out) +
             " changes the element order between NCHW and NHWC and would need a transpose";
    case OpKind::kPad:
      if (ir::get_string(n.attrs, "mode", "constant") != "constant") {
        return "pad mode '" + ir::get_string(n.attrs, "mode", "constant") + "' (XNNPACK 2022-02 pads with a constant)";
      }
      for (int64_t p : ir::get_ints(n.attrs, "pads", {})) {
        if (p < 0) return "negative pads (cropping)";
      }
      return "";
    case OpKind::kResize:
      if (ir::get_string(n.attrs, "mode", "nearest") != "bilinear") {
        return "nearest-neighbour resize (XNNPACK 2022-02 has bilinear only)";
      }
      return "";
    case OpKind::kSoftmax: {
      int64_t axis = ir::get_int(n.attrs, "axis", -1);
      if (axis < 0) axis += static_cast<int64_t>(in.size());
      if (physical_axis(static_cast<size_t>(axis), in.size()) == in.size() - 1) return "";
      return "softmax over an axis that is not the innermost NHWC dimension";
    }
  }
  return "op unknown to the XNNPACK backend";
}

// Why XNNPACK 2022-02 cannot run `n` in QS8 (empty: it can). Probed against the library:
// these node types are rejected (or have no qs8 operator) for signed 8-bit tensors.
std::string int8_unsupported_reason(const ir::Node& n) {
  constexpr ir::OpSet kNoInt8{OpKind::kHardSwish,   OpKind::kSigmoid, OpKind::kSwish,
                              OpKind::kHardSigmoid, OpKind::kSoftmax, OpKind::kDiv};
  if (n.op == OpKind::kAvgPool2d) return "XNNPACK 2022-02 has no int8 (QS8) average pooling";
  if (kNoInt8.contains(n.op)) return "XNNPACK 2022-02 has no int8 (QS8) " + std::string(ir::op_name(n.op));
  return "";
}

}  // namespace

Shape physical_shape(const Shape& s) {
  if (s.size() != 4) return s;
  return {s[0], s[2], s[3], s[1]};
}

size_t physical_axis(size_t axis, size_t rank) {
  if (rank != 4) return axis;
  static constexpr size_t kMap[] = {0, 3, 1, 2};
  return kMap[axis];
}

bool layout_neutral(const Shape& s) { return s.size() != 4 || s[1] == 1 || s[2] * s[3] == 1; }

namespace {
// Copies a rank-4 tensor between NCHW and NHWC (`to_nhwc` says which way); other ranks as is.
void relayout(const Shape& s, const float* src, float* dst, bool to_nhwc) {
  if (s.size() != 4) {
    std::copy_n(src, static_cast<size_t>(ir::num_elements(s)), dst);
    return;
  }
  const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < hw; ++p) {
        const auto nchw = static_cast<size_t>((b * c + ch) * hw + p), nhwc = static_cast<size_t>((b * hw + p) * c + ch);
        if (to_nhwc) {
          dst[nhwc] = src[nchw];
        } else {
          dst[nchw] = src[nhwc];
        }
      }
}
}  // namespace

void to_physical(const Shape& s, const float* src, float* dst) { relayout(s, src, dst, true); }
void from_physical(const Shape& s, const float* src, float* dst) { relayout(s, src, dst, false); }

Result<Plan> make_plan(const ir::Graph& g, const RunConfig& config) {
  if (config.precision == Precision::kFloat16) {
    // XNN_FLAG_FORCE_FP16_INFERENCE exists in this build, but its fp16 rewrite rejects
    // sigmoid, average pooling, subtract, softmax, static operands and fully connected, and
    // aborts the process (a failed assert) on hardswish and on some graph outputs: not offered.
    return make_error(ErrorCode::kUnsupported,
                      "xnnpack: float16 is not offered: the fp16 path of XNNPACK 2022-02 rejects common ops "
                      "(sigmoid, average pooling, fully connected, ...) and aborts on others (hardswish)");
  }
  if (config.threads < 1) return make_error(ErrorCode::kInvalidArgument, "xnnpack: threads must be at least 1");
  const Uses uses = find_uses(g);
  NNLAT_ASSIGN_OR_RETURN(auto order, g.topological_order());

  // A node XNNPACK has no node for runs as a host step when the host can run it (float32);
  // otherwise it is a problem, reported with every other one.
  std::vector<std::string> problems;
  std::vector<bool> on_host(g.nodes().size(), false);
  for (NodeId id : order) {
    const ir::Node& n = g.node(id);
    std::string why = unsupported_reason(g, uses, n);
    if (!why.empty() && host_step_reason(g, n).empty()) {
      if (config.precision == Precision::kFloat32) {
        on_host[id.index] = true;
        continue;
      }
      why += " (the host steps that run it in float32 have no int8 kernels)";
    }
    if (why.empty() && config.precision == Precision::kInt8) why = int8_unsupported_reason(n);
    if (!why.empty()) problems.push_back("node " + n.name + " (" + std::string(ir::op_name(n.op)) + "): " + why);
  }
  if (!problems.empty()) {
    std::string msg = "xnnpack cannot run " + std::to_string(problems.size()) + " node(s) of graph " + g.name + ":";
    for (const auto& p : problems) msg += "\n  " + p;
    return make_error(ErrorCode::kUnsupported, msg);
  }

  // Values produced by a flatten that runs as an NHWC reshape feeding fully_connected.
  std::map<uint32_t, std::array<int64_t, 3>> nhwc_flattened;
  for (const ir::Node& n : g.nodes()) {
    const Shape& in = g.value(n.inputs[0]).shape;
    if (!layout_neutral(in) && is_nhwc_flatten_for_fc(g, uses, n)) {
      nhwc_flattened[n.outputs[0].index] = {in[1], in[2], in[3]};
    }
  }

  Plan plan;
  std::vector<bool> absorbed(g.nodes().size(), false);
  for (NodeId id : order) {
    if (absorbed[id.index]) continue;
    const ir::Node& n = g.node(id);
    Kernel k;
    k.node = id;
    k.name = n.name;
    k.inputs = n.inputs;
    k.outputs = n.outputs;
    // Concat, split and channel shuffle have no subgraph node in XNNPACK 2022-02: they run as
    // operator-API copy steps between subgraph segments; every other op is a subgraph node
    // (its per-op decision is SubgraphEmitter::emit's switch).
    k.step = on_host[id.index]                 ? Step::kHost
             : n.op == OpKind::kConcat         ? Step::kConcat
             : n.op == OpKind::kSplit          ? Step::kSplit
             : n.op == OpKind::kChannelShuffle ? Step::kChannelShuffle
                                               : Step::kSubgraph;
    if (k.step == Step::kHost) {  // the host runs the node alone: nothing folded or fused
      plan.kernels.push_back(std::move(k));
      continue;
    }
    if (n.op == OpKind::kFullyConnected) {
      if (auto it = nhwc_flattened.find(n.inputs[0].index); it != nhwc_flattened.end()) k.fc_input_chw = it->second;
    }
    // Batch norm folding (TFLite's converter folds it into the conv weights and bias).
    const bool foldable = n.op == OpKind::kConv2d || n.op == OpKind::kDepthwiseConv2d ||
                          (n.op == OpKind::kFullyConnected && g.value(n.outputs[0]).shape.size() == 2);
    if (foldable) {
      if (auto c = sole_consumer(uses, k.outputs[0]); c && g.node(*c).op == OpKind::kBatchNorm) {
        k.bn = *c;
        absorbed[c->index] = true;
        k.outputs = g.node(*c).outputs;
        k.name += "+" + g.node(*c).name;
      }
    }
    // Activation fusion into the output range (TFLite's fused_activation_function).
    if (takes_output_range(n.op)) {
      if (auto c = sole_consumer(uses, k.outputs[0]); c && is_clamp_like(g.node(*c).op)) {
        k.act = *c;
        absorbed[c->index] = true;
        std::tie(k.out_min, k.out_max) = clamp_range(g.node(*c));
        k.outputs = g.node(*c).outputs;
        k.name += "+" + g.node(*c).name;
      }
    }
    plan.kernels.push_back(std::move(k));
  }
  return plan;
}

}  // namespace nnlat::backends::xnnpack
