#include <algorithm>
#include <map>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/chain_matcher.hpp"
#include "nnlat/fusion/fusion.hpp"

namespace nnlat::fusion {

RuleIndex::RuleIndex(const RuleSet& rules) {
  rule_of_.fill(-1);
  for (ir::OpKind op : rules.elide) elided_[static_cast<size_t>(op)] = true;
  for (size_t r = 0; r < rules.rules.size(); ++r) {
    const FusionRule& rule = rules.rules[r];
    for (ir::OpKind op : rule.anchors) {
      auto& slot = rule_of_[static_cast<size_t>(op)];
      if (slot < 0) slot = static_cast<int16_t>(r);  // the first rule anchoring an op wins
    }
    max_absorb_.push_back(rule.max_absorb);
    auto& absorbs = absorbs_.emplace_back();
    for (ir::OpKind op : rule.absorb) absorbs.set(static_cast<size_t>(op));
  }
}

Status for_each_kernel(const ir::Graph& graph, const RuleSet& rules,
                       const std::function<void(std::span<const ir::NodeId>)>& visit) {
  // Builders and importers emit nodes in topological order; only otherwise is the order
  // computed (and allocated).
  std::vector<ir::NodeId> computed_order;
  if (!graph.is_topologically_sorted()) {
    NNLAT_ASSIGN_OR_RETURN(computed_order, graph.topological_order());
  }
  matcher_detail::match_chains(matcher_detail::GraphView{graph}, RuleIndex(rules), computed_order, visit);
  return Status::Ok();
}

Result<std::vector<Kernel>> detect_kernels(const ir::Graph& graph, const RuleSet& rules) {
  std::vector<Kernel> kernels;
  NNLAT_RETURN_IF_ERROR(for_each_kernel(graph, rules, [&](std::span<const ir::NodeId> nodes) {
    const ir::Node& anchor = graph.node(nodes.front());
    kernels.push_back({anchor.name, std::string(ir::op_name(anchor.op)), {nodes.begin(), nodes.end()}});
  }));
  return kernels;
}

Result<ir::Graph> kernel_graph(const ir::Graph& graph, const Kernel& kernel) {
  ir::Graph g;
  g.name = kernel.type;
  std::map<uint32_t, ir::ValueId> mapped;
  int n = 0;
  for (ir::NodeId id : kernel.nodes) {
    const ir::Node& node = graph.node(id);
    std::vector<ir::ValueId> inputs;
    for (ir::ValueId v : node.inputs) {
      auto it = mapped.find(v.index);
      if (it == mapped.end()) {
        const ir::Value& val = graph.value(v);
        it = mapped.emplace(v.index, g.add_input("in" + std::to_string(g.inputs().size()), val.shape, val.dtype)).first;
      }
      inputs.push_back(it->second);
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < node.outputs.size(); ++i) names.push_back("n" + std::to_string(n) + ":" + std::to_string(i));
    const std::string node_name = "n" + std::to_string(n++);
    const ir::NodeId nid = g.add_node(node_name, node.op, std::move(inputs), node.attrs, std::move(names));
    for (size_t i = 0; i < node.outputs.size(); ++i) mapped[node.outputs[i].index] = g.node(nid).outputs[i];
  }
  for (ir::ValueId v : graph.node(kernel.nodes.back()).outputs) g.mark_output(mapped.at(v.index));
  if (auto st = ir::infer_shapes(g); !st.ok()) return st.error().with_context("kernel " + kernel.name);
  if (auto st = ir::verify(g); !st.ok()) return st.error().with_context("kernel " + kernel.name);
  return g;
}

std::string kernel_hash(const ir::Graph& kernel_graph) { return formats::graph_json_hash(kernel_graph); }

}  // namespace nnlat::fusion
