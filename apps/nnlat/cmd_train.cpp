// `nnlat train --db DB --target T [--method M] -o P.json`: fit a predictor from the store.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "cli_common.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::cli {

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train a latency predictor for a target from the measurements in a store");
  struct Options {
    std::string db;
    std::string target;
    std::string method = "opwise-gbdt";
    std::string rules;
    std::string from;
    std::string output;
    uint64_t seed = 0;
    double coverage = 0.9;
    int threads = 1;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "SQLite store")->required();
  cmd->add_option("--target", o->target, "Target, device:config:precision")->required();
  cmd->add_option("--method", o->method,
                  "opwise-gbdt | opwise-rf | opwise-linear | opwise-mlp | opwise-ensemble | lut | flops | e2e-gbdt | "
                  "e2e-ridge | "
                  "transfer (with --from SOURCE)")
      ->capture_default_str();
  cmd->add_option("--from", o->from,
                  "Transfer source target (--method transfer): its measured latencies are corrected on the target's "
                  "training networks");
  cmd->add_option("--rules", o->rules, "Fusion rules that define kernels (default: xnnpack, tflite-gpu for GPUs)");
  cmd->add_option("-o,--output", o->output, "Predictor file to write (.json)")->required();
  cmd->add_option("--seed", o->seed, "Seed of the model-selection and calibration folds")->capture_default_str();
  cmd->add_option("--coverage", o->coverage, "Nominal coverage of the prediction interval")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 0.99));
  cmd->add_option("--threads", o->threads, "Training threads (XGBoost)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--json", o->json, "Print the predictor's summary as JSON");
  cmd->callback([o, &exit_code] {
    auto method = predictors::parse_method(o->method);
    if (!method.ok()) {
      exit_code = report(method.error());
      return;
    }
    auto data = app::load_training_set_from(o->db, o->target, o->rules, o->from);
    if (!data.ok()) {
      exit_code = report(data.error());
      return;
    }
    predictors::TrainOptions options;
    options.method = *method;
    options.seed = o->seed;
    options.coverage = o->coverage;
    options.regressor.threads = o->threads;
    options.regressor.seed = o->seed;
    auto predictor = predictors::LatencyPredictor::train(*data, options);
    if (!predictor.ok()) {
      exit_code = report(predictor.error().with_context(o->target));
      return;
    }
    if (auto st = predictor->save(o->output); !st.ok()) {
      exit_code = report(st.error());
      return;
    }
    const auto j = predictor->to_json();
    if (o->json) {
      nlohmann::json summary = {{"predictor", o->output},    {"method", j["method"]},
                                {"target", j["target"]},     {"rules", j["rules"]},
                                {"overhead", j["overhead"]}, {"interval", j["interval"]},
                                {"training", j["training"]}, {"families", nlohmann::json::object()}};
      for (const auto& [name, fam] : j["families"].items()) {
        summary["families"][name] = {
            {"rows", fam["rows"]},
            {"model", fam["model"].is_null() ? nlohmann::json("ratio-fallback") : fam["model"]["kind"]},
            {"selection", fam["selection"]}};
      }
      fmt::print("{}\n", summary.dump());
      return;
    }
    fmt::print("trained {} for {} (rules {}) on {} kernels and {} networks in {:.1f} s -> {}\n", o->method, o->target,
               data->rules, j["training"]["kernels"].get<size_t>(), j["training"]["networks"].get<size_t>(),
               j["training"]["train_seconds"].get<double>(), o->output);
    if (data->unstable > 0) {
      fmt::print("note: {} kernels/networks were only measured unstably (high CV); their medians are used\n",
                 data->unstable);
    }
    if (predictors::is_opwise(*method) || *method == predictors::Method::kLut) {
      fmt::print("{:<14} {:>6}  {:<16} {}\n", "family", "rows", "model", "CV mean |log error| per candidate");
      for (const auto& [name, fam] : j["families"].items()) {
        std::string sel;
        for (const auto& [kind, score] : fam["selection"].items())
          sel += fmt::format("{}={:.3f} ", kind, score.get<double>());
        fmt::print("{:<14} {:>6}  {:<16} {}\n", name, fam["rows"].get<size_t>(),
                   fam["model"].is_null() ? std::string("ratio-fallback") : fam["model"]["kind"].get<std::string>(),
                   sel);
      }
    }
    if (predictors::is_opwise(*method)) {
      const auto& ov = j["overhead"];
      fmt::print(
          "overhead model ({}, fitted on {} networks): {:.4f} ms + {:.4f} ms per MB of weights + {:.4f} ms per MB "
          "of activations +\n",
          ov["per_family"].get<bool>() ? "per family" : "shared", ov["networks"].get<size_t>(),
          ov["constant_ms"].get<double>(), ov["per_weight_mb_ms"].get<double>(),
          ov["per_activation_mb_ms"].get<double>());
      for (const auto& [name, fam] : j["families"].items()) {
        fmt::print("  {:<14} {:+.4f} ms/kernel + {:.3f} x kernel sum\n", name, ov["per_kernel_ms"][name].get<double>(),
                   ov["scale"][name].get<double>());
      }
    }
    const auto& iv = j["interval"];
    if (iv["calibrated"].get<bool>()) {
      fmt::print("interval: {:.0f}% from {} out-of-fold networks: x{:.3f} .. x{:.3f}\n",
                 100 * iv["coverage"].get<double>(), iv["networks"].get<size_t>(),
                 std::exp(std::min(0.0, iv["low_log_ratio"].get<double>())),
                 std::exp(std::max(0.0, iv["high_log_ratio"].get<double>())));
    } else {
      fmt::print(
          "interval: NOT calibrated (needs at least 5 networks measured on the target); default x0.8 .. x1.25\n");
    }
  });
}

}  // namespace nnlat::cli
