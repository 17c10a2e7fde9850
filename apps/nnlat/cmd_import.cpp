// `nnlat import mlbench|csv`: bring measurements taken elsewhere (phone datasets, a user's
// own table) into a store, where predictors learn from them like from our own profiling.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/app/import.hpp"

namespace nnlat::cli {
namespace {

// Progress lines on stderr, unless stdout is JSON for a script (then nothing but the JSON).
app::ProgressLine progress_unless(bool json) {
  if (json) return {};
  return [](const std::string& line) { fmt::print(stderr, "  {}\n", line); };
}

void add_import_mlbench(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand(
      "mlbench",
      "Import the mobile ML benchmark format (TFLite or PyTorch Mobile): end-to-end latencies per "
      "device|config|precision column, and per-operation GPU latencies with the kernel names");
  auto o = std::make_shared<app::MlbenchImportRequest>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--e2e", o->e2e, "End-to-end CSV (tflite_cnn_e2e.csv format, µs)")->required();
  cmd->add_option("--ops", o->ops,
                  "Per-operation GPU CSV (tflite_cnn_ops_gpu.csv or torch_cnn_ops_gpu.csv format); without it, models "
                  "must already be in "
                  "the store (imported before with their ops)");
  cmd->add_option("--db", o->db, "SQLite store (created if absent)")->required();
  cmd->add_option("--framework", o->framework,
                  "tflite | torch. Default: what the --ops file's operation names say (aten::, vulkan_prepack:: are "
                  "PyTorch Mobile's), else torch for an --e2e file named torch*, else tflite. PyTorch Mobile targets "
                  "are named device:torch-CONFIG:precision, the GPU by its API (pixel4:torch-vulkan:float)")
      ->check(CLI::IsMember({"tflite", "torch"}));
  cmd->add_flag("--json", *json, "Print the summary as JSON");
  cmd->callback([o, json, &exit_code] {
    auto result = app::import_mlbench(*o, progress_unless(*json));
    exit_code = print_result(result, *json, -1);
    if (result.ok()) {
      if (auto warning = result->warning()) fmt::print(stderr, "nnlat: warning: {}\n", *warning);
    }
  });
}

void add_import_csv(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand(
      "csv", "Import your own end-to-end measurements: a row per network, a column per target (named as the column)");
  auto o = std::make_shared<app::CsvImportRequest>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--csv", o->csv, "CSV file")->required();
  cmd->add_option("--model-column", o->model_column, "Column naming each network")->required();
  cmd->add_option("--format", o->format,
                  "How the model column names networks: nb201 (cell string) | nb101 (spec file) | zoo (zoo name) | "
                  "path (model file or any model reference)")
      ->required();
  cmd->add_option("--target-columns", o->target_columns, "Columns holding latencies, comma-separated; each is a target")
      ->required()
      ->delimiter(',');
  cmd->add_option("--unit", o->unit, "Unit of the latencies: ms | us")->required()->check(CLI::IsMember({"ms", "us"}));
  cmd->add_option("--db", o->db, "SQLite store (created if absent)")->required();
  cmd->add_flag("--json", *json, "Print the summary as JSON");
  cmd->callback(
      [o, json, &exit_code] { exit_code = print_result(app::import_csv(*o, progress_unless(*json)), *json, -1); });
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("import", "Import measurements taken elsewhere into a store");
  cmd->require_subcommand(1);
  add_import_mlbench(*cmd, exit_code);
  add_import_csv(*cmd, exit_code);
}

}  // namespace nnlat::cli
