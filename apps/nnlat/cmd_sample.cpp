// `nnlat sample SPACE --n N --seed S --out DIR`: N distinct architectures as JSON graphs
// plus index.json with their encodings and hashes.
#include "cli_common.hpp"
#include "nnlat/app/sample.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::cli {

void add_sample_command(CLI::App& app, int& exit_code) {
  std::string spaces;
  for (const auto& s : models::space_names()) spaces += (spaces.empty() ? "" : ", ") + s;
  auto* cmd = app.add_subcommand("sample", "Sample distinct architectures from a NAS or block space (" + spaces + ")");
  auto o = std::make_shared<app::SampleRequest>();
  cmd->add_option("space", o->space,
                  "Space: " + spaces +
                      ". shuffle .. largedw: random networks of one block kind that single zoo families bring; "
                      "mixed: any kind per stage (docs/nas-spaces.md)")
      ->required();
  cmd->add_option("--n", o->n, "Number of distinct architectures")->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  cmd->add_option("--seed", o->seed, "Sampler seed (same seed, same list)");
  cmd->add_option("--out", o->out, "Output directory (created if missing)")->required();
  cmd->callback([o, &exit_code] { exit_code = print_result(app::sample_architectures(*o), false); });
}

}  // namespace nnlat::cli
