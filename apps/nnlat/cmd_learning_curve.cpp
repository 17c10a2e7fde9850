// `nnlat learning-curve --db DB --target T [--method M]`: accuracy on held-out networks
// versus the number of profiled kernels and training networks, as a table and a CSV.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/app/learning_curve.hpp"
#include "options_cli.hpp"

namespace nnlat::cli {
namespace {

void print_table(const app::LearningCurveResult& r) {
  fmt::print("{} {}: {} held-out networks per repeat, {} repeats; pool {} networks, {} kernels\n", r.target, r.method,
             r.curve.test_networks, r.repeats, r.curve.pool_networks, r.curve.pool_kernels);
  fmt::print("{:>8} {:>9} {:>8} {:>8} {:>7} {:>7} {:>6} {:>6}\n", "kernels", "networks", "MAPE", "+-std", "+-5%",
             "+-10%", "tau", "rho");
  for (const auto& p : r.curve.points) {
    fmt::print("{:>8} {:>9} {:>7.2f}% {:>7.2f}% {:>6.1f}% {:>6.1f}% {:>6.3f} {:>6.3f}\n", p.kernels, p.networks,
               100 * p.mean.mape, 100 * p.mape_std, 100 * p.mean.acc5, 100 * p.mean.acc10, p.mean.kendall_tau,
               p.mean.spearman);
  }
}

}  // namespace

void add_learning_curve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("learning-curve",
                                 "Accuracy on held-out networks versus profiled kernels and training networks");
  auto request = std::make_shared<app::LearningCurveRequest>();
  auto json = std::make_shared<bool>(false);
  auto& o = *request;
  cmd->add_option("--db", o.db, "SQLite store")->required();
  cmd->add_option("--target", o.target, "Target, device:config:precision")->required();
  cmd->add_option("--method", o.training.method, "Method (see `nnlat train --help`)")->capture_default_str();
  add_transfer_source_flags(*cmd, o.transfer_from, o.training.encoding_features);
  cmd->add_option("--rules", o.rules, "Fusion rules that define kernels (default: the target's)");
  cmd->add_option("--kernels", o.kernel_budgets, "Kernel budgets (0: all)")->delimiter(',')->capture_default_str();
  cmd->add_option("--networks", o.network_budgets, "Training-network budgets (0: all not held out)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--test-fraction", o.test_fraction, "Share of networks held out")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 0.9));
  cmd->add_option("--repeats", o.repeats, "Random test sets averaged")->capture_default_str();
  cmd->add_option("--seed", o.training.seed, "Seed")->capture_default_str();
  cmd->add_option("--csv", o.csv, "Also write the curve to this CSV file");
  cmd->add_flag("--json", *json, "Print JSON");
  add_regressor_flags(*cmd, o.training.regressor);
  add_drift_flag(*cmd, o.training.correct_drift);
  cmd->callback(
      [request, json, &exit_code] { exit_code = print_result(app::learning_curve(*request), *json, print_table); });
}

}  // namespace nnlat::cli
