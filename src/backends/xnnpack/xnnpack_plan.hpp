// Lowering plan of the XNNPACK backend, a pure function of the graph: which IR nodes become
// one XNNPACK kernel (fusions), which run in a subgraph and which as operator-API steps,
// and which nodes cannot run at all (with the reason). Shared by supports() and prepare().
#pragma once

#include <array>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends::xnnpack {

// Where a kernel runs: in an XNNPACK subgraph runtime, as an operator-API step (copies)
// between subgraph segments, or as a host step (xnnpack_host_step.hpp) for an op this
// XNNPACK build has no node for (float32 only).
enum class Step { kSubgraph, kConcat, kSplit, kChannelShuffle, kHost };

struct Kernel {
  ir::NodeId node;                // the primary IR node
  std::optional<ir::NodeId> bn;   // batch norm folded into this conv / fc
  std::optional<ir::NodeId> act;  // relu / relu6 / clamp fused into the output range
  float out_min = -std::numeric_limits<float>::infinity();
  float out_max = std::numeric_limits<float>::infinity();
  std::vector<ir::ValueId> inputs;   // IR values read
  std::vector<ir::ValueId> outputs;  // IR values written (after fusion: the last fused node's)
  Step step = Step::kSubgraph;
  // fully_connected reading a flatten of an NCHW tensor that runs as a reshape of the NHWC
  // tensor: {C, H, W} of that tensor; the weight columns are permuted from CHW to HWC order
  // so that the result is exactly the NCHW one (as TFLite converters do).
  std::optional<std::array<int64_t, 3>> fc_input_chw;
  std::string name;  // IR node names joined by '+'
};

struct Plan {
  std::vector<Kernel> kernels;  // in execution (topological IR) order
};

// Ok with the plan, or kUnsupported listing every node that cannot run (name, op, reason).
Result<Plan> make_plan(const ir::Graph& graph, const RunConfig& config);

// XNNPACK works in NHWC: rank-4 NCHW shapes become NHWC; other ranks keep the IR order.
ir::Shape physical_shape(const ir::Shape& ir_shape);
// The physical position of IR axis `axis` (non-negative) of a rank-`rank` tensor.
size_t physical_axis(size_t axis, size_t rank);
// True when a tensor's NHWC and NCHW element orders are the same (rank != 4, C == 1 or
// H * W == 1), so that it can be reshaped without a transpose.
bool layout_neutral(const ir::Shape& ir_shape);
// A tensor of IR shape `ir_shape` from the IR layout (NCHW) to the physical one (NHWC for
// rank 4, a copy otherwise), and back.
void to_physical(const ir::Shape& ir_shape, const float* src, float* dst);
void from_physical(const ir::Shape& ir_shape, const float* src, float* dst);

}  // namespace nnlat::backends::xnnpack
