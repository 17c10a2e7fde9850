// Lowering plan of the OpenCL backend, a pure function of the graph (shared by supports()
// and prepare()): the kernels of the `tflite-gpu` rule set, the implementation chosen for
// each (the selection policy, docs/gpu.md), the element-wise tail linked into each, which
// values are aliases of others (elided reshapes), and every node that cannot run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends::opencl {

enum class Impl {
  kConvDirect,    // any conv2d: one work-item per output pixel and block of output channels
  kConv1x1Gemm,   // 1x1, stride 1, no padding, one group: a tiled matrix product
  kConvWinograd,  // 3x3, stride 1, no dilation, one group, enough channels and tiles
  kDepthwise,     // depthwise_conv2d (any multiplier)
  kFcGemm,        // fully_connected as a tiled matrix product (many rows)
  kFcGemv,        // fully_connected with few rows (batch-1 classifiers): matrix-vector
  kMatMulGemm,    // matmul of two activations (batched tiled matrix product)
  kPool,          // max / average pooling
  kReduceMean,    // global average pool, reduce_mean (any axes of a rank <= 4 tensor)
  kElementwise,   // add/sub/mul/div (tensor or scalar) or a lone unary op / batch norm
  kConcat,        // one copy launch per input into its slice of the output
  kSplit,         // one copy launch per output
  kPermute,       // transpose, channel shuffle, slice (a strided gather)
  kPad,           // constant / edge / reflect padding
  kResize,        // bilinear / nearest
  kSoftmax,       // softmax over any axis
  kLayerNorm,     // layer norm over the trailing axes, optional scale and shift
  kL2Normalize,   // x / max(||x||, eps) along any axis
};

// "conv2d_winograd4x4", "conv2d_1x1_gemm", ... (recorded per kernel in measurements).
const char* impl_name(Impl impl);

// The selection policy for conv2d (docs/gpu.md), a pure function of the layer's shape.
struct ConvShape {
  int64_t in_channels, out_channels, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, groups;
  int64_t pad_top, pad_left, pad_bottom, pad_right, out_h, out_w;
};
Impl choose_conv_impl(const ConvShape& conv);
// fully_connected over `rows` input rows: below kGemmMinRows a matrix-vector kernel (a
// 16x16 tile would leave 15 of 16 columns idle), else the tiled product.
inline constexpr int64_t kGemmMinRows = 8;
Impl choose_fc_impl(int64_t rows);
// Winograd thresholds (both channel counts, and 4x4 output tiles per image).
inline constexpr int64_t kWinogradMinChannels = 16;
inline constexpr int64_t kWinogradMinTiles = 16;

// One op linked into a kernel's output (applied per element in registers before the store).
struct TailOp {
  ir::NodeId node;
  // add/sub/mul/div: the other operand (a tensor of the graph); none for the scalar form or
  // when both operands are the chain value (x * x).
  std::optional<ir::ValueId> operand;
  bool chain_is_first = true;  // v op other (true) or other op v (false)
  bool both_chain = false;     // x op x
};

// One OpenCL kernel: a main op and its linked tail (one or more launches).
struct Kernel {
  std::string name;               // IR node names joined by '+'
  std::vector<ir::NodeId> nodes;  // as the rule set grouped them (after broadcasting cuts)
  size_t detected = 0;            // the rule set's kernel it implements (Plan::detected)
  ir::NodeId anchor;
  Impl impl = Impl::kElementwise;
  // The anchor is a unary op or batch norm: the main op is a copy and the anchor is the
  // first tail op.
  bool anchor_in_tail = false;
  std::optional<ir::NodeId> folded_bn;  // batch norm folded into the conv / fc weights
  std::vector<TailOp> tail;
  std::vector<ir::ValueId> inputs;   // values the main op reads (anchor inputs)
  std::vector<ir::ValueId> outputs;  // values written (the last node's outputs)
};

// A kernel of the `tflite-gpu` rule set as the backend reports it: per-kernel names,
// implementations, launches and times are per detected kernel, so that they line up with
// the rule file's kernel list (what predictors train on). One planned Kernel implements
// it, or two when a linked op broadcasts the chain (the squeeze-excite gate's multiply).
struct DetectedKernel {
  std::string name;                // all its IR node names joined by '+'
  Impl impl = Impl::kElementwise;  // its first planned kernel's (the anchor's) implementation
};

struct Plan {
  std::vector<Kernel> kernels;  // execution order
  std::vector<DetectedKernel> detected;
  // storage[v.index]: the value whose buffer holds v (itself unless v is the output of an
  // elided reshape / flatten / identity).
  std::vector<ir::ValueId> storage;
  // RunConfig precision kFloat16: activations stored as half (2 bytes), weights and
  // arithmetic float, like a GPU delegate's fp16 storage mode.
  bool half_storage = false;
};

// Ok with the plan, or kUnsupported listing every node that cannot run (name, op, reason).
Result<Plan> make_plan(const ir::Graph& graph, const RunConfig& config);

}  // namespace nnlat::backends::opencl
