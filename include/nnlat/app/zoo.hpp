// `nnlat zoo [--json]`: the built-in networks with their costs and published figures.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::app {

struct ZooNetwork {
  const models::ZooEntry* entry = nullptr;  // name, family, published figures
  ir::OpCost cost;                          // of the network at its reference setting
};

struct ZooListing {
  std::vector<ZooNetwork> networks;  // in registration order

  // [{name, family, description, resolution, macs, params, published_mmacs, published_mparams, citation}]
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;  // a header and one row per network
};

// Builds every registered zoo network at its reference setting to count its costs.
Result<ZooListing> zoo_listing();

}  // namespace nnlat::app
