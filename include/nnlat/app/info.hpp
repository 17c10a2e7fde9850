// `nnlat info MODEL...`: a model's ops with shapes and costs (MACs, params, bytes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::app {

struct ModelInfo {
  ir::Graph graph;
  ir::GraphCost cost;

  // name, totals, num_ops, metadata, ops[] with shapes and costs.
  nlohmann::ordered_json to_json() const;
  // A table of the ops and a totals line, then an empty line.
  std::string to_text() const;
};

// One model reference (file, zoo:NAME, ...); directories are expanded by the caller
// (models::expand_model_references) so that each model's info can be shown as it loads.
Result<ModelInfo> model_info(const std::string& reference);

}  // namespace nnlat::app
