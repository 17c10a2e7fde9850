#include "nnlat/app/kernels.hpp"

#include <fmt/core.h>

#include "nnlat/ir/cost.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::app {

Result<ModelKernels> model_kernels(const std::string& reference, const fusion::RuleSet& rules) {
  NNLAT_ASSIGN_OR_RETURN(auto graph, models::load_model(reference));
  auto kernels = fusion::detect_kernels(graph, rules);
  if (!kernels.ok()) return kernels.error().with_context(reference);
  ModelKernels result{.model = graph.name, .num_ops = graph.nodes().size(), .rules = rules.name};
  for (const auto& k : *kernels) {
    KernelRow row{.name = k.name, .type = k.type};
    for (auto id : k.nodes) {
      row.macs += ir::node_cost(graph, id).macs;
      if (!row.ops.empty()) row.ops += '+';
      row.ops += ir::op_name(graph.node(id).op);
    }
    row.output_shape = graph.value(graph.node(k.nodes.back()).outputs[0]).shape;
    result.kernels.push_back(std::move(row));
  }
  return result;
}

nlohmann::ordered_json ModelKernels::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& k : kernels) {
    list.push_back(
        {{"name", k.name}, {"type", k.type}, {"ops", k.ops}, {"output_shape", k.output_shape}, {"macs", k.macs}});
  }
  return {{"model", model}, {"rules", rules}, {"kernels", list}};
}

std::string ModelKernels::to_text() const {
  std::string out = fmt::format("{} ({} ops -> {} kernels, rules {})\n", model, num_ops, kernels.size(), rules);
  out += fmt::format("{:<5} {:<40} {:<18} {:<18} {:>14}  {}\n", "#", "kernel", "type", "output", "MACs", "fused ops");
  for (size_t i = 0; i < kernels.size(); ++i) {
    const auto& k = kernels[i];
    out += fmt::format("{:<5} {:<40} {:<18} {:<18} {:>14}  {}\n", i, k.name, k.type,
                       ir::shape_to_string(k.output_shape), k.macs, k.ops);
  }
  return out + "\n";
}

}  // namespace nnlat::app
