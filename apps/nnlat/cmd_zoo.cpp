// `nnlat zoo [--json]`: the built-in networks with their costs and published figures.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::cli {

void add_zoo_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("zoo", "List the built-in model zoo (use as zoo:NAME[?width=W&res=R])");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON array");
  cmd->callback([json, &exit_code] {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    if (!*json) {
      fmt::print("{:<22} {:<20} {:>5} {:>10} {:>10} {:>12} {:>12}\n", "name", "family", "res", "MMACs", "Mparams",
                 "paper MMACs", "paper Mparams");
    }
    for (const auto& e : models::zoo_entries()) {
      auto g = models::build_zoo_model(e.name, {});
      if (!g.ok()) {
        exit_code = report(g.error());
        return;
      }
      const auto total = ir::graph_cost(*g).total;
      if (*json) {
        all.push_back({{"name", e.name},
                       {"family", e.family},
                       {"description", e.description},
                       {"resolution", e.reference_resolution},
                       {"macs", total.macs},
                       {"params", total.params},
                       {"published_mmacs", e.published_mmacs},
                       {"published_mparams", e.published_mparams},
                       {"citation", e.citation}});
      } else {
        fmt::print("{:<22} {:<20} {:>5} {:>10.1f} {:>10.3f} {:>12.1f} {:>12.3f}\n", e.name, e.family,
                   e.reference_resolution, total.macs / 1e6, total.params / 1e6, e.published_mmacs,
                   e.published_mparams);
      }
    }
    if (*json) fmt::print("{}\n", all.dump(2));
  });
}

}  // namespace nnlat::cli
