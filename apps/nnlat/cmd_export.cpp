// `nnlat export MODEL [--onnx FILE] [--tflite FILE] [--json FILE]`: write a model for other runtimes.
#include "cli_common.hpp"
#include "nnlat/app/export.hpp"

namespace nnlat::cli {

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Export a model as ONNX or TFLite (random weights) or nnlat JSON");
  auto o = std::make_shared<app::ExportRequest>();
  cmd->add_option("model", o->model, "Model reference")->required();
  cmd->add_option("--onnx", o->onnx, "Write an ONNX file with random weights");
  cmd->add_option("--tflite", o->tflite,
                  "Write a float32 TFLite file with random weights (ops TFLite runs natively; batch norms after "
                  "conv/fc are folded as the TFLite converter does)");
  cmd->add_option("--json", o->json, "Write the nnlat JSON graph");
  cmd->add_option("--seed", o->seed, "Seed of the random weights");
  cmd->callback([o, &exit_code] {
    const auto result = app::export_model(*o);
    exit_code = print_result(result, false);  // the files written, even when a later one failed
    if (result.ok() && result->failed) exit_code = report(*result->failed);
  });
}

}  // namespace nnlat::cli
