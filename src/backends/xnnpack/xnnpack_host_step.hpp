// Ops the XNNPACK 2022-02 build has no node for (batched matmul of two activations, layer
// norm, GELU, transpose, slice, ...), run on the host between subgraph segments, as TFLite
// runs its own built-in kernel for an op the XNNPACK delegate does not claim. Transformers
// need them; a CNN never reaches this file. Float32 only.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <memory>
#include <string>
#include <vector>

#include "nnlat/backends/weights.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends::xnnpack {

// Why the host cannot run `n` either (empty: it can). Convolutions and pooling XNNPACK
// refuses stay refused.
std::string host_step_reason(const ir::Graph& g, const ir::Node& n);

// One host op over the backend's host buffers (physical layout: NHWC for rank 4, the IR
// order otherwise). Batched matmul is a row-major GEMM per batch (Eigen) spread over the
// thread pool; a fully connected layer on a rank-4 token tensor (which XNNPACK's node would
// apply to NHWC's W) is XNNPACK's fully connected operator on the IR-layout copy; every
// other op runs nnlat's reference loop on IR-layout copies of its inputs.
class HostStep {
 public:
  // `graph` must outlive the step (the prepared graph keeps a copy); `inputs` and `output`
  // are the host buffers of the node's inputs and output.
  static Result<std::unique_ptr<HostStep>> create(std::shared_ptr<const ir::Graph> graph, ir::NodeId node,
                                                  const NodeWeights& weights, std::vector<const float*> inputs,
                                                  float* output, pthreadpool_t pool);
  ~HostStep();
  HostStep(const HostStep&) = delete;
  HostStep& operator=(const HostStep&) = delete;
  Status run();

 private:
  HostStep() = default;
  struct GemmShape {
    const float *a, *b;
    float* c;
    int64_t m, k, n, batch, a_batches, b_batches;
  };
  void gemm(const GemmShape& shape);

  std::shared_ptr<const ir::Graph> graph_;
  const ir::Node* node_ = nullptr;
  NodeWeights weights_;
  std::vector<const float*> inputs_;
  float* output_ = nullptr;
  pthreadpool_t pool_ = nullptr;
  std::vector<std::vector<float>> ir_inputs_;  // IR-layout copies of the inputs
  std::vector<std::vector<float>> ir_outputs_;
  xnn_operator_t fully_connected_ = nullptr;  // fully_connected: XNNPACK's operator, set up once
};

}  // namespace nnlat::backends::xnnpack
