// `nnlat help-options`: every declared option (flag, JSON key, default, bounds) as markdown;
// docs/options.md is its output.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/app/options_reference.hpp"

namespace nnlat::cli {

void add_help_options_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("help-options", "Print the reference of every option (flags, JSON keys) as markdown");
  cmd->callback([&exit_code] {
    fmt::print("{}", app::options_reference_markdown());
    exit_code = kExitOk;
  });
}

}  // namespace nnlat::cli
