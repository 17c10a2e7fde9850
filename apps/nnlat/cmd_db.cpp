// `nnlat db stats|table|kernel-sum|export|drift`: what a measurement store holds, and its rows for pandas.
#include <fmt/core.h>

#include <iostream>

#include "cli_common.hpp"
#include "nnlat/app/db.hpp"
#include "nnlat/store/export.hpp"

namespace nnlat::cli {
namespace {

struct DbOptions {
  std::string db;
  bool json = false;
};

void add_table_commands(CLI::App* cmd, int& exit_code) {
  auto so = std::make_shared<DbOptions>();
  auto* stats = cmd->add_subcommand("stats", "Counts of targets, networks, kernels and measurements (per target too)");
  stats->add_option("--db", so->db, "SQLite store")->required();
  stats->add_flag("--json", so->json, "Print JSON");
  stats->callback([so, &exit_code] { exit_code = print_result(app::store_stats(so->db), so->json); });

  auto to = std::make_shared<DbOptions>();
  auto* table =
      cmd->add_subcommand("table", "Networks x targets: median end-to-end latency (ms) of the latest measurement");
  table->add_option("--db", to->db, "SQLite store")->required();
  table->callback([to, &exit_code] { exit_code = print_result(app::latency_table(to->db), false); });

  auto ko = std::make_shared<app::KernelSumRequest>();
  auto* ksum = cmd->add_subcommand(
      "kernel-sum", "Per network: sum of its kernels' isolated medians vs its end-to-end median, from the store");
  ksum->add_option("--db", ko->db, "SQLite store")->required();
  ksum->add_option("--target", ko->target, "Target")->capture_default_str();
  ksum->add_option("--rules", ko->rules, "Fusion rules that define the kernels")->capture_default_str();
  ksum->add_option("models", ko->models, "Model references (a directory: every model in it)")->required();
  ksum->callback([ko, &exit_code] { exit_code = print_result(app::kernel_sum(*ko), false); });
}

void add_db_export_command(CLI::App* cmd, int& exit_code) {
  struct ExportCliOptions {
    std::string db;
    std::string format = "csv";
    std::string target;
    std::string out;
  };
  auto eo = std::make_shared<ExportCliOptions>();
  auto* exp = cmd->add_subcommand("export", "One row per measurement (network and kernel) as CSV or JSON Lines");
  exp->add_option("--db", eo->db, "SQLite store")->required();
  exp->add_option("--format", eo->format, "csv or jsonl")->capture_default_str();
  exp->add_option("--target", eo->target, "Only this target");
  exp->add_option("-o,--out", eo->out, "Output file (default: stdout)");
  exp->callback([eo, &exit_code] {
    auto format = store::parse_export_format(eo->format);
    if (!format.ok()) {
      exit_code = report(format.error());
      return;
    }
    auto store = store::Store::open(eo->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    store::ExportOptions options{*format, std::nullopt};
    if (!eo->target.empty()) options.target = eo->target;
    auto rows = eo->out.empty() ? store::export_measurements(*store, options, std::cout)
                                : store::export_measurements(*store, options, eo->out);
    if (!rows.ok()) {
      exit_code = report(rows.error());
      return;
    }
    if (!eo->out.empty()) fmt::print(stderr, "wrote {} rows to {}\n", *rows, eo->out);
  });
}

}  // namespace

void add_db_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("db", "Inspect and export a measurement store");
  cmd->require_subcommand(1);
  add_table_commands(cmd, exit_code);
  add_db_export_command(cmd, exit_code);
  add_db_drift_command(*cmd, exit_code);
}

}  // namespace nnlat::cli
