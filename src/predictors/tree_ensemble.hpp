// A compiled evaluator for additive tree ensembles (gradient-boosted trees, random forests).
// Trees are trained elsewhere (XGBoost) and handed over as node arrays; the evaluator keeps
// every node of every tree in one flat array of 16-byte nodes, children of a split side by
// side, so a prediction is a few tight loops with no virtual call and no allocation.
//
// Walking one tree is a chain of dependent loads, so the evaluator walks kLanes trees at once,
// each lane a fixed number of steps (the deepest tree of the group); a leaf steps to itself, so
// lanes that arrive early wait there. With no data-dependent branch to mispredict and eight
// independent chains in flight, 300 depth-6 trees take about 2 us instead of about 10.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::predictors {

// One tree as parallel node arrays: the exchange form between a trainer and the evaluator,
// and the saved form. Node 0 is the root. A leaf has left == right == -1 and its output in
// `value`; a split on `feature` sends x < value left, x >= value right, and NaN to the side
// `default_left` names (XGBoost's semantics).
struct TreeArrays {
  std::vector<int32_t> left;
  std::vector<int32_t> right;
  std::vector<int32_t> feature;  // -1 for leaves
  std::vector<float> value;      // threshold of a split, output of a leaf
  std::vector<uint8_t> default_left;
};

class TreeEnsemble {
 public:
  TreeEnsemble() = default;
  TreeEnsemble(size_t num_features, double base_score) : num_features_(num_features), base_score_(base_score) {}

  // Appends a tree after checking it: equal array lengths, children in range, every reachable
  // node reached once from the root (no cycles or shared children), split features below
  // num_features, finite values. Unreachable nodes (XGBoost keeps pruned ones) are dropped.
  Status add_tree(const TreeArrays& tree);

  // base_score + the sum of the trees' leaves, added in tree order. row.size() must be
  // num_features() (unchecked here: the regressor checks it once).
  double predict(std::span<const float> row) const {
    // Rows without NaN, nearly all of them, take a step that ignores default directions.
    for (float v : row) {
      if (std::isnan(v)) return walk<true>(row.data());
    }
    return walk<false>(row.data());
  }

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return roots_.size(); }
  size_t num_nodes() const { return nodes_.size(); }
  double base_score() const { return base_score_; }
  TreeArrays tree(size_t index) const;  // in the evaluator's node order

  // {"num_features", "base_score", "trees": [{"left", "right", "feature", "value", "default_left"}]}
  nlohmann::json to_json() const;
  // Rebuilds through add_tree, so a hand-edited or corrupt file gets the same checks as a
  // trained model. Errors are kParseError; JSON type errors are caught here.
  static Result<TreeEnsemble> from_json(const nlohmann::json& j);

 private:
  static constexpr size_t kLanes = 8;
  static constexpr uint32_t kLeafBit = 1u << 31;
  static constexpr uint32_t kDefaultLeftBit = 1u << 30;
  static constexpr uint32_t kFeatureMask = kDefaultLeftBit - 1;

  // A leaf is built to step to itself under both step rules: its threshold is NaN, so
  // `x >= threshold` is false and it sends NaN left, and its left child is itself.
  struct Node {
    float threshold;   // NaN for a leaf
    uint32_t feature;  // index | kDefaultLeftBit if NaN goes left | kLeafBit for a leaf
    uint32_t left;     // index of the left child (the right one follows); a leaf's own index
    float leaf_value;  // 0 for a split
  };
  static_assert(sizeof(Node) == 16);

  // One step down from node `at`: right when x >= threshold, or when x is NaN and the node
  // sends missing values right. kMissing = false assumes no NaN in the row.
  template <bool kMissing>
  static uint32_t step(const Node* nodes, uint32_t at, const float* x) {
    const Node& n = nodes[at];
    const float v = x[n.feature & kFeatureMask];
    uint32_t right = v >= n.threshold;  // false when either side is NaN
    if constexpr (kMissing) {
      const uint32_t unordered = (v < n.threshold ? 0u : 1u) & (right ^ 1u);
      right |= unordered & (((n.feature & kDefaultLeftBit) >> 30) ^ 1u);
    }
    return n.left + right;
  }

  template <bool kMissing>
  double walk(const float* x) const {
    const Node* nodes = nodes_.data();
    const size_t trees = roots_.size();
    const size_t grouped = trees - trees % kLanes;
    double sum = base_score_;
    for (size_t t = 0; t < grouped; t += kLanes) {
      uint32_t at[kLanes];
      for (size_t k = 0; k < kLanes; ++k) at[k] = roots_[t + k];
      for (uint32_t s = group_depth_[t / kLanes]; s > 0; --s) {
        for (size_t k = 0; k < kLanes; ++k) at[k] = step<kMissing>(nodes, at[k], x);
      }
      for (size_t k = 0; k < kLanes; ++k) sum += nodes[at[k]].leaf_value;
    }
    for (size_t t = grouped; t < trees; ++t) {
      uint32_t at = roots_[t];
      for (uint32_t s = tree_depth_[t]; s > 0; --s) at = step<kMissing>(nodes, at, x);
      sum += nodes[at].leaf_value;
    }
    return sum;
  }

  size_t num_features_ = 0;
  double base_score_ = 0.0;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> tree_depth_;   // steps from the root to the deepest leaf
  std::vector<uint32_t> group_depth_;  // the deepest of each group of kLanes consecutive trees
  std::vector<Node> nodes_;
};

}  // namespace nnlat::predictors
