// `nnlat train --db DB --target T [--method M] -o P.json`: fit a predictor from the store.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/app/train.hpp"
#include "nnlat/app/training_data.hpp"
#include "options_cli.hpp"

namespace nnlat::cli {
namespace {

void print_summary(const app::TrainResult& r) {
  fmt::print("trained {} for {} (rules {}) on {} kernels and {} networks in {:.1f} s -> {}\n", r.method, r.target,
             r.rules, r.kernels, r.networks, r.train_seconds, r.predictor);
  if (r.unstable > 0) {
    fmt::print("note: {} kernels/networks were only measured unstably (high CV); their medians are used\n", r.unstable);
  }
  fmt::print("{}", app::transfer_match_text(r.transfer_sources, r.transfer_matches));
  if (r.traits.needs_kernels) {
    fmt::print("{:<14} {:>6}  {:<16} {}\n", "family", "rows", "model", "CV mean |log error| per candidate");
    for (const auto& f : r.families) {
      std::string sel;
      for (const auto& [kind, score] : f.selection.items()) sel += fmt::format("{}={:.3f} ", kind, score.get<double>());
      fmt::print("{:<14} {:>6}  {:<16} {}\n", f.name, f.rows, f.model, sel);
    }
  }
  if (r.traits.opwise) {
    const auto& ov = r.overhead;
    fmt::print(
        "overhead model ({}, fitted on {} networks): {:.4f} ms + {:.4f} ms per MB of weights + {:.4f} ms per MB "
        "of activations +\n",
        ov.per_family ? "per family" : "shared", ov.networks, ov.constant_ms, ov.per_weight_mb_ms,
        ov.per_activation_mb_ms);
    for (const auto& f : r.families) {
      fmt::print("  {:<14} {:+.4f} ms/kernel + {:.3f} x kernel sum\n", f.name, f.overhead_per_kernel_ms,
                 f.overhead_scale);
    }
  }
  const auto& iv = r.interval;
  if (iv.calibrated) {
    fmt::print("interval: {:.0f}% from {} out-of-fold networks: x{:.3f} .. x{:.3f}\n", 100 * iv.coverage, iv.networks,
               iv.low_ratio, iv.high_ratio);
  } else {
    fmt::print("interval: NOT calibrated (needs at least 5 networks measured on the target); default x0.8 .. x1.25\n");
  }
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train a latency predictor for a target from the measurements in a store");
  auto request = std::make_shared<app::TrainRequest>();
  auto json = std::make_shared<bool>(false);
  auto& o = *request;
  cmd->add_option("--db", o.db, "SQLite store")->required();
  cmd->add_option("--target", o.target, "Target, device:config:precision")->required();
  cmd->add_option("--method", o.training.method,
                  "opwise-gbdt | opwise-rf | opwise-linear | opwise-mlp | opwise-ensemble | lut | flops | e2e-gbdt | "
                  "e2e-ridge | "
                  "transfer (with --from SOURCE[,SOURCE...] or --from-all) | transfer-single (the one --from source "
                  "closest on the training networks) | transfer-select (transfer, the multi-task GBDT or the single "
                  "source, chosen by leave-one-target-out) | transfer-gbdt (the multi-task GBDT alone; experimental, "
                  "below transfer on the phones: docs/transfer.md)")
      ->capture_default_str();
  add_transfer_source_flags(*cmd, o.transfer_from, o.training.encoding_features);
  cmd->add_option("--rules", o.rules, "Fusion rules that define kernels (default: xnnpack, tflite-gpu for GPUs)");
  cmd->add_option("-o,--output", o.output, "Predictor file to write (.json)")->required();
  cmd->add_option("--seed", o.training.seed, "Seed of the model-selection and calibration folds")
      ->capture_default_str();
  cmd->add_option("--coverage", o.training.coverage, "Nominal coverage of the prediction interval")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 0.99));
  cmd->add_option("--threads", o.training.threads, "Training threads (XGBoost)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--json", *json, "Print the predictor's summary as JSON");
  add_regressor_flags(*cmd, o.training.regressor);
  add_drift_flag(*cmd, o.training.correct_drift);
  cmd->callback([request, json, &exit_code] { exit_code = print_result(app::train(*request), *json, print_summary); });
}

}  // namespace nnlat::cli
