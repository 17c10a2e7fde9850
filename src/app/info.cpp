#include "nnlat/app/info.hpp"

#include <fmt/core.h>

#include "nnlat/models/model_ref.hpp"

namespace nnlat::app {
namespace {

std::string shapes_of(const ir::Graph& g, const std::vector<ir::ValueId>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += ir::shape_to_string(g.value(ids[i]).shape);
  }
  return s;
}

void add_cost_fields(nlohmann::ordered_json& j, const ir::OpCost& c) {
  j["macs"] = c.macs;
  j["params"] = c.params;
  j["input_bytes"] = c.input_bytes;
  j["weight_bytes"] = c.weight_bytes;
  j["output_bytes"] = c.output_bytes;
  j["output_elements"] = c.output_elements;
}

}  // namespace

Result<ModelInfo> model_info(const std::string& reference) {
  NNLAT_ASSIGN_OR_RETURN(auto graph, models::load_model(reference));
  auto cost = ir::graph_cost(graph);
  return ModelInfo{std::move(graph), std::move(cost)};
}

nlohmann::ordered_json ModelInfo::to_json() const {
  const ir::Graph& g = graph;
  nlohmann::ordered_json j;
  j["name"] = g.name;
  add_cost_fields(j, cost.total);
  j["num_ops"] = cost.nodes.size();
  j["metadata"] = g.metadata;
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (const auto& nc : cost.nodes) {
    const ir::Node& n = g.node(nc.node);
    nlohmann::ordered_json o;
    o["name"] = n.name;
    o["op"] = ir::op_name(n.op);
    nlohmann::ordered_json in = nlohmann::ordered_json::array();
    for (auto v : n.inputs) in.push_back(g.value(v).shape);
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto v : n.outputs) out.push_back(g.value(v).shape);
    o["input_shapes"] = in;
    o["output_shapes"] = out;
    add_cost_fields(o, nc.cost);
    ops.push_back(o);
  }
  j["ops"] = ops;
  return j;
}

std::string ModelInfo::to_text() const {
  const ir::Graph& g = graph;
  std::string out = g.name + "\n";
  out += fmt::format("{:<40} {:<18} {:<22} {:<18} {:>14} {:>11} {:>12}\n", "name", "op", "input", "output", "MACs",
                     "params", "bytes");
  for (const auto& nc : cost.nodes) {
    const ir::Node& n = g.node(nc.node);
    const int64_t bytes = nc.cost.input_bytes + nc.cost.weight_bytes + nc.cost.output_bytes;
    out += fmt::format("{:<40} {:<18} {:<22} {:<18} {:>14} {:>11} {:>12}\n", n.name, ir::op_name(n.op),
                       shapes_of(g, n.inputs), shapes_of(g, n.outputs), nc.cost.macs, nc.cost.params, bytes);
  }
  const auto& t = cost.total;
  out += fmt::format(
      "total: {} ops, {:.2f} M MACs, {:.3f} M params, {:.2f} MB activations read, {:.2f} MB weights, "
      "{:.2f} MB written\n\n",
      cost.nodes.size(), t.macs / 1e6, t.params / 1e6, t.input_bytes / 1e6, t.weight_bytes / 1e6, t.output_bytes / 1e6);
  return out;
}

}  // namespace nnlat::app
