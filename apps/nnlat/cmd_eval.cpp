// `nnlat eval --db DB --target T --method M --cv K|family [--json]`: cross-validated accuracy
// by network (or leave-one-family-out), beside the baselines on the same splits and the noise
// floor; or `--predictor P.json` on the networks of a store. The tables: EvalResult::to_text.
#include "cli_common.hpp"
#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/report.hpp"
#include "options_cli.hpp"

namespace nnlat::cli {

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval",
      "Accuracy of a method on held-out networks (k-fold CV by network, leave-one-family-out with --cv family, or "
      "repeated --train-size draws), beside the baselines and the noise floor");
  auto request = std::make_shared<app::EvalRequest>();
  auto flags = std::make_shared<std::pair<bool, bool>>(false, false);  // --json, --no-intervals
  auto html = std::make_shared<std::string>();                         // --report
  auto& o = *request;
  cmd->add_option("--db", o.db, "SQLite store")->required();
  cmd->add_option("--target", o.target, "Target, device:config:precision (default: the predictor's)");
  cmd->add_option("--method", o.training.method, "Method to evaluate (see `nnlat train --help`)")
      ->capture_default_str();
  cmd->add_option("--predictor", o.predictor, "Evaluate this trained predictor on the store's networks instead");
  cmd->add_flag("--calibrate", o.calibrate_drift,
                "With --predictor: scale its predictions by the drift between its training store and --db, from the "
                "reference networks both measured");
  add_transfer_source_flags(*cmd, o.transfer_from, o.training.encoding_features);
  cmd->add_option("--reference-networks", o.reference_networks,
                  "With --train-size and several transfer sources: this many reference networks (those that spread "
                  "the sources most, docs/transfer.md) are in every draw's training networks");
  cmd->add_option("--opwise-from", o.opwise_from,
                  "With --train-size: also the op-wise transfer from this source target (its opwise-gbdt kernel "
                  "predictor adapted per kernel family on the K networks' kernel rows, docs/transfer.md); in --json "
                  "as \"opwise_transfer\"");
  cmd->add_option("--rules", o.rules, "Fusion rules that define kernels (default: the target's)");
  cmd->add_option("--cv", o.cv,
                  "Folds of the cross-validation by network, or 'family': hold out each network family in turn "
                  "and train on the others")
      ->capture_default_str();
  cmd->add_option("--train-size", o.train_size, "Train on this many random networks, predict all others");
  cmd->add_option("--repeats", o.repeats, "Random draws with --train-size")->capture_default_str();
  cmd->add_option("--baselines", o.baselines, "Baselines on the same splits ('none' for none)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seed", o.training.seed, "Seed of the splits")->capture_default_str();
  cmd->add_flag("--no-intervals", flags->second, "Skip interval calibration inside each split (faster)");
  cmd->add_option("--csv", o.csv,
                  "Write every held-out prediction (all methods) to this CSV file, with the kernel-wise methods' "
                  "kernel sum beside the kernel times measured in the network (docs/predictors.md)");
  cmd->add_option("--report", *html,
                  "Also write the plots (predicted vs measured, error CDF, per family, interval coverage) and tables "
                  "to this self-contained HTML file (docs/report.md)");
  cmd->add_flag("--json", flags->first, "Print JSON");
  add_drift_flag(*cmd, o.training.correct_drift);
  add_regressor_flags(*cmd, o.training.regressor);
  cmd->callback([request, flags, html, &exit_code] {
    request->training.calibrate = !flags->second;
    if (const auto ready = app::check_report_library(); !html->empty() && !ready.ok()) {
      exit_code = report(ready.error());
      return;
    }
    const auto result = app::evaluate(*request);
    exit_code = print_result(result, flags->first, /*indent=*/-1);
    if (exit_code == kExitOk && !html->empty())
      exit_code = print_report(app::write_eval_report(*request, *result, *html));
  });
}

}  // namespace nnlat::cli
