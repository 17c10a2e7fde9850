// The XNNPACK CPU backend: the kernels TFLite's CPU path runs on phones (via its XNNPACK
// delegate), run locally. prepare() lowers an NCHW IR graph to XNNPACK's NHWC subgraph API
// with the fusions the TFLite delegate performs (batch norm folded into the preceding
// convolution, ReLU/ReLU6/clamp fused into the producer's output range) and random weights
// from make_weights (weights.hpp). Ops that this XNNPACK build's subgraph API lacks but its
// operator API has (concat, split, channel shuffle: plain copies) run as operator steps
// between subgraph segments, the way TFLite runs them on its builtin kernels between
// delegate partitions. Ops it has no kernel for at all (batched matmul of two activations,
// layer norm, GELU, tanh, transpose, slice, layout-changing reshapes, constant operands:
// what transformers need) run as float32 host steps (Eigen GEMM, else nnlat's reference
// loop), as TFLite runs its own kernels for ops the delegate leaves. docs/backends.md
// describes the mapping in full.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"

namespace nnlat::backends {

class XnnpackBackend final : public Backend {
 public:
  std::string name() const override { return "xnnpack"; }
  // "xnnpack-2022-02 (libxnnpack0 <Debian package version>)".
  std::string version() const override;
  // Ok, or kUnsupported listing every node (name and op) that cannot run, with the reason
  // (for int8, also the ops this XNNPACK build has no int8 kernel for); float16 is refused.
  Status supports(const ir::Graph& graph, const RunConfig& config) const override;
  // RunConfig.threads: size of the pthreadpool (1: no pool, XNNPACK runs on the caller).
  // RunConfig.affinity: the pool's worker threads are created with this CPU set as their
  // affinity mask (the creating thread's mask is set around pthreadpool_create, whose
  // threads inherit it, then restored); run() pins the calling thread to the same set the
  // first time that thread runs the graph (no system call in later runs) and the
  // PreparedGraph restores that thread's previous mask when it is destroyed on it.
  Result<std::unique_ptr<PreparedGraph>> prepare(const ir::Graph& graph, const RunConfig& config) override;
};

// int8 (RunConfig::precision kInt8): activations are quantised per tensor (asymmetric int8)
// with ranges calibrated by running the float reference on these inputs (uniform in
// [-1, 1), seeded by RunConfig::weight_seed; NCHW, graph-input order), like post-training
// quantisation with a one-sample representative dataset. Other inputs run at the same
// speed but may saturate. Weights are symmetric int8, per output channel for convolutions.
std::vector<std::vector<float>> xnnpack_int8_calibration_inputs(const ir::Graph& graph, uint64_t weight_seed);

// The PreparedGraph that XnnpackBackend returns, with diagnostics for tests and reports.
class XnnpackPreparedGraph : public PreparedGraph {
 public:
  // One entry per kernel XNNPACK runs, named after its IR nodes joined by '+'
  // ("conv1+bn1+relu1"), in execution order; int8 adds "quantize" first and "dequantize"
  // last (the float <-> int8 conversions of the graph inputs and outputs).
  virtual std::vector<std::string> kernel_names() const = 0;
  // Subgraph runtimes (delegate partitions; int8: including the two conversion runtimes) and
  // steps between them: operator-API copies (concat, split, channel shuffle) and host steps.
  virtual size_t num_subgraph_segments() const = 0;
  virtual size_t num_operator_steps() const = 0;
  // Runs `items` short busy tasks on the thread pool (pinning the caller as run() does) and
  // reports which threads ran them and the union of those threads' CPU affinity masks.
  struct ThreadProbe {
    size_t threads = 0;          // distinct threads that ran at least one task
    std::set<int> allowed_cpus;  // union of their affinity masks
  };
  virtual Result<ThreadProbe> probe_threads(size_t items) = 0;
};

}  // namespace nnlat::backends
