#include <algorithm>
#include <map>
#include <optional>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"

namespace nnlat::fusion {
namespace {

// Reads an ir::Graph for the matcher.
struct GraphView {
  const ir::Graph& g;
  size_t node_count() const { return g.nodes().size(); }
  size_t value_count() const { return g.values().size(); }
  ir::OpKind op(uint32_t n) const { return g.nodes()[n].op; }
  std::span<const ir::ValueId> inputs(uint32_t n) const { return g.nodes()[n].inputs; }
  // The node's only output, or nothing when it has several.
  std::optional<ir::ValueId> single_output(uint32_t n) const {
    const auto& outs = g.nodes()[n].outputs;
    return outs.size() == 1 ? std::optional(outs[0]) : std::nullopt;
  }
  std::optional<uint32_t> producer(ir::ValueId v) const {
    const auto& p = g.value(v).producer;
    return p ? std::optional(p->index) : std::nullopt;
  }
  std::span<const ir::ValueId> outputs() const { return g.outputs(); }
};

// Reads an ir::OpSkeleton for the matcher (always in topological order).
struct SkeletonView {
  const ir::OpSkeleton& s;
  size_t node_count() const { return s.nodes.size(); }
  size_t value_count() const { return s.value_count(); }
  ir::OpKind op(uint32_t n) const { return s.nodes[n].op; }
  std::span<const ir::ValueId> inputs(uint32_t n) const {
    return {s.node_inputs.data() + s.nodes[n].first_input, s.nodes[n].input_count};
  }
  std::optional<ir::ValueId> single_output(uint32_t n) const { return s.nodes[n].output; }
  std::optional<uint32_t> producer(ir::ValueId v) const {
    const int64_t p = s.producers[v.index];
    return p < 0 ? std::nullopt : std::optional(static_cast<uint32_t>(p));
  }
  std::span<const ir::ValueId> outputs() const { return s.outputs; }
};

// The matcher itself, over either view: nodes in `order` (a topological order), each
// unassigned node anchors a kernel and absorbs the single-consumer chain its rule allows.
template <class View>
void match_chains(const View& graph, const RuleIndex& rules, std::span<const ir::NodeId> order,
                  const std::function<void(std::span<const ir::NodeId>)>& visit) {
  // How many nodes read each value and the first of them (all a chain needs to know), in
  // flat per-thread buffers reused across calls: predictors run this on millions of networks.
  thread_local std::vector<uint32_t> consumer_count;
  thread_local std::vector<uint32_t> first_consumer;
  thread_local std::vector<char> is_output;
  thread_local std::vector<char> assigned;
  consumer_count.assign(graph.value_count(), 0);
  first_consumer.assign(graph.value_count(), 0);
  is_output.assign(graph.value_count(), 0);
  assigned.assign(graph.node_count(), 0);
  for (uint32_t i = 0; i < graph.node_count(); ++i) {
    for (ir::ValueId v : graph.inputs(i)) {
      if (consumer_count[v.index]++ == 0) first_consumer[v.index] = i;
    }
  }
  for (ir::ValueId v : graph.outputs()) is_output[v.index] = 1;

  thread_local std::vector<ir::NodeId> nodes;  // the current kernel, reused
  for (size_t position = 0; position < graph.node_count(); ++position) {
    const ir::NodeId id = order.empty() ? ir::NodeId{static_cast<uint32_t>(position)} : order[position];
    if (assigned[id.index]) continue;
    assigned[id.index] = 1;
    const ir::OpKind op = graph.op(id.index);
    if (rules.elided(op)) continue;
    nodes.assign(1, id);
    const int rule = rules.rule_of(op);
    uint32_t tail = id.index;
    for (int absorbed = 0; rule >= 0 && absorbed < rules.max_absorb(rule); ++absorbed) {
      const auto out = graph.single_output(tail);
      if (!out || is_output[out->index] || consumer_count[out->index] != 1) break;
      const uint32_t next = first_consumer[out->index];
      if (assigned[next] || !rules.absorbs(rule, graph.op(next))) break;
      // Every other operand of the absorbed op must already be computed (e.g. the residual
      // input of a linked add), otherwise fusing would reorder execution.
      const auto operands = graph.inputs(next);
      const bool operands_ready = std::all_of(operands.begin(), operands.end(), [&](ir::ValueId v) {
        const auto p = graph.producer(v);
        return v == *out || !p || assigned[*p];
      });
      if (!operands_ready) break;
      assigned[next] = 1;
      nodes.push_back(ir::NodeId{next});
      tail = next;
    }
    visit(nodes);
  }
}

}  // namespace

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
  match_chains(GraphView{graph}, RuleIndex(rules), computed_order, visit);
  return Status::Ok();
}

void for_each_kernel(const ir::OpSkeleton& skeleton, const RuleIndex& rules,
                     const std::function<void(std::span<const ir::NodeId>)>& visit) {
  match_chains(SkeletonView{skeleton}, rules, {}, visit);
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
