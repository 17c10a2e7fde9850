// `nnlat predictors [--build [TARGET...]] [--json]`: the ready predictors of the shipped phone
// data, with their cross-validated accuracy where built (docs/ready-predictors.md).
#include <fmt/core.h>

#include <string>

#include "cli_common.hpp"
#include "nnlat/app/ready_predictors.hpp"

namespace nnlat::cli {

void add_predictors_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "predictors",
      "List the ready predictors (phone targets of the shipped data): method, training networks, cross-validated "
      "MAPE and ±10% where built");
  struct Options {
    app::ReadyPredictorsRequest request;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* build = cmd->add_option("--build", o->request.targets,
                                "Build (train, cross-validate and cache) these targets now, or all of them when none "
                                "is named; already cached ones are kept");
  build->expected(0, -1);
  cmd->add_flag("--json", o->json, "Print the listing as JSON");
  cmd->callback([o, build, &exit_code] {
    o->request.build = build->count() > 0;
    // A bare `--build` reaches here as one empty name (CLI11 2.1): it means every target.
    std::erase(o->request.targets, std::string());
    // Build steps on stderr, so that stdout stays the listing (or the JSON) alone.
    o->request.options.progress = [](const std::string& line) { fmt::print(stderr, "nnlat: {}\n", line); };
    exit_code = print_result(app::ready_predictors(o->request), o->json);
  });
}

}  // namespace nnlat::cli
