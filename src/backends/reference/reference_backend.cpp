#include "backends/reference/reference_backend.hpp"

#include <string>

namespace nnlat::backends::reference {
namespace {

Status check_inputs(const ir::Graph& graph, const std::vector<std::vector<float>>& inputs) {
  if (inputs.size() != graph.inputs().size()) {
    return make_error(ErrorCode::kInvalidArgument, "graph " + graph.name + " has " +
                                                       std::to_string(graph.inputs().size()) + " inputs, got " +
                                                       std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = graph.value(graph.inputs()[i]);
    if (static_cast<int64_t>(inputs[i].size()) != ir::num_elements(v.shape)) {
      return make_error(ErrorCode::kInvalidArgument, "input " + v.name + " needs " +
                                                         std::to_string(ir::num_elements(v.shape)) + " values, got " +
                                                         std::to_string(inputs[i].size()));
    }
  }
  return Status::Ok();
}

class ReferencePrepared final : public PreparedGraph {
 public:
  ReferencePrepared(ir::Graph graph, GraphWeights weights) : graph_(std::move(graph)), weights_(std::move(weights)) {
    for (ir::ValueId v : graph_.inputs())
      inputs_.emplace_back(static_cast<size_t>(ir::num_elements(graph_.value(v).shape)));
  }
  Status run() override {
    NNLAT_ASSIGN_OR_RETURN(outputs_, evaluate(graph_, weights_, inputs_));
    return Status::Ok();
  }
  std::vector<std::vector<float>> outputs() const override { return outputs_; }
  Status set_input(size_t index, const std::vector<float>& values) override {
    if (index >= inputs_.size()) return make_error(ErrorCode::kInvalidArgument, "input index out of range");
    if (values.size() != inputs_[index].size()) {
      return make_error(ErrorCode::kInvalidArgument, "input " + std::to_string(index) + " needs " +
                                                         std::to_string(inputs_[index].size()) + " values");
    }
    inputs_[index] = values;
    return Status::Ok();
  }

 private:
  ir::Graph graph_;
  GraphWeights weights_;
  std::vector<std::vector<float>> inputs_;
  std::vector<std::vector<float>> outputs_;
};

}  // namespace

Result<std::vector<std::vector<float>>> evaluate_values(const ir::Graph& graph, const GraphWeights& weights,
                                                        const std::vector<std::vector<float>>& inputs) {
  NNLAT_RETURN_IF_ERROR(check_inputs(graph, inputs));
  if (weights.nodes.size() != graph.nodes().size()) {
    return make_error(ErrorCode::kInvalidArgument, "weights do not belong to graph " + graph.name);
  }
  std::vector<std::vector<float>> values(graph.values().size());
  std::vector<bool> ready(graph.values().size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    values[graph.inputs()[i].index] = inputs[i];
    ready[graph.inputs()[i].index] = true;
  }
  NNLAT_ASSIGN_OR_RETURN(auto order, graph.topological_order());
  std::vector<const std::vector<float>*> node_inputs;
  std::vector<std::vector<float>> node_outputs;
  for (ir::NodeId id : order) {
    const ir::Node& node = graph.node(id);
    node_inputs.clear();
    for (ir::ValueId v : node.inputs) {
      if (!ready[v.index]) {
        return make_error(ErrorCode::kGraphError,
                          "node " + node.name + ": input " + graph.value(v).name + " is never computed");
      }
      node_inputs.push_back(&values[v.index]);
    }
    NNLAT_RETURN_IF_ERROR(run_node(graph, node, weights.nodes[id.index], node_inputs, node_outputs));
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      values[node.outputs[o].index] = std::move(node_outputs[o]);
      ready[node.outputs[o].index] = true;
    }
  }
  for (ir::ValueId v : graph.outputs()) {
    if (!ready[v.index])
      return make_error(ErrorCode::kGraphError, "output " + graph.value(v).name + " is never computed");
  }
  return values;
}

Result<std::vector<std::vector<float>>> evaluate(const ir::Graph& graph, const GraphWeights& weights,
                                                 const std::vector<std::vector<float>>& inputs) {
  NNLAT_ASSIGN_OR_RETURN(auto values, evaluate_values(graph, weights, inputs));
  std::vector<std::vector<float>> result;
  for (ir::ValueId v : graph.outputs()) result.push_back(values[v.index]);
  return result;
}

std::string ReferenceBackend::version() const { return std::string("nnlat-reference ") + NNLAT_VERSION; }

Status ReferenceBackend::supports(const ir::Graph&, const RunConfig& config) const {
  if (config.precision != Precision::kFloat32) {
    return make_error(ErrorCode::kUnsupported, "the reference backend runs float32 only");
  }
  return Status::Ok();
}

Result<std::unique_ptr<PreparedGraph>> ReferenceBackend::prepare(const ir::Graph& graph, const RunConfig& config) {
  NNLAT_RETURN_IF_ERROR(supports(graph, config));
  NNLAT_ASSIGN_OR_RETURN(GraphWeights weights, make_weights(graph, config.weight_seed));
  return std::unique_ptr<PreparedGraph>(std::make_unique<ReferencePrepared>(graph, std::move(weights)));
}

}  // namespace nnlat::backends::reference
