#include "nnlat/app/zoo.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace nnlat::app {

Result<ZooListing> zoo_listing() {
  ZooListing listing;
  for (const auto& e : models::zoo_entries()) {
    NNLAT_ASSIGN_OR_RETURN(auto g, models::build_zoo_model(e.name, {}));
    listing.networks.push_back({&e, ir::graph_cost(g).total});
  }
  return listing;
}

nlohmann::ordered_json ZooListing::to_json() const {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& [e, total] : networks) {
    all.push_back({{"name", e->name},
                   {"family", e->family},
                   {"description", e->description},
                   {"resolution", e->reference_resolution},
                   {"macs", total.macs},
                   {"params", total.params},
                   {"published_mmacs", e->published_mmacs},
                   {"published_mparams", e->published_mparams},
                   {"citation", e->citation}});
  }
  return all;
}

std::string ZooListing::to_text() const {
  // The name column as wide as the longest name (transformer checkpoint names run past 30).
  size_t w = 22;
  for (const auto& n : networks) w = std::max(w, n.entry->name.size());
  std::string out = fmt::format("{:<{}} {:<20} {:>5} {:>10} {:>10} {:>12} {:>12}\n", "name", w, "family", "res",
                                "MMACs", "Mparams", "paper MMACs", "paper Mparams");
  for (const auto& [e, total] : networks) {
    out += fmt::format("{:<{}} {:<20} {:>5} {:>10.1f} {:>10.3f} {:>12.1f} {:>12.3f}\n", e->name, w, e->family,
                       e->reference_resolution, total.macs / 1e6, total.params / 1e6, e->published_mmacs,
                       e->published_mparams);
  }
  return out;
}

}  // namespace nnlat::app
