// `nnlat predict --predictor P.json | --target TARGET MODEL... [--json]`: latency with interval
// and the per-kernel breakdown (where the time goes); --target uses a ready predictor.
// `--encodings FILE --space SPACE` instead of models: NAS encodings through the fast path,
// one latency a line.
#include <fmt/core.h>

#include <algorithm>
#include <numeric>

#include "cli_common.hpp"
#include "nnlat/app/predict.hpp"
#include "nnlat/app/predict_encodings.hpp"

namespace nnlat::cli {
namespace {

// The network line and, unless disabled, the `top` slowest kernels with their shares.
void print_model(const app::ModelPrediction& m, bool breakdown, size_t top) {
  const auto& pred = m.prediction;
  fmt::print("{:<32} {:>10.3f} ms  [{:.3f} .. {:.3f}]  {} kernels", m.name, pred.latency_ms, pred.low_ms, pred.high_ms,
             m.kernels);
  if (pred.extrapolated_kernels > 0) fmt::print("  ({} outside the training range)", pred.extrapolated_kernels);
  fmt::print("\n");
  if (!breakdown || pred.kernels.empty()) return;
  std::vector<size_t> order(pred.kernels.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pred.kernels[a].latency_ms > pred.kernels[b].latency_ms; });
  const size_t shown = top == 0 ? order.size() : std::min(top, order.size());
  fmt::print("  {:<36} {:<18} {:>10} {:>7} {:>7}\n", "kernel", "type", "ms", "share", "cum");
  double cum = 0;
  for (size_t i = 0; i < shown; ++i) {
    const auto& k = pred.kernels[order[i]];
    const double share = pred.kernel_sum_ms > 0 ? k.latency_ms / pred.kernel_sum_ms : 0.0;
    cum += share;
    fmt::print("  {:<36} {:<18} {:>10.4f} {:>6.1f}% {:>6.1f}%{}\n", k.name, k.type, k.latency_ms, 100 * share,
               100 * cum, k.extrapolated ? "  (extrapolated)" : "");
  }
  if (shown < order.size()) fmt::print("  ... {} more kernels (--top 0 shows all)\n", order.size() - shown);
  const double overhead = pred.latency_ms - pred.kernel_sum_ms;
  fmt::print("  kernel sum {:.3f} ms, overhead model {:+.3f} ms\n", pred.kernel_sum_ms, overhead);
}

// One latency a line (shortest exact form, so that scripts read back the same double), or
// one JSON object a line.
int run_encodings(app::PredictEncodingsRequest& request, bool json) {
  auto result = app::predict_encodings(request);
  if (!result.ok()) return report(result.error());
  std::string out;
  for (size_t i = 0; i < result->predictions.size(); ++i) {
    out += json ? result->to_json(i).dump() : fmt::format("{}", result->predictions[i].latency_ms);
    out += '\n';
    if (out.size() > (1u << 16)) {
      fmt::print("{}", out);
      out.clear();
    }
  }
  fmt::print("{}", out);
  return 0;
}

}  // namespace

void add_predict_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("predict", "Predict the latency of models with a trained predictor");
  struct Options {
    app::PredictRequest request;
    bool json = false;
    size_t top = 10;
    bool no_breakdown = false;
    std::string report;  // --report FILE
    app::PredictEncodingsRequest encodings;
  };
  auto o = std::make_shared<Options>();
  auto* file = cmd->add_option("--predictor", o->request.predictor, "Predictor file written by `nnlat train`");
  auto* target = cmd->add_option(
      "--target", o->request.target,
      "Instead of --predictor: a ready predictor for a phone target, e.g. pixel4:gpu:float, "
      "trained from the shipped phone data on first use and cached (`nnlat predictors`); trained on CNNs "
      "only: far too low for vision transformers (docs/transformers.md)");
  file->excludes(target);
  auto* models = cmd->add_option("models", o->request.models, "Model references or directories");
  auto* encodings = cmd->add_option("--encodings", o->encodings.encodings_file,
                                    "Instead of models: a file of NAS encodings of --space, one a line (blank and '#' "
                                    "lines skipped), predicted through the memoised fast path; prints one latency "
                                    "(ms) a line in file order, or one JSON object a line with --json");
  encodings->excludes(models);
  auto* space = cmd->add_option("--space", o->encodings.space,
                                "The space of --encodings: nb201 (cell strings '|nor_conv_3x3~0|+|...|'), nb101 "
                                "('ops=in,c3,...,out;adj=0110,...' or a JSON spec a line), mbv2 ('k3e6-skip-...')");
  space->needs(encodings);
  encodings->needs(space);
  cmd->add_option("--threads", o->encodings.threads, "With --encodings: worker threads (0: one per core)")
      ->capture_default_str()
      ->needs(encodings);
  cmd->add_option("--calibrate", o->request.calibrate_db,
                  "Store measured now on the predictor's target: scale predictions by its reference networks' drift "
                  "since training");
  cmd->add_flag("--json", o->json, "One JSON object per model and line");
  cmd->add_option("--top", o->top, "Kernels shown in the breakdown table (0: all)")->capture_default_str();
  cmd->add_flag("--no-breakdown", o->no_breakdown, "Only the network latency");
  cmd->add_option("--report", o->report,
                  "Also write each model's predicted time per kernel family and a table to this self-contained HTML "
                  "file (docs/report.md)")
      ->excludes(encodings);
  cmd->callback([o, &exit_code, models, encodings] {
    if (models->count() == 0 && encodings->count() == 0) {
      exit_code =
          report(make_error(ErrorCode::kInvalidArgument, "give models to predict, or --encodings FILE --space SPACE"));
      return;
    }
    if (encodings->count() > 0) {
      o->encodings.predictor = o->request.predictor;
      o->encodings.target = o->request.target;
      o->encodings.ready = o->request.ready;
      o->encodings.ready.progress = [](const std::string& line) { fmt::print(stderr, "nnlat: {}\n", line); };
      if (!o->request.calibrate_db.empty()) {
        exit_code =
            report(make_error(ErrorCode::kInvalidArgument, "--calibrate applies to models, not to --encodings"));
        return;
      }
      exit_code = run_encodings(o->encodings, o->json);
      return;
    }
    o->request.breakdown = !o->no_breakdown;
    if (const auto ready = app::check_report_library(); !o->report.empty() && !ready.ok()) {
      exit_code = report(ready.error());
      return;
    }
    // A first use of a ready target trains it (a minute or so): say so on stderr.
    o->request.ready.progress = [](const std::string& line) { fmt::print(stderr, "nnlat: {}\n", line); };
    auto result = app::predict(o->request);
    if (!result.ok()) {
      exit_code = report(result.error());
      return;
    }
    if (!o->json) fmt::print("predictor {} ({}, target {})\n", result->predictor, result->method, result->target);
    for (const auto& m : result->models) {
      if (o->json) {
        fmt::print("{}\n", result->to_json(m).dump());
      } else {
        print_model(m, result->breakdown, o->top);
      }
    }
    if (!o->report.empty() && !result->models.empty()) {
      exit_code = print_report(app::write_predict_report(*result, o->report));
    }
    if (result->failure) exit_code = report(*result->failure);
  });
}

}  // namespace nnlat::cli
