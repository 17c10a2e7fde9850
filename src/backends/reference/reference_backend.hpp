// The naive reference implementation (DESIGN.md principle 12: a naive kernel checks a fast
// one): every op of the op table with plain loops, NCHW, float, double accumulators. It is
// slow on purpose and only meant for tests and for checking other backends. It draws its
// weights from make_weights (weights.hpp), exactly like the XNNPACK backend.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends::reference {

// Evaluates one node. `inputs` are the node's input tensors (NCHW, flattened, in the order
// of node.inputs); `outputs` receives one tensor per node output. Errors name the node.
Status run_node(const ir::Graph& graph, const ir::Node& node, const NodeWeights& weights,
                std::span<const std::vector<float>* const> inputs, std::vector<std::vector<float>>& outputs);

// Evaluates a shape-inferred graph in topological order. `inputs` follow graph.inputs();
// the result follows graph.outputs().
Result<std::vector<std::vector<float>>> evaluate(const ir::Graph& graph, const GraphWeights& weights,
                                                 const std::vector<std::vector<float>>& inputs);

// Like evaluate, but returns every value of the graph, indexed by ValueId.index (empty for
// values never computed); used to calibrate int8 quantisation ranges.
Result<std::vector<std::vector<float>>> evaluate_values(const ir::Graph& graph, const GraphWeights& weights,
                                                        const std::vector<std::vector<float>>& inputs);

// The reference as a Backend ("reference"): float32 only, every op supported.
class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return "reference"; }
  std::string version() const override;
  Status supports(const ir::Graph& graph, const RunConfig& config) const override;
  Result<std::unique_ptr<PreparedGraph>> prepare(const ir::Graph& graph, const RunConfig& config) override;
};

}  // namespace nnlat::backends::reference
