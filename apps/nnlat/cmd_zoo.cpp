// `nnlat zoo [--json]`: the built-in networks with their costs and published figures.
#include "cli_common.hpp"
#include "nnlat/app/zoo.hpp"

namespace nnlat::cli {

void add_zoo_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("zoo", "List the built-in model zoo (use as zoo:NAME[?width=W&res=R])");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON array");
  cmd->callback([json, &exit_code] { exit_code = print_result(app::zoo_listing(), *json); });
}

}  // namespace nnlat::cli
