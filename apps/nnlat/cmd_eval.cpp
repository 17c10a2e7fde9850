// `nnlat eval --db DB --target T --method M --cv K [--json]`: cross-validated accuracy by
// network, beside the baselines on the same splits; or `--predictor P.json` on the networks
// of a store.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/app/evaluate.hpp"
#include "options_cli.hpp"

namespace nnlat::cli {
namespace {

// `coverage` < 0: not applicable (printed as "-").
void print_row(const std::string& label, const eval::Metrics& m, double coverage) {
  fmt::print("{:<22} {:>5} {:>7.2f}% {:>7.2f}% {:>10.4f} {:>6.1f}% {:>6.1f}% {:>6.3f} {:>6.3f} {:>7}\n", label, m.n,
             100 * m.mape, 100 * m.rmspe, m.rmse_ms, 100 * m.acc5, 100 * m.acc10, m.kendall_tau, m.spearman,
             coverage < 0 ? std::string("-") : fmt::format("{:.0f}%", 100 * coverage));
}

void print_header(const std::string& first) {
  fmt::print("{:<22} {:>5} {:>8} {:>8} {:>10} {:>7} {:>7} {:>6} {:>6} {:>7}\n", first, "n", "MAPE", "RMSPE", "RMSE ms",
             "+-5%", "+-10%", "tau", "rho", "in-int");
}

void print_tables(const app::EvalResult& r) {
  fmt::print("{}: {} networks, {} kernels measured; {}\n", r.target, r.networks_measured, r.kernels_measured,
             r.protocol);
  print_header(r.repeated ? "method (mean of draws)" : "method");
  for (const auto& m : r.reports) {
    print_row(std::string(predictors::method_name(m.method)), r.repeated ? m.repeat_mean : m.overall,
              r.intervals_calibrated ? m.interval_coverage : -1);
  }
  for (const auto& m : r.reports) {
    if (m.implementation_kernels == 0) continue;
    fmt::print("kernel selection ({}): {:.1f}% of {} held-out kernels got the implementation the runtime chose\n",
               predictors::method_name(m.method),
               100.0 * static_cast<double>(m.implementation_right) / static_cast<double>(m.implementation_kernels),
               m.implementation_kernels);
  }
  if (r.noise_floor.n > 0) {
    print_row("noise floor (2nd run)", r.noise_floor, -1);
  } else {
    fmt::print("(noise floor unknown: no network was measured twice on this target)\n");
  }
  if (r.repeated) {
    fmt::print("\nspread over draws (standard deviation)\n");
    print_header("method");
    for (const auto& m : r.reports) print_row(std::string(predictors::method_name(m.method)), m.repeat_std, -1);
  }
  fmt::print("\nper network family ({})\n", predictors::method_name(r.reports.front().method));
  print_header("family");
  for (const auto& [family, m] : r.reports.front().per_family) print_row(family, m, -1);
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval", "Accuracy of a method on held-out networks (k-fold CV by network, or repeated --train-size draws)");
  auto request = std::make_shared<app::EvalRequest>();
  auto flags = std::make_shared<std::pair<bool, bool>>(false, false);  // --json, --no-intervals
  auto& o = *request;
  cmd->add_option("--db", o.db, "SQLite store")->required();
  cmd->add_option("--target", o.target, "Target, device:config:precision (default: the predictor's)");
  cmd->add_option("--method", o.training.method, "Method to evaluate (see `nnlat train --help`)")
      ->capture_default_str();
  cmd->add_option("--predictor", o.predictor, "Evaluate this trained predictor on the store's networks instead");
  cmd->add_option("--from", o.transfer_from,
                  "Transfer source target (--method transfer): its measured latencies are corrected on the target's "
                  "training networks");
  cmd->add_option("--rules", o.rules, "Fusion rules that define kernels (default: the target's)");
  cmd->add_option("--cv", o.cv, "Folds of the cross-validation by network")->capture_default_str();
  cmd->add_option("--train-size", o.train_size, "Train on this many random networks, predict all others");
  cmd->add_option("--repeats", o.repeats, "Random draws with --train-size")->capture_default_str();
  cmd->add_option("--baselines", o.baselines, "Baselines on the same splits ('none' for none)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seed", o.training.seed, "Seed of the splits")->capture_default_str();
  cmd->add_flag("--no-intervals", flags->second, "Skip interval calibration inside each split (faster)");
  cmd->add_option("--csv", o.csv, "Write every held-out prediction (all methods) to this CSV file");
  cmd->add_flag("--json", flags->first, "Print JSON");
  add_regressor_flags(*cmd, o.training.regressor);
  cmd->callback([request, flags, &exit_code] {
    request->training.calibrate = !flags->second;
    exit_code = print_result(app::evaluate(*request), flags->first, print_tables);
  });
}

}  // namespace nnlat::cli
