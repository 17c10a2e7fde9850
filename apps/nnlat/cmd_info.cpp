// `nnlat info MODEL... [--json]`: per-op table and totals of each model.
#include "cli_common.hpp"
#include "nnlat/app/info.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::cli {

void add_info_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("info", "Show a model's ops with shapes and costs (MACs, params, bytes)");
  auto models = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("models", *models, "Model references or directories of models")->required();
  cmd->add_flag("--json", *json, "One JSON object per model and line: name, macs, params, bytes, ops[]");
  cmd->callback([models, json, &exit_code] {
    auto refs = models::expand_model_references(*models);
    if (!refs.ok()) {
      exit_code = report(refs.error());
      return;
    }
    // Model by model, so that a long list shows its first models while the others load.
    for (const auto& ref : *refs) {
      exit_code = print_result(app::model_info(ref), *json, -1);
      if (exit_code != kExitOk) return;
    }
  });
}

}  // namespace nnlat::cli
