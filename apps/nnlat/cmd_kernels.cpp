// `nnlat kernels MODEL... --rules NAME [--json]`: the kernels a framework really runs.
#include "cli_common.hpp"
#include "nnlat/app/kernels.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::cli {

void add_kernels_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("kernels", "List the kernels of a model after a framework's fusions");
  struct Options {
    std::vector<std::string> models;
    std::string rules = "xnnpack";
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("models", o->models, "Model references or directories")->required();
  cmd->add_option("--rules", o->rules, "Fusion rule set: xnnpack, tflite-gpu, none, or a rule file .json")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "One JSON object per model and line");
  cmd->callback([o, &exit_code] {
    auto rules = fusion::load_rule_set(o->rules);
    if (!rules.ok()) {
      exit_code = report(rules.error());
      return;
    }
    auto refs = models::expand_model_references(o->models);
    if (!refs.ok()) {
      exit_code = report(refs.error());
      return;
    }
    for (const auto& ref : *refs) {  // model by model, as each loads
      exit_code = print_result(app::model_kernels(ref, *rules), o->json, -1);
      if (exit_code != kExitOk) return;
    }
  });
}

}  // namespace nnlat::cli
