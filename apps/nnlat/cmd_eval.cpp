// `nnlat eval --db DB --target T --method M --cv K [--json]`: cross-validated accuracy by
// network, beside the baselines on the same splits; or `--predictor P.json` on the networks
// of a store.
#include <fmt/core.h>

#include <fstream>

#include "cli_common.hpp"
#include "nnlat/eval/evaluation.hpp"
#include "nnlat/predictors/predictor.hpp"

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

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval", "Accuracy of a method on held-out networks (k-fold CV by network, or repeated --train-size draws)");
  struct Options {
    std::string db;
    std::string target;
    std::string method = "opwise-gbdt";
    std::string predictor;
    std::string rules;
    std::string from;
    int cv = 5;
    size_t train_size = 0;
    int repeats = 10;
    std::vector<std::string> baselines = {"flops", "lut", "e2e-ridge"};
    uint64_t seed = 0;
    bool json = false;
    bool no_intervals = false;
    std::string csv;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "SQLite store")->required();
  cmd->add_option("--target", o->target, "Target, device:config:precision (default: the predictor's)");
  cmd->add_option("--method", o->method, "Method to evaluate (see `nnlat train --help`)")->capture_default_str();
  cmd->add_option("--predictor", o->predictor, "Evaluate this trained predictor on the store's networks instead");
  cmd->add_option("--from", o->from,
                  "Transfer source target (--method transfer): its measured latencies are corrected on the target's "
                  "training networks");
  cmd->add_option("--rules", o->rules, "Fusion rules that define kernels (default: the target's)");
  cmd->add_option("--cv", o->cv, "Folds of the cross-validation by network")->capture_default_str();
  cmd->add_option("--train-size", o->train_size, "Train on this many random networks, predict all others");
  cmd->add_option("--repeats", o->repeats, "Random draws with --train-size")->capture_default_str();
  cmd->add_option("--baselines", o->baselines, "Baselines on the same splits ('none' for none)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the splits")->capture_default_str();
  cmd->add_flag("--no-intervals", o->no_intervals, "Skip interval calibration inside each split (faster)");
  cmd->add_option("--csv", o->csv, "Write every held-out prediction (all methods) to this CSV file");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, &exit_code] {
    std::optional<predictors::LatencyPredictor> predictor;
    if (!o->predictor.empty()) {
      auto p = predictors::LatencyPredictor::load(o->predictor);
      if (!p.ok()) {
        exit_code = report(p.error());
        return;
      }
      if (o->target.empty()) o->target = p->target();
      if (o->rules.empty()) o->rules = p->rules();
      predictor = std::move(*p);
    }
    if (o->target.empty()) {
      exit_code = report(make_error(ErrorCode::kInvalidArgument, "--target is required (or --predictor)"));
      return;
    }
    auto method = predictors::parse_method(o->method);
    if (!method.ok()) {
      exit_code = report(method.error());
      return;
    }
    std::vector<predictors::Method> baselines;
    for (const auto& b : o->baselines) {
      if (b == "none") continue;
      auto m = predictors::parse_method(b);
      if (!m.ok()) {
        exit_code = report(m.error().with_context("--baselines"));
        return;
      }
      if (*m != *method) baselines.push_back(*m);
    }
    auto data = app::load_training_set_from(o->db, o->target, o->rules, o->from);
    if (!data.ok()) {
      exit_code = report(data.error());
      return;
    }

    std::vector<eval::MethodReport> reports;  // chosen method first
    std::string protocol;
    if (predictor) {
      auto r = eval::evaluate_predictor(*predictor, *data);
      if (!r.ok()) {
        exit_code = report(r.error());
        return;
      }
      reports.push_back(std::move(*r));
      protocol = "predictor " + o->predictor + " on every network of the store (not held out unless you made it so)";
    } else {
      const bool repeated = o->train_size > 0;
      auto splits = repeated ? eval::train_size_splits(data->networks.size(), o->train_size, o->repeats, o->seed)
                             : eval::kfold_splits(data->networks.size(), o->cv, o->seed);
      if (!splits.ok()) {
        exit_code = report(splits.error().with_context(o->target));
        return;
      }
      protocol = repeated ? fmt::format("{} random draws of {} training networks, the others held out", o->repeats,
                                        o->train_size)
                          : fmt::format("{}-fold cross-validation by network", o->cv);
      std::vector<predictors::Method> methods = {*method};
      methods.insert(methods.end(), baselines.begin(), baselines.end());
      for (size_t i = 0; i < methods.size(); ++i) {
        predictors::TrainOptions options;
        options.method = methods[i];
        options.seed = o->seed;
        options.regressor.seed = o->seed;
        options.calibrate = !o->no_intervals;
        const bool needs_kernels = predictors::is_opwise(methods[i]) || methods[i] == predictors::Method::kLut;
        if (i > 0 && needs_kernels && data->kernels.empty()) continue;  // a kernel baseline without kernels
        auto r = eval::evaluate_splits(*data, *splits, options, repeated);
        if (!r.ok()) {
          exit_code = report(r.error().with_context(o->target));
          return;
        }
        reports.push_back(std::move(*r));
      }
    }

    if (!o->csv.empty()) {
      std::ofstream out(o->csv);
      out << "method,split,model,family,measured_ms,predicted_ms,low_ms,high_ms\n";
      for (const auto& r : reports) {
        for (const auto& n : r.results) {
          out << predictors::method_name(r.method) << ',' << n.repeat << ',' << n.name << ',' << n.family << ','
              << fmt::format("{},{},{},{}", n.measured_ms, n.predicted_ms, n.low_ms, n.high_ms) << '\n';
        }
      }
      if (!out) {
        exit_code = report(make_error(ErrorCode::kIoError, o->csv + ": cannot write"));
        return;
      }
    }

    auto noise = eval::noise_floor(*data);
    if (!noise.ok()) {
      exit_code = report(noise.error());
      return;
    }
    if (o->json) {
      nlohmann::json j = eval::method_report_to_json(reports.front(), /*with_results=*/true);
      j["noise_floor"] = eval::metrics_to_json(*noise);
      const auto& top = reports.front().per_repeat.empty() ? j : j["repeat_mean"];
      for (const char* key : {"mape", "rmspe", "rmse_ms", "acc5", "acc10", "kendall_tau", "spearman"})
        j[key] = top[key];
      j["target"] = o->target;
      j["protocol"] = protocol;
      j["kernels_measured"] = data->kernels.size();
      j["networks_measured"] = data->networks.size();
      nlohmann::json b = nlohmann::json::object();
      for (size_t i = 1; i < reports.size(); ++i) {
        b[std::string(predictors::method_name(reports[i].method))] =
            eval::method_report_to_json(reports[i], /*with_results=*/false);
      }
      j["baselines"] = b;
      fmt::print("{}\n", j.dump());
      return;
    }
    fmt::print("{}: {} networks, {} kernels measured; {}\n", o->target, data->networks.size(), data->kernels.size(),
               protocol);
    const bool repeated = !reports.front().per_repeat.empty();
    print_header(repeated ? "method (mean of draws)" : "method");
    for (const auto& r : reports) {
      // Without calibration the interval is the uncalibrated default: its coverage means nothing.
      const bool calibrated = !o->no_intervals || !o->predictor.empty();
      print_row(std::string(predictors::method_name(r.method)), repeated ? r.repeat_mean : r.overall,
                calibrated ? r.interval_coverage : -1);
    }
    for (const auto& r : reports) {
      if (r.implementation_kernels == 0) continue;
      fmt::print("kernel selection ({}): {:.1f}% of {} held-out kernels got the implementation the runtime chose\n",
                 predictors::method_name(r.method),
                 100.0 * static_cast<double>(r.implementation_right) / static_cast<double>(r.implementation_kernels),
                 r.implementation_kernels);
    }
    if (noise->n > 0) {
      print_row("noise floor (2nd run)", *noise, -1);
    } else {
      fmt::print("(noise floor unknown: no network was measured twice on this target)\n");
    }
    if (repeated) {
      fmt::print("\nspread over draws (standard deviation)\n");
      print_header("method");
      for (const auto& r : reports) print_row(std::string(predictors::method_name(r.method)), r.repeat_std, -1);
    }
    fmt::print("\nper network family ({})\n", predictors::method_name(reports.front().method));
    print_header("family");
    for (const auto& [family, m] : reports.front().per_family) print_row(family, m, -1);
  });
}

}  // namespace nnlat::cli
