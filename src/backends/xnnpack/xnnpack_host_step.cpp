#include "backends/xnnpack/xnnpack_host_step.hpp"

#include <xnnpack.h>

#include <Eigen/Core>
#include <algorithm>
#include <limits>

#include "backends/reference/reference_backend.hpp"
#include "backends/xnnpack/xnnpack_plan.hpp"

namespace nnlat::backends::xnnpack {
namespace {

using ir::OpKind;
using ir::Shape;

size_t usize(int64_t v) { return static_cast<size_t>(v); }

// Elements of the batch dims of a matmul operand (all but the last two).
int64_t batch_of(const Shape& s) { return ir::num_elements(s) / (s[s.size() - 2] * s.back()); }

bool matmul_batches_all_or_one(const ir::Graph& g, const ir::Node& n) {
  const int64_t batch = batch_of(g.value(n.outputs[0]).shape);
  const int64_t ba = batch_of(g.value(n.inputs[0]).shape), bb = batch_of(g.value(n.inputs[1]).shape);
  return (ba == batch || ba == 1) && (bb == batch || bb == 1);
}

}  // namespace

std::string host_step_reason(const ir::Graph&, const ir::Node& n) {
  if (n.outputs.size() != 1) return "no host kernel for an op with several outputs";
  switch (n.op) {
    case OpKind::kMatMul:
    case OpKind::kFullyConnected:
    case OpKind::kLayerNorm:
    case OpKind::kL2Normalize:
    case OpKind::kGelu:
    case OpKind::kTanh:
    case OpKind::kTranspose:
    case OpKind::kSlice:
    case OpKind::kSoftmax:
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kConcat:
    case OpKind::kReduceMean:
    case OpKind::kPad:
    case OpKind::kResize:
      return "";
    default:
      return "no host kernel either";
  }
}

Result<std::unique_ptr<HostStep>> HostStep::create(std::shared_ptr<const ir::Graph> graph, ir::NodeId node,
                                                   const NodeWeights& weights, std::vector<const float*> inputs,
                                                   float* output, pthreadpool_t pool) {
  const ir::Node& n = graph->node(node);
  if (const std::string why = host_step_reason(*graph, n); !why.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      "xnnpack: node " + n.name + " (" + std::string(ir::op_name(n.op)) + "): " + why);
  }
  if (inputs.size() != n.inputs.size()) {
    return make_error(ErrorCode::kInternal, "xnnpack: host step " + n.name + ": wrong number of input buffers");
  }
  std::unique_ptr<HostStep> step(new HostStep());
  step->graph_ = std::move(graph);
  step->node_ = &n;
  step->weights_ = weights;
  step->inputs_ = std::move(inputs);
  step->output_ = output;
  step->pool_ = pool;
  for (ir::ValueId v : n.inputs) step->ir_inputs_.emplace_back(usize(ir::num_elements(step->graph_->value(v).shape)));
  step->ir_outputs_.emplace_back(usize(ir::num_elements(step->graph_->value(n.outputs[0]).shape)));
  if (n.op == OpKind::kFullyConnected) {
    // XNNPACK's own fully connected operator over the last axis of the IR-layout copy: the
    // same kernel as every other linear layer, its weights packed here, outside run().
    const Shape& in = step->graph_->value(n.inputs[0]).shape;
    const size_t k = usize(in.back()), out = usize(step->graph_->value(n.outputs[0]).shape.back());
    const float inf = std::numeric_limits<float>::infinity();
    const float* bias = step->weights_.bias.empty() ? nullptr : step->weights_.bias.data();
    if (xnn_create_fully_connected_nc_f32(k, out, k, out, step->weights_.weight.data(), bias, -inf, inf, 0,
                                          &step->fully_connected_) != xnn_status_success ||
        xnn_setup_fully_connected_nc_f32(step->fully_connected_, usize(ir::num_elements(in)) / k,
                                         step->ir_inputs_[0].data(), step->ir_outputs_[0].data(),
                                         pool) != xnn_status_success) {
      return make_error(ErrorCode::kInternal,
                        "xnnpack: host step " + n.name + ": fully connected operator setup failed");
    }
  }
  return step;
}

HostStep::~HostStep() {
  if (fully_connected_) xnn_delete_operator(fully_connected_);
}

Status HostStep::run() {
  const ir::Graph& g = *graph_;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    from_physical(g.value(node_->inputs[i]).shape, inputs_[i], ir_inputs_[i].data());
  }
  if (node_->op == OpKind::kMatMul && matmul_batches_all_or_one(g, *node_)) {
    const Shape& a = g.value(node_->inputs[0]).shape;
    const Shape& b = g.value(node_->inputs[1]).shape;
    gemm({ir_inputs_[0].data(), ir_inputs_[1].data(), ir_outputs_[0].data(), a[a.size() - 2], a.back(), b.back(),
          batch_of(g.value(node_->outputs[0]).shape), batch_of(a), batch_of(b)});
  } else if (fully_connected_) {
    const xnn_status st = xnn_run_operator(fully_connected_, pool_);
    if (st != xnn_status_success) {
      return make_error(ErrorCode::kInternal, "xnnpack: host step " + node_->name + ": xnn_run_operator failed");
    }
  } else {
    std::vector<const std::vector<float>*> in;
    for (const auto& t : ir_inputs_) in.push_back(&t);
    NNLAT_RETURN_IF_ERROR(reference::run_node(g, *node_, weights_, in, ir_outputs_));
  }
  to_physical(g.value(node_->outputs[0]).shape, ir_outputs_[0].data(), output_);
  return Status::Ok();
}

// C[b] = A[b or 0] x B[b or 0], row-major. One task per (batch, block of rows), so that a
// single large product still uses every thread.
void HostStep::gemm(const GemmShape& s) {
  struct Task {
    GemmShape s;
    int64_t rows_per_block;
  } t{s, 0};
  const auto threads = static_cast<int64_t>(pthreadpool_get_threads_count(pool_));
  const int64_t blocks = std::clamp<int64_t>(s.batch >= threads ? 1 : (threads + s.batch - 1) / s.batch, 1, s.m);
  t.rows_per_block = (s.m + blocks - 1) / blocks;
  auto block = [](void* context, size_t batch_index, size_t block_index) {
    const Task& task = *static_cast<const Task*>(context);
    const GemmShape& s = task.s;
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const auto bi = static_cast<int64_t>(batch_index);
    const int64_t row0 = static_cast<int64_t>(block_index) * task.rows_per_block;
    const int64_t rows = std::min(task.rows_per_block, s.m - row0);
    if (rows <= 0) return;
    const float* a = s.a + (s.a_batches == 1 ? 0 : bi) * s.m * s.k + row0 * s.k;
    const float* b = s.b + (s.b_batches == 1 ? 0 : bi) * s.k * s.n;
    Eigen::Map<Matrix>(s.c + bi * s.m * s.n + row0 * s.n, rows, s.n).noalias() =
        Eigen::Map<const Matrix>(a, rows, s.k) * Eigen::Map<const Matrix>(b, s.k, s.n);
  };
  pthreadpool_parallelize_2d(pool_, block, &t, usize(s.batch), usize(blocks), 0);
}

}  // namespace nnlat::backends::xnnpack
