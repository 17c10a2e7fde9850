// Kernel detection (DESIGN.md principle 3): fusion rules are data (data/fusion/*.json,
// docs/fusion.md), validated at load; the matcher is a pure function from a graph and a
// rule set to the list of kernels the framework really runs.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::fusion {

struct FusionRule {
  std::string name;
  std::vector<ir::OpKind> anchors;  // ops that start a kernel under this rule
  std::vector<ir::OpKind> absorb;   // ops that may follow in a chain and join the kernel
  int max_absorb = 1;               // at most this many absorbed ops
};

struct RuleSet {
  std::string name;
  std::string description;
  std::vector<ir::OpKind> elide;  // ops that run no kernel (metadata-only reshapes)
  std::vector<FusionRule> rules;  // first matching anchor wins
};

// Parses and validates a rule file: unknown op names, empty anchors, duplicate anchors
// across rules and a wrong format/version are errors naming `source`.
Result<RuleSet> parse_rule_set(std::string_view json_text, const std::string& source);
// A built-in rule set by name ("xnnpack", "tflite-gpu", "none") or a path to a .json file.
Result<RuleSet> load_rule_set(const std::string& name_or_path);
std::vector<std::string> builtin_rule_set_names();

struct Kernel {
  std::string name;               // the anchor node's name
  std::string type;               // the anchor op's canonical name: the kernel family
  std::vector<ir::NodeId> nodes;  // anchor first, then the absorbed ops in chain order
};

// Calls `visit` with the nodes of each kernel (anchor first) in execution order, without
// building Kernel objects (the allocation-free path predictors use). Same kernels as
// detect_kernels. Uses per-thread buffers: `visit` must not call for_each_kernel itself.
Status for_each_kernel(const ir::Graph& graph, const RuleSet& rules,
                       const std::function<void(std::span<const ir::NodeId>)>& visit);

// A rule set indexed by op kind: the matcher's questions for each node (is the op elided,
// which rule does it anchor, may that rule absorb the next op) answered by table lookups
// instead of scans of the rule lists. Built once where the matcher runs millions of times.
class RuleIndex {
 public:
  explicit RuleIndex(const RuleSet& rules);
  bool elided(ir::OpKind op) const { return elided_[static_cast<size_t>(op)]; }
  // The rule `op` anchors (the first, as in RuleSet::rules), or -1.
  int rule_of(ir::OpKind op) const { return rule_of_[static_cast<size_t>(op)]; }
  int max_absorb(int rule) const { return max_absorb_[static_cast<size_t>(rule)]; }
  bool absorbs(int rule, ir::OpKind op) const {
    return absorbs_[static_cast<size_t>(rule)].test(static_cast<size_t>(op));
  }

 private:
  static constexpr size_t kOpKinds = 256;  // OpKind is a uint8_t
  std::array<bool, kOpKinds> elided_{};
  std::array<int16_t, kOpKinds> rule_of_{};
  std::vector<int> max_absorb_;
  std::vector<std::bitset<kOpKinds>> absorbs_;
};

// The same matcher over an op skeleton (ir/skeleton.hpp), with an inlined visitor:
// fusion/chain_matcher.hpp.

// Kernels in execution (topological) order. Every node belongs to exactly one kernel unless
// its op is elided; an op that anchors no rule is a kernel of its own.
Result<std::vector<Kernel>> detect_kernels(const ir::Graph& graph, const RuleSet& rules);

// The kernel as a standalone graph: its external inputs become graph inputs (named in0,
// in1, ...), nodes are renamed n0, n1, ... so that equal kernels give equal graphs.
Result<ir::Graph> kernel_graph(const ir::Graph& graph, const Kernel& kernel);
// Stable identity of a kernel configuration: hash of its standalone graph's JSON.
std::string kernel_hash(const ir::Graph& kernel_graph);

}  // namespace nnlat::fusion
