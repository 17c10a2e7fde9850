// `nnlat report --db DB [--target T] -o report.html`: one self-contained HTML file with the
// plots and tables of a target (app/report.hpp, docs/report.md).
#include "cli_common.hpp"
#include "nnlat/app/report.hpp"
#include "options_cli.hpp"

namespace nnlat::cli {

void add_report_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML report of a target (opens offline): predicted vs measured per method beside the "
      "FLOPs, lookup-table and whole-network baselines, error CDF, error per family, interval coverage, learning "
      "curve, a network's per-kernel breakdown, and (from `nnlat analyze`, where the store holds the data) thread "
      "and core-set scaling and the GPU implementation map, then the tables");
  auto request = std::make_shared<app::ReportRequest>();
  struct Flags {
    bool json = false;
    bool no_learning_curve = false;
    bool no_intervals = false;
  };
  auto flags = std::make_shared<Flags>();
  auto& o = *request;
  cmd->add_option("--db", o.db, "SQLite store")->required();
  cmd->add_option("--target", o.target, "Target, device:config:precision (default: the store's only target)");
  cmd->add_option("-o,--output", o.output, "HTML file to write")->capture_default_str();
  cmd->add_option("--method", o.training.method, "Method to evaluate (see `nnlat train --help`)")
      ->capture_default_str();
  cmd->add_option("--cv", o.cv, "Folds of the cross-validation by network, or 'family' (as `nnlat eval --cv`)")
      ->capture_default_str();
  cmd->add_option("--network", o.network,
                  "Network whose per-kernel breakdown is drawn (default: the slowest with a measured breakdown)");
  cmd->add_option("--kernels", o.kernel_budgets, "Kernel budgets of the learning curve (0: all)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--repeats", o.curve_repeats, "Random test sets averaged in the learning curve")
      ->capture_default_str();
  cmd->add_flag("--no-learning-curve", flags->no_learning_curve,
                "Leave the learning curve out (it trains many models)");
  cmd->add_flag("--no-intervals", flags->no_intervals,
                "Skip interval calibration inside each split (faster; the coverage plot then says so)");
  cmd->add_option("--seed", o.training.seed, "Seed of the splits")->capture_default_str();
  cmd->add_flag("--json", flags->json, "Print JSON");
  add_drift_flag(*cmd, o.training.correct_drift);
  add_regressor_flags(*cmd, o.training.regressor);
  cmd->callback([request, flags, &exit_code] {
    request->learning_curve = !flags->no_learning_curve;
    request->training.calibrate = !flags->no_intervals;
    exit_code = print_result(app::report(*request), flags->json);
  });
}

}  // namespace nnlat::cli
