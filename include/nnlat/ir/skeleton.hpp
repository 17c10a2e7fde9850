// An op skeleton: a network as its ops, their operands and one 64-bit key per op, without
// names, attributes maps, weights or the checks of a full ir::Graph. NAS encoding predictors
// build one per architecture in about a microsecond, run the fusion matcher over it
// (fusion::for_each_kernel has an overload) and look the kernels up by key, so that an
// architecture seen for the first time costs no graph (docs/performance.md).
//
// The SkeletonBuilder offers the subset of ir::GraphBuilder's calls the NAS-Bench-201 builder
// uses, with the same signatures (less the scopes that name nodes: a skeleton has no names), so that one builder
// template emits either; it must emit the same ops in the same order as GraphBuilder for the same calls (the encoding
// predictor checks this against the real graph whenever it meets a kernel it has not seen).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/op_table.hpp"
#include "nnlat/ir/types.hpp"

namespace nnlat::ir {

struct OpSkeleton {
  struct Node {
    OpKind op = OpKind::kIdentity;
    uint32_t first_input = 0;  // into `node_inputs`
    uint32_t input_count = 0;
    ValueId output;
    // The op kind, its attributes and its operands' shapes, hashed: equal keys run equal
    // computations wherever in a network they appear.
    uint64_t key = 0;
  };
  std::vector<Node> nodes;  // in topological order (builders append consumers after producers)
  std::vector<ValueId> node_inputs;
  std::vector<int64_t> producers;  // per value: its node's index, -1 for a network input
  std::vector<ValueId> outputs;
  std::vector<std::array<int64_t, 4>> shapes;  // per value, NCHW; rank-2 values as (N, C, 1, 1)

  // An abridged skeleton builds three consecutive identical cells where the network repeats
  // one cell `full_cells` times (NB201: 5 per stage): the ops of the first cell start at
  // `first_node` and each cell has `cell_nodes` ops. The cells between the first and the last
  // all run the same kernels when fusion crosses at most one cell border and the second and
  // third cells start in the same state, which the encoding predictor checks on the third
  // before it counts the second cell's kernels (full_cells - 2) times.
  struct RepeatedCells {
    uint32_t first_node = 0;
    uint32_t cell_nodes = 0;
    uint32_t full_cells = 0;
  };
  std::vector<RepeatedCells> repeats;  // in node order; empty: the whole network was built
  // How many of a repeated run of cells an abridged skeleton (and the graph it stands for,
  // models::build_abridged_space_graph) builds: the first, a middle and the last.
  static constexpr int64_t kAbridgedCells = 3;

  void clear();
  size_t value_count() const { return producers.size(); }
};

class SkeletonBuilder {
 public:
  // Appends into `out`, which it clears first (callers reuse one skeleton per thread).
  explicit SkeletonBuilder(OpSkeleton& out);

  ValueId input(const Shape& shape);
  ValueId op(OpKind kind, const std::vector<ValueId>& inputs, const Attrs& attrs = {}, const std::string& = {});
  ValueId conv(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride = 1);
  ValueId batch_norm(ValueId x);
  ValueId activation(ValueId x, Act act);
  ValueId add(ValueId a, ValueId b);
  ValueId avg_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0, bool count_include_pad = false);
  ValueId classifier(ValueId x, int64_t num_classes);

  int64_t channels(ValueId v) const { return out_.shapes[v.index][1]; }
  uint32_t node_count() const { return static_cast<uint32_t>(out_.nodes.size()); }
  // Records three cells built from `first_node` on, `cell_nodes` ops each, standing for
  // `full_cells` identical ones (OpSkeleton::repeats).
  void repeated_cells(uint32_t first_node, uint32_t cell_nodes, uint32_t full_cells) {
    out_.repeats.push_back({first_node, cell_nodes, full_cells});
  }
  // Appends a copy of the cell the caller built from node `first_node` on (`cell_nodes` ops
  // reading `cell_input`, giving `cell_output`), reading `input` instead: the same ops with
  // the same keys, operands renumbered, in the same order. Returns the copy's output. For
  // networks that repeat a cell whose output has its input's shape (NB201's stages): a copy
  // costs no shape rules and no hashing, a third of a skeleton's build time (docs/performance.md).
  // `input` must have cell_input's shape (else BuildError), and the cell must read no value
  // from before it but `cell_input`.
  ValueId repeat_cell(uint32_t first_node, uint32_t cell_nodes, ValueId cell_input, ValueId cell_output, ValueId input);
  void finish(const std::vector<ValueId>& outputs);

 private:
  // Appends a node of `kind` reading `inputs`, producing a value of `shape`, keyed by
  // `params` (its attributes as integers) and its operands' shapes.
  ValueId add_node(OpKind kind, std::initializer_list<ValueId> inputs, std::initializer_list<int64_t> params,
                   const std::array<int64_t, 4>& shape);
  OpSkeleton& out_;
};

}  // namespace nnlat::ir
