// `nnlat predict --predictor P.json | --target TARGET MODEL... [--json]`: latency with interval
// and the per-kernel breakdown (where the time goes); --target uses a ready predictor.
#include <fmt/core.h>

#include <algorithm>
#include <numeric>

#include "cli_common.hpp"
#include "nnlat/app/predict.hpp"

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

}  // namespace

void add_predict_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("predict", "Predict the latency of models with a trained predictor");
  struct Options {
    app::PredictRequest request;
    bool json = false;
    size_t top = 10;
    bool no_breakdown = false;
  };
  auto o = std::make_shared<Options>();
  auto* file = cmd->add_option("--predictor", o->request.predictor, "Predictor file written by `nnlat train`");
  auto* target = cmd->add_option("--target", o->request.target,
                                 "Instead of --predictor: a ready predictor for a phone target, e.g. pixel4:gpu:float, "
                                 "trained from the shipped phone data on first use and cached (`nnlat predictors`)");
  file->excludes(target);
  cmd->add_option("models", o->request.models, "Model references or directories")->required();
  cmd->add_option("--calibrate", o->request.calibrate_db,
                  "Store measured now on the predictor's target: scale predictions by its reference networks' drift "
                  "since training");
  cmd->add_flag("--json", o->json, "One JSON object per model and line");
  cmd->add_option("--top", o->top, "Kernels shown in the breakdown table (0: all)")->capture_default_str();
  cmd->add_flag("--no-breakdown", o->no_breakdown, "Only the network latency");
  cmd->callback([o, &exit_code] {
    o->request.breakdown = !o->no_breakdown;
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
    if (result->failure) exit_code = report(*result->failure);
  });
}

}  // namespace nnlat::cli
