// `nnlat import mlbench|csv`: bring measurements taken elsewhere (phone datasets, a user's
// own table) into a store, where predictors learn from them like from our own profiling.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/campaigns/csv_measurements.hpp"
#include "nnlat/campaigns/mlbench.hpp"

namespace nnlat::cli {
namespace {

void print_line(const std::string& line) { fmt::print(stderr, "  {}\n", line); }

void add_import_mlbench(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand(
      "mlbench",
      "Import the mobile ML benchmark format: end-to-end latencies per device|config|precision column, "
      "and per-operation GPU latencies with the delegate's kernel names");
  struct Options {
    std::string e2e;
    std::string ops;
    std::string db;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--e2e", o->e2e, "End-to-end CSV (tflite_cnn_e2e.csv format, µs)")->required();
  cmd->add_option("--ops", o->ops,
                  "Per-operation GPU CSV (tflite_cnn_ops_gpu.csv format); without it, models must already be in "
                  "the store (imported before with their ops)");
  cmd->add_option("--db", o->db, "SQLite store (created if absent)")->required();
  cmd->add_flag("--json", o->json, "Print the summary as JSON");
  cmd->callback([o, &exit_code] {
    auto store = store::Store::open(o->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    campaigns::ImportOptions options;
    options.e2e_path = o->e2e;
    if (!o->ops.empty()) options.ops_path = o->ops;
    if (!o->json) options.progress = print_line;
    auto summary = campaigns::import_mlbench(*store, options);
    if (!summary.ok()) {
      exit_code = report(summary.error());
      return;
    }
    const auto& s = *summary;
    if (o->json) {
      fmt::print("{}\n", nlohmann::json{{"targets", s.targets},
                                        {"networks", s.networks},
                                        {"measurements", s.measurements},
                                        {"already_imported", s.already_imported},
                                        {"with_kernel_timings", s.with_kernel_timings},
                                        {"missing", s.missing},
                                        {"unknown_models", s.unknown_models}}
                             .dump());
    } else {
      fmt::print(
          "imported {} measurements ({} with per-kernel GPU timings) of {} networks on {} targets into {}; "
          "{} already there, {} cells missing\n",
          s.measurements, s.with_kernel_timings, s.networks, s.targets, o->db, s.already_imported, s.missing);
    }
    if (!s.unknown_models.empty()) {
      fmt::print(stderr, "nnlat: warning: {} models have no op sequence (pass --ops) and were not imported: {}{}\n",
                 s.unknown_models.size(), s.unknown_models.front(), s.unknown_models.size() > 1 ? ", ..." : "");
    }
  });
}

void add_import_csv(CLI::App& parent, int& exit_code) {
  auto* cmd = parent.add_subcommand(
      "csv", "Import your own end-to-end measurements: a row per network, a column per target (named as the column)");
  struct Options {
    std::string csv;
    std::string model_column;
    std::string format;
    std::vector<std::string> targets;
    std::string unit;
    std::string db;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--csv", o->csv, "CSV file")->required();
  cmd->add_option("--model-column", o->model_column, "Column naming each network")->required();
  cmd->add_option("--format", o->format,
                  "How the model column names networks: nb201 (cell string) | nb101 (spec file) | zoo (zoo name) | "
                  "path (model file or any model reference)")
      ->required();
  cmd->add_option("--target-columns", o->targets, "Columns holding latencies, comma-separated; each is a target")
      ->required()
      ->delimiter(',');
  cmd->add_option("--unit", o->unit, "Unit of the latencies: ms | us")->required()->check(CLI::IsMember({"ms", "us"}));
  cmd->add_option("--db", o->db, "SQLite store (created if absent)")->required();
  cmd->add_flag("--json", o->json, "Print the summary as JSON");
  cmd->callback([o, &exit_code] {
    auto format = campaigns::parse_model_column_format(o->format);
    if (!format.ok()) {
      exit_code = report(format.error());
      return;
    }
    auto store = store::Store::open(o->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    campaigns::CsvImportOptions options;
    options.csv_path = o->csv;
    options.model_column = o->model_column;
    options.format = *format;
    options.target_columns = o->targets;
    options.ms_per_unit = o->unit == "us" ? 1e-3 : 1.0;
    if (!o->json) options.progress = print_line;
    auto summary = campaigns::import_csv_measurements(*store, options);
    if (!summary.ok()) {
      exit_code = report(summary.error());
      return;
    }
    const auto& s = *summary;
    if (o->json) {
      fmt::print("{}\n", nlohmann::json{{"networks", s.networks},
                                        {"measurements", s.measurements},
                                        {"already_imported", s.already_imported},
                                        {"skipped", s.skipped}}
                             .dump());
    } else {
      fmt::print(
          "imported {} measurements of {} networks into {}; {} already there, {} cells skipped (missing or "
          "not positive)\n",
          s.measurements, s.networks, o->db, s.already_imported, s.skipped);
    }
  });
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("import", "Import measurements taken elsewhere into a store");
  cmd->require_subcommand(1);
  add_import_mlbench(*cmd, exit_code);
  add_import_csv(*cmd, exit_code);
}

}  // namespace nnlat::cli
