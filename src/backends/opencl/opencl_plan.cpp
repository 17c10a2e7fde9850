#include "backends/opencl/opencl_plan.hpp"

#include <algorithm>
#include <limits>

#include "nnlat/fusion/fusion.hpp"

namespace nnlat::backends::opencl {
namespace {

using ir::OpKind;

bool is_binary(OpKind op) { return ir::has_trait(op, ir::OpTrait::kBinary); }

// Ops that act per element with no other operand (or per channel: batch norm); they can
// be linked into any kernel's store.
bool is_unary_tail(OpKind op) { return ir::has_trait(op, ir::OpTrait::kElementwise) && !is_binary(op); }

const ir::Shape& shape_of(const ir::Graph& g, ir::ValueId v) { return g.value(v).shape; }

// Why the main op of `node` cannot run, or "" when it can.
std::string main_op_problem(const ir::Graph& g, const ir::Node& node) {
  const ir::Shape& in = shape_of(g, node.inputs[0]);
  const ir::Shape& out = shape_of(g, node.outputs[0]);
  switch (node.op) {
    case OpKind::kConv2d:
    case OpKind::kDepthwiseConv2d:
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
    case OpKind::kResize:
      return in.size() == 4 ? "" : "needs a rank-4 NCHW input";
    case OpKind::kGlobalAvgPool:
    case OpKind::kReduceMean:
      return in.size() <= 4 ? "" : "reductions of tensors of rank > 4 are not implemented";
    case OpKind::kFullyConnected:
      return "";
    case OpKind::kMatMul: {
      const ir::Shape& b = shape_of(g, node.inputs[1]);
      if (in.size() < 2 || b.size() < 2) return "matmul operands need rank >= 2";
      const int64_t batch = ir::num_elements(out) / (out[out.size() - 2] * out.back());
      const int64_t ba = ir::num_elements(in) / (in[in.size() - 2] * in.back());
      const int64_t bb = ir::num_elements(b) / (b[b.size() - 2] * b.back());
      if ((ba != batch && ba != 1) || (bb != batch && bb != 1)) {
        return "matmul batch broadcasting other than all-or-one is not implemented";
      }
      return "";
    }
    case OpKind::kConcat:
    case OpKind::kSplit:
    case OpKind::kSoftmax:
      return "";
    case OpKind::kTranspose:
    case OpKind::kPad:
      return in.size() <= 8 ? "" : "tensors of rank > 8 are not implemented";
    case OpKind::kChannelShuffle:
      return in.size() == 4 ? "" : "needs a rank-4 NCHW input";
    case OpKind::kBatchNorm:
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kClamp:
    case OpKind::kHardSwish:
    case OpKind::kHardSigmoid:
    case OpKind::kSigmoid:
    case OpKind::kSwish:
    case OpKind::kTanh:
    case OpKind::kGelu:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      if (out.size() > 4) return "element-wise ops on tensors of rank > 4 are not implemented";
      if (node.op == OpKind::kBatchNorm && out.size() < 2) return "batch_norm needs a channel axis (rank >= 2)";
      return "";
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kIdentity:
      break;  // elided by the rule set (aliases), never a kernel of their own
    case OpKind::kLayerNorm:
    case OpKind::kL2Normalize:
      return "";
    case OpKind::kSlice:
      return in.size() <= 8 ? "" : "tensors of rank > 8 are not implemented";
  }
  return "no OpenCL kernel for this op";
}

Impl main_impl(const ir::Graph& g, const ir::Node& node) {
  switch (node.op) {
    case OpKind::kConv2d: {
      const ir::Shape& in = shape_of(g, node.inputs[0]);
      auto win = ir::resolve_window(node.attrs, in[2], in[3], false);
      if (!win.ok()) return Impl::kConvDirect;
      const ConvShape c{in[1],
                        shape_of(g, node.outputs[0])[1],
                        win->kernel_h,
                        win->kernel_w,
                        win->stride_h,
                        win->stride_w,
                        win->dilation_h,
                        win->dilation_w,
                        node.attr_int("groups"),
                        win->pad_top,
                        win->pad_left,
                        win->pad_bottom,
                        win->pad_right,
                        win->out_h,
                        win->out_w};
      return choose_conv_impl(c);
    }
    case OpKind::kDepthwiseConv2d:
      return Impl::kDepthwise;
    case OpKind::kFullyConnected: {
      const ir::Shape& in = shape_of(g, node.inputs[0]);
      return choose_fc_impl(ir::num_elements(in) / in.back());
    }
    case OpKind::kMatMul:
      return Impl::kMatMulGemm;
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      return Impl::kPool;
    case OpKind::kGlobalAvgPool:
    case OpKind::kReduceMean:
      return Impl::kReduceMean;
    case OpKind::kConcat:
      return Impl::kConcat;
    case OpKind::kSplit:
      return Impl::kSplit;
    case OpKind::kTranspose:
    case OpKind::kChannelShuffle:
    case OpKind::kSlice:
      return Impl::kPermute;
    case OpKind::kLayerNorm:
      return Impl::kLayerNorm;
    case OpKind::kL2Normalize:
      return Impl::kL2Normalize;
    case OpKind::kPad:
      return Impl::kPad;
    case OpKind::kResize:
      return Impl::kResize;
    case OpKind::kSoftmax:
      return Impl::kSoftmax;
    default:  // element-wise ops and batch norm (main_op_problem decides per op what runs at all)
      return Impl::kElementwise;
  }
}

bool can_fold_bn(OpKind anchor) { return ir::has_trait(anchor, ir::OpTrait::kWeighted); }

std::string node_label(const ir::Node& n) { return n.name + " (" + std::string(ir::op_name(n.op)) + ")"; }

// Starts a kernel at `anchor`; links the chain `rest` while the linked op keeps the chain's
// shape. Returns how many nodes of `rest` were linked.
size_t build_kernel(const ir::Graph& g, ir::NodeId anchor, std::span<const ir::NodeId> rest, Kernel& k,
                    std::vector<std::string>& problems) {
  const ir::Node& a = g.node(anchor);
  k.anchor = anchor;
  k.nodes = {anchor};
  k.impl = main_impl(g, a);
  k.anchor_in_tail = is_unary_tail(a.op);
  k.inputs = a.inputs;
  k.outputs = a.outputs;
  if (std::string p = main_op_problem(g, a); !p.empty()) problems.push_back(node_label(a) + ": " + p);
  if (k.anchor_in_tail) k.tail.push_back({anchor, std::nullopt, true, false});
  size_t linked = 0;
  for (ir::NodeId id : rest) {
    const ir::Node& n = g.node(id);
    const ir::ValueId chain = k.outputs[0];
    if (shape_of(g, n.outputs[0]) != shape_of(g, chain)) break;  // broadcasts the chain: own kernel
    if (shape_of(g, chain).size() > 4) break;                    // tail coordinates are 4-D
    if (n.attrs.contains("operand")) break;                      // a constant tensor operand: a kernel of its own
    TailOp t{id, std::nullopt, true, false};
    if (is_binary(n.op) && n.inputs.size() == 2) {
      t.both_chain = n.inputs[0] == chain && n.inputs[1] == chain;
      t.chain_is_first = n.inputs[0] == chain;
      if (!t.both_chain) t.operand = t.chain_is_first ? n.inputs[1] : n.inputs[0];
    }
    if (n.op == OpKind::kBatchNorm && shape_of(g, chain).size() < 2) break;
    if (linked == 0 && n.op == OpKind::kBatchNorm && can_fold_bn(a.op)) {
      k.folded_bn = id;
    } else {
      k.tail.push_back(t);
    }
    k.nodes.push_back(id);
    k.outputs = n.outputs;
    ++linked;
  }
  for (size_t i = 0; i < k.nodes.size(); ++i) k.name += (i ? "+" : "") + g.node(k.nodes[i]).name;
  return linked;
}

}  // namespace

const char* impl_name(Impl impl) {
  switch (impl) {
    case Impl::kConvDirect:
      return "conv2d_direct";
    case Impl::kConv1x1Gemm:
      return "conv2d_1x1_gemm";
    case Impl::kConvWinograd:
      return "conv2d_winograd4x4";
    case Impl::kDepthwise:
      return "depthwise_conv2d";
    case Impl::kFcGemm:
      return "fully_connected_gemm";
    case Impl::kFcGemv:
      return "fully_connected_gemv";
    case Impl::kMatMulGemm:
      return "matmul_gemm";
    case Impl::kPool:
      return "pool2d";
    case Impl::kReduceMean:
      return "reduce_mean";
    case Impl::kElementwise:
      return "elementwise";
    case Impl::kConcat:
      return "concat_copy";
    case Impl::kSplit:
      return "split_copy";
    case Impl::kPermute:
      return "permute";
    case Impl::kPad:
      return "pad";
    case Impl::kResize:
      return "resize";
    case Impl::kSoftmax:
      return "softmax";
    case Impl::kLayerNorm:
      return "layer_norm";
    case Impl::kL2Normalize:
      return "l2_normalize";
  }
  return "unknown";
}

Impl choose_conv_impl(const ConvShape& c) {
  // 1x1 without stride or padding is a plain matrix product over the pixels.
  if (c.kernel_h == 1 && c.kernel_w == 1 && c.stride_h == 1 && c.stride_w == 1 && c.groups == 1 && c.pad_top == 0 &&
      c.pad_left == 0 && c.pad_bottom == 0 && c.pad_right == 0) {
    return Impl::kConv1x1Gemm;
  }
  // Winograd F(4x4,3x3) trades 2.25x fewer multiplications for input/output transforms and
  // 36/9 = 4x more intermediate memory: it pays only with enough channels (the batched
  // product dominates) and enough 4x4 tiles (the three launches are amortised). TFLite's GPU
  // delegate applies the same kind of test; the thresholds here are nnlat's own.
  const int64_t tiles = ((c.out_h + 3) / 4) * ((c.out_w + 3) / 4);
  if (c.kernel_h == 3 && c.kernel_w == 3 && c.stride_h == 1 && c.stride_w == 1 && c.dilation_h == 1 &&
      c.dilation_w == 1 && c.groups == 1 && c.in_channels >= kWinogradMinChannels &&
      c.out_channels >= kWinogradMinChannels && tiles >= kWinogradMinTiles) {
    return Impl::kConvWinograd;
  }
  return Impl::kConvDirect;
}

Impl choose_fc_impl(int64_t rows) { return rows < kGemmMinRows ? Impl::kFcGemv : Impl::kFcGemm; }

Result<Plan> make_plan(const ir::Graph& graph, const RunConfig& config) {
  std::vector<std::string> problems;
  if (config.precision == Precision::kInt8) {
    return make_error(ErrorCode::kUnsupported, "opencl: int8 is not implemented (float32 and float16 storage are)");
  }
  NNLAT_ASSIGN_OR_RETURN(fusion::RuleSet rules, fusion::load_rule_set("tflite-gpu"));
  NNLAT_ASSIGN_OR_RETURN(std::vector<fusion::Kernel> detected, fusion::detect_kernels(graph, rules));
  Plan plan;
  plan.half_storage = config.precision == Precision::kFloat16;
  plan.storage.resize(graph.values().size());
  for (size_t i = 0; i < plan.storage.size(); ++i) plan.storage[i] = ir::ValueId{static_cast<uint32_t>(i)};
  // Elided ops (reshape, flatten, identity) keep the element order in NCHW: aliases.
  NNLAT_ASSIGN_OR_RETURN(std::vector<ir::NodeId> order, graph.topological_order());
  for (ir::NodeId id : order) {
    const ir::Node& n = graph.node(id);
    if (std::find(rules.elide.begin(), rules.elide.end(), n.op) != rules.elide.end()) {
      plan.storage[n.outputs[0].index] = plan.storage[n.inputs[0].index];
    }
  }
  for (const auto& dk : detected) {
    std::span<const ir::NodeId> nodes(dk.nodes);
    const size_t first = plan.kernels.size();
    while (!nodes.empty()) {
      Kernel k;
      k.detected = plan.detected.size();
      const size_t linked = build_kernel(graph, nodes[0], nodes.subspan(1), k, problems);
      nodes = nodes.subspan(1 + linked);
      plan.kernels.push_back(std::move(k));
    }
    DetectedKernel reported;
    for (size_t i = 0; i < dk.nodes.size(); ++i) reported.name += (i ? "+" : "") + graph.node(dk.nodes[i]).name;
    reported.impl = plan.kernels[first].impl;
    plan.detected.push_back(std::move(reported));
  }
  for (const auto& v : graph.values()) {
    if (v.dtype != ir::DType::kFloat32) {
      problems.push_back("value " + v.name + ": only float32 tensors are implemented");
      break;
    }
    // Kernels index with 32-bit ints (what GPU drivers handle fastest).
    if (ir::num_elements(v.shape) > std::numeric_limits<int32_t>::max()) {
      problems.push_back("value " + v.name + ": more than 2^31 - 1 elements");
    }
  }
  if (!problems.empty()) {
    std::string msg = "opencl cannot run " + std::to_string(problems.size()) + " node(s):";
    for (const auto& p : problems) msg += "\n  " + p;
    return make_error(ErrorCode::kUnsupported, msg);
  }
  return plan;
}

}  // namespace nnlat::backends::opencl
