// The fusion matcher as a template over what it reads (an ir::Graph or an ir::OpSkeleton) and
// over the visitor it calls once per kernel. fusion.hpp's for_each_kernel and detect_kernels
// run it on graphs through a std::function; the NAS encoding predictor runs it on op
// skeletons millions of times a second (docs/performance.md, "NAS encodings"), where the
// visitor is inlined: an indirect call per kernel was a measurable part of a cold NB201
// prediction.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/skeleton.hpp"

namespace nnlat::fusion {
namespace matcher_detail {

// "No value": a node with several outputs has no single output to chain through.
inline constexpr uint32_t kNoValue = UINT32_MAX;
// "No producer": a network input.
inline constexpr int64_t kNoProducer = -1;

// The views answer with sentinels rather than std::optional: an optional returned through
// memory was reloaded as one wider word than was stored (a store-forwarding stall that took a
// quarter of the skeleton matcher's time).

// Reads an ir::Graph for the matcher.
struct GraphView {
  const ir::Graph& g;
  size_t node_count() const { return g.nodes().size(); }
  size_t value_count() const { return g.values().size(); }
  ir::OpKind op(uint32_t n) const { return g.nodes()[n].op; }
  std::span<const ir::ValueId> inputs(uint32_t n) const { return g.nodes()[n].inputs; }
  uint32_t single_output(uint32_t n) const {
    const auto& outs = g.nodes()[n].outputs;
    return outs.size() == 1 ? outs[0].index : kNoValue;
  }
  int64_t producer(ir::ValueId v) const {
    const auto& p = g.value(v).producer;
    return p ? static_cast<int64_t>(p->index) : kNoProducer;
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
  uint32_t single_output(uint32_t n) const { return s.nodes[n].output.index; }
  int64_t producer(ir::ValueId v) const { return s.producers[v.index]; }
  std::span<const ir::ValueId> outputs() const { return s.outputs; }
};

// The matcher's working memory: how many nodes read each value and the first of them (all a
// chain needs to know), which values are network outputs, which nodes have a kernel, and the
// current kernel. One per thread, reused across calls.
struct Buffers {
  std::vector<uint32_t> consumer_count;
  std::vector<uint32_t> first_consumer;
  std::vector<char> is_output;
  std::vector<char> assigned;
  std::vector<ir::NodeId> nodes;
};

inline Buffers& thread_buffers() {
  thread_local Buffers buffers;
  return buffers;
}

// Nodes in `order` (a topological order; empty: node index order), each unassigned node
// anchors a kernel and absorbs the single-consumer chain its rule allows. `visit` receives
// each kernel's nodes (anchor first) and must not run the matcher itself (the buffers are
// the thread's).
template <class View, class Visit>
void match_chains(const View& graph, const RuleIndex& rules, std::span<const ir::NodeId> order, Visit&& visit) {
  Buffers& b = thread_buffers();
  const size_t node_count = graph.node_count();
  b.consumer_count.assign(graph.value_count(), 0);
  b.first_consumer.resize(graph.value_count());  // read only where consumer_count > 0
  b.is_output.assign(graph.value_count(), 0);
  b.assigned.assign(node_count, 0);
  // Raw pointers: the compiler cannot keep a vector's data pointer in a register across the
  // stores into another vector's elements.
  uint32_t* const consumer_count = b.consumer_count.data();
  uint32_t* const first_consumer = b.first_consumer.data();
  char* const is_output = b.is_output.data();
  char* const assigned = b.assigned.data();
  for (uint32_t i = 0; i < node_count; ++i) {
    for (ir::ValueId v : graph.inputs(i)) {
      if (consumer_count[v.index]++ == 0) first_consumer[v.index] = i;
    }
  }
  for (ir::ValueId v : graph.outputs()) is_output[v.index] = 1;

  std::vector<ir::NodeId>& nodes = b.nodes;
  for (size_t position = 0; position < node_count; ++position) {
    const ir::NodeId id = order.empty() ? ir::NodeId{static_cast<uint32_t>(position)} : order[position];
    if (assigned[id.index]) continue;
    assigned[id.index] = 1;
    const ir::OpKind op = graph.op(id.index);
    if (rules.elided(op)) continue;
    nodes.assign(1, id);
    const int rule = rules.rule_of(op);
    uint32_t tail = id.index;
    for (int absorbed = 0; rule >= 0 && absorbed < rules.max_absorb(rule); ++absorbed) {
      const uint32_t out = graph.single_output(tail);
      if (out == kNoValue || is_output[out] || consumer_count[out] != 1) break;
      const uint32_t next = first_consumer[out];
      if (assigned[next] || !rules.absorbs(rule, graph.op(next))) break;
      // Every other operand of the absorbed op must already be computed (e.g. the residual
      // input of a linked add), otherwise fusing would reorder execution.
      bool operands_ready = true;
      for (ir::ValueId v : graph.inputs(next)) {
        if (v.index == out) continue;
        const int64_t p = graph.producer(v);
        if (p != kNoProducer && !assigned[p]) operands_ready = false;
      }
      if (!operands_ready) break;
      assigned[next] = 1;
      nodes.push_back(ir::NodeId{next});
      tail = next;
    }
    visit(std::span<const ir::NodeId>(nodes));
  }
}

}  // namespace matcher_detail

// The matcher over an op skeleton (node ids index skeleton.nodes): the same kernels, in the
// same order, as for_each_kernel on the graph the skeleton stands for. `visit` is called
// with a std::span<const ir::NodeId> per kernel (anchor first) and must not run the matcher.
template <class Visit>
void for_each_kernel(const ir::OpSkeleton& skeleton, const RuleIndex& rules, Visit&& visit) {
  matcher_detail::match_chains(matcher_detail::SkeletonView{skeleton}, rules, {}, visit);
}

}  // namespace nnlat::fusion
