#include "predictors/tree_ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace nnlat::predictors {

namespace {

Error tree_error(size_t tree_index, const std::string& message) {
  return make_error(ErrorCode::kParseError, "tree " + std::to_string(tree_index) + ": " + message);
}

}  // namespace

Status TreeEnsemble::add_tree(const TreeArrays& t) {
  const size_t tree_index = roots_.size();
  const size_t n = t.left.size();
  if (n == 0) return tree_error(tree_index, "has no nodes");
  if (t.right.size() != n || t.feature.size() != n || t.value.size() != n || t.default_left.size() != n) {
    return tree_error(tree_index, "node arrays differ in length");
  }
  if (num_features_ > kFeatureMask) return tree_error(tree_index, "too many features");
  if (nodes_.size() + n > kLeafBit) return tree_error(tree_index, "ensemble too large");
  // Relayout breadth-first: each split's two children take consecutive slots, so a node needs
  // one child index and the evaluator picks the side with an add.
  std::vector<int32_t> order;  // source node of each new slot
  order.reserve(n);
  std::vector<uint8_t> seen(n, 0);
  order.push_back(0);
  seen[0] = 1;
  const size_t base = nodes_.size();
  std::vector<Node> added;
  added.reserve(n);
  std::vector<uint32_t> depth_of_slot = {0};
  uint32_t depth = 0;
  for (size_t slot = 0; slot < order.size(); ++slot) {
    const auto src = static_cast<size_t>(order[slot]);
    const auto where = [src] { return "node " + std::to_string(src); };
    if (!std::isfinite(t.value[src])) return tree_error(tree_index, where() + " has a non-finite value");
    if (t.left[src] == -1 && t.right[src] == -1) {
      added.push_back(Node{std::numeric_limits<float>::quiet_NaN(), kLeafBit | kDefaultLeftBit,
                           static_cast<uint32_t>(base + slot), t.value[src]});
      depth = std::max(depth, depth_of_slot[slot]);
      continue;
    }
    const int32_t l = t.left[src];
    const int32_t r = t.right[src];
    if (l < 0 || r < 0 || static_cast<size_t>(l) >= n || static_cast<size_t>(r) >= n || l == r) {
      return tree_error(tree_index, where() + " has invalid children");
    }
    if (seen[l] || seen[r]) return tree_error(tree_index, where() + " reaches a node twice (not a tree)");
    if (t.feature[src] < 0 || static_cast<size_t>(t.feature[src]) >= num_features_) {
      return tree_error(tree_index, where() + " splits on feature " + std::to_string(t.feature[src]) + " of " +
                                        std::to_string(num_features_));
    }
    seen[l] = seen[r] = 1;
    const auto left_slot = static_cast<uint32_t>(base + order.size());
    order.push_back(l);
    order.push_back(r);
    depth_of_slot.push_back(depth_of_slot[slot] + 1);
    depth_of_slot.push_back(depth_of_slot[slot] + 1);
    const uint32_t flags = t.default_left[src] ? kDefaultLeftBit : 0u;
    added.push_back(Node{t.value[src], static_cast<uint32_t>(t.feature[src]) | flags, left_slot, 0.0f});
  }
  roots_.push_back(static_cast<uint32_t>(base));
  tree_depth_.push_back(depth);
  if (tree_index % kLanes == 0) group_depth_.push_back(0);
  group_depth_.back() = std::max(group_depth_.back(), depth);
  nodes_.insert(nodes_.end(), added.begin(), added.end());
  return Status::Ok();
}

TreeArrays TreeEnsemble::tree(size_t index) const {
  TreeArrays t;
  const size_t begin = roots_[index];
  const size_t end = index + 1 < roots_.size() ? roots_[index + 1] : nodes_.size();
  for (size_t i = begin; i < end; ++i) {
    const Node& node = nodes_[i];
    const bool leaf = (node.feature & kLeafBit) != 0;
    t.left.push_back(leaf ? -1 : static_cast<int32_t>(node.left - begin));
    t.right.push_back(leaf ? -1 : static_cast<int32_t>(node.left + 1 - begin));
    t.feature.push_back(leaf ? -1 : static_cast<int32_t>(node.feature & kFeatureMask));
    t.value.push_back(leaf ? node.leaf_value : node.threshold);
    t.default_left.push_back(!leaf && (node.feature & kDefaultLeftBit) != 0 ? 1 : 0);
  }
  return t;
}

nlohmann::json TreeEnsemble::to_json() const {
  nlohmann::json trees = nlohmann::json::array();
  for (size_t i = 0; i < roots_.size(); ++i) {
    const TreeArrays t = tree(i);
    // Floats widen to doubles exactly, and nlohmann prints doubles so that they read back
    // bit-for-bit, so a saved ensemble predicts exactly like the one in memory.
    trees.push_back({{"left", t.left},
                     {"right", t.right},
                     {"feature", t.feature},
                     {"value", t.value},
                     {"default_left", t.default_left}});
  }
  return {{"num_features", num_features_}, {"base_score", base_score_}, {"trees", std::move(trees)}};
}

Result<TreeEnsemble> TreeEnsemble::from_json(const nlohmann::json& j) {
  try {
    const int64_t num_features = j.at("num_features").get<int64_t>();
    if (num_features < 1 || num_features > static_cast<int64_t>(kFeatureMask)) {
      return make_error(ErrorCode::kParseError, "num_features out of range");
    }
    const double base_score = j.at("base_score").get<double>();
    if (!std::isfinite(base_score)) return make_error(ErrorCode::kParseError, "base_score is not finite");
    TreeEnsemble ensemble(static_cast<size_t>(num_features), base_score);
    const nlohmann::json& trees = j.at("trees");
    if (!trees.is_array()) return make_error(ErrorCode::kParseError, "'trees' is not an array");
    for (const auto& tj : trees) {
      TreeArrays t;
      tj.at("left").get_to(t.left);
      tj.at("right").get_to(t.right);
      tj.at("feature").get_to(t.feature);
      tj.at("value").get_to(t.value);
      tj.at("default_left").get_to(t.default_left);
      NNLAT_RETURN_IF_ERROR(ensemble.add_tree(t));
    }
    return ensemble;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, std::string("malformed tree ensemble: ") + e.what());
  }
}

}  // namespace nnlat::predictors
