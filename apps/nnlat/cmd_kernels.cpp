// `nnlat kernels MODEL... --rules NAME [--json]`: the kernels a framework really runs.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
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
    for (const auto& ref : *refs) {
      auto graph = models::load_model(ref);
      if (!graph.ok()) {
        exit_code = report(graph.error());
        return;
      }
      auto kernels = fusion::detect_kernels(*graph, *rules);
      if (!kernels.ok()) {
        exit_code = report(kernels.error().with_context(ref));
        return;
      }
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      if (!o->json) {
        fmt::print("{} ({} ops -> {} kernels, rules {})\n", graph->name, graph->nodes().size(), kernels->size(),
                   rules->name);
        fmt::print("{:<5} {:<40} {:<18} {:<18} {:>14}  {}\n", "#", "kernel", "type", "output", "MACs", "fused ops");
      }
      for (size_t i = 0; i < kernels->size(); ++i) {
        const auto& k = (*kernels)[i];
        int64_t macs = 0;
        std::string ops;
        for (auto id : k.nodes) {
          macs += ir::node_cost(*graph, id).macs;
          if (!ops.empty()) ops += '+';
          ops += ir::op_name(graph->node(id).op);
        }
        const auto& out_shape = graph->value(graph->node(k.nodes.back()).outputs[0]).shape;
        if (o->json) {
          list.push_back(
              {{"name", k.name}, {"type", k.type}, {"ops", ops}, {"output_shape", out_shape}, {"macs", macs}});
        } else {
          fmt::print("{:<5} {:<40} {:<18} {:<18} {:>14}  {}\n", i, k.name, k.type, ir::shape_to_string(out_shape), macs,
                     ops);
        }
      }
      if (o->json) {
        nlohmann::ordered_json doc{{"model", graph->name}, {"rules", rules->name}, {"kernels", list}};
        fmt::print("{}\n", doc.dump());
      } else {
        fmt::print("\n");
      }
    }
  });
}

}  // namespace nnlat::cli
