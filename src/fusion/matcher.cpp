#include <algorithm>
#include <map>

#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"

namespace nnlat::fusion {
namespace {

bool contains(const std::vector<ir::OpKind>& ops, ir::OpKind op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

const FusionRule* rule_for_anchor(const RuleSet& rules, ir::OpKind op) {
  for (const auto& r : rules.rules) {
    if (contains(r.anchors, op)) return &r;
  }
  return nullptr;
}

}  // namespace

Status for_each_kernel(const ir::Graph& graph, const RuleSet& rules,
                       const std::function<void(std::span<const ir::NodeId>)>& visit) {
  // Builders and importers emit nodes in topological order; only otherwise is the order
  // computed (and allocated).
  const bool sorted = graph.is_topologically_sorted();
  std::vector<ir::NodeId> computed_order;
  if (!sorted) {
    NNLAT_ASSIGN_OR_RETURN(computed_order, graph.topological_order());
  }
  const size_t node_count = graph.nodes().size();
  // How many nodes read each value and the first of them (all a chain needs to know), in
  // flat per-thread buffers reused across calls: predictors run this on millions of networks.
  thread_local std::vector<uint32_t> consumer_count;
  thread_local std::vector<uint32_t> first_consumer;
  thread_local std::vector<char> is_output;
  thread_local std::vector<char> assigned;
  consumer_count.assign(graph.values().size(), 0);
  first_consumer.assign(graph.values().size(), 0);
  is_output.assign(graph.values().size(), 0);
  assigned.assign(graph.nodes().size(), 0);
  for (uint32_t i = 0; i < graph.nodes().size(); ++i) {
    for (ir::ValueId v : graph.nodes()[i].inputs) {
      if (consumer_count[v.index]++ == 0) first_consumer[v.index] = i;
    }
  }
  for (ir::ValueId v : graph.outputs()) is_output[v.index] = 1;

  thread_local std::vector<ir::NodeId> nodes;  // the current kernel, reused
  for (size_t position = 0; position < node_count; ++position) {
    const ir::NodeId id = sorted ? ir::NodeId{static_cast<uint32_t>(position)} : computed_order[position];
    if (assigned[id.index]) continue;
    const ir::Node& node = graph.node(id);
    assigned[id.index] = 1;
    if (contains(rules.elide, node.op)) continue;
    nodes.assign(1, id);
    const FusionRule* rule = rule_for_anchor(rules, node.op);
    ir::NodeId tail = id;
    for (int absorbed = 0; rule && absorbed < rule->max_absorb; ++absorbed) {
      const ir::Node& t = graph.node(tail);
      if (t.outputs.size() != 1) break;
      const ir::ValueId out = t.outputs[0];
      if (is_output[out.index] || consumer_count[out.index] != 1) break;
      const uint32_t next = first_consumer[out.index];
      const ir::Node& n = graph.node(ir::NodeId{next});
      if (assigned[next] || !contains(rule->absorb, n.op)) break;
      // Every other operand of the absorbed op must already be computed (e.g. the residual
      // input of a linked add), otherwise fusing would reorder execution.
      const bool operands_ready = std::all_of(n.inputs.begin(), n.inputs.end(), [&](ir::ValueId v) {
        const auto& p = graph.value(v).producer;
        return v == out || !p || assigned[p->index];
      });
      if (!operands_ready) break;
      assigned[next] = 1;
      nodes.push_back(ir::NodeId{next});
      tail = ir::NodeId{next};
    }
    visit(nodes);
  }
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

std::string kernel_hash(const ir::Graph& kernel_graph) { return stable_hash_hex(formats::graph_to_json(kernel_graph)); }

}  // namespace nnlat::fusion
