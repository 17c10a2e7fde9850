// `nnlat predict --predictor P.json MODEL... [--json]`: latency with interval and the
// per-kernel breakdown (where the time goes).
#include <fmt/core.h>

#include <algorithm>
#include <numeric>

#include "cli_common.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::cli {

void add_predict_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("predict", "Predict the latency of models with a trained predictor");
  struct Options {
    std::string predictor;
    std::vector<std::string> models;
    bool json = false;
    size_t top = 10;
    bool no_breakdown = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--predictor", o->predictor, "Predictor file written by `nnlat train`")->required();
  cmd->add_option("models", o->models, "Model references or directories")->required();
  cmd->add_flag("--json", o->json, "One JSON object per model and line");
  cmd->add_option("--top", o->top, "Kernels shown in the breakdown table (0: all)")->capture_default_str();
  cmd->add_flag("--no-breakdown", o->no_breakdown, "Only the network latency");
  cmd->callback([o, &exit_code] {
    auto predictor = predictors::LatencyPredictor::load(o->predictor);
    if (!predictor.ok()) {
      exit_code = report(predictor.error());
      return;
    }
    auto rules = predictor->rule_set();
    if (!rules.ok()) {
      exit_code = report(rules.error().with_context(o->predictor));
      return;
    }
    auto refs = models::expand_model_references(o->models);
    if (!refs.ok()) {
      exit_code = report(refs.error());
      return;
    }
    if (!o->json) {
      fmt::print("predictor {} ({}, target {})\n", o->predictor, predictors::method_name(predictor->method()),
                 predictor->target());
    }
    predictors::PredictionCache cache;
    for (const auto& ref : *refs) {
      auto graph = models::load_model(ref);
      if (!graph.ok()) {
        exit_code = report(graph.error());
        return;
      }
      // Without a breakdown the kernel list is not needed: the allocation-free, memoised path.
      auto network =
          predictors::decompose(*graph, *rules, predictor->context(), predictor->needs_hashes(), !o->no_breakdown);
      if (!network.ok()) {
        exit_code = report(network.error().with_context(ref));
        return;
      }
      const auto pred = predictor->predict(*network, /*with_breakdown=*/true, &cache);
      if (o->json) {
        nlohmann::ordered_json j;
        j["model"] = ref;
        j["name"] = graph->name;
        j["target"] = predictor->target();
        j["method"] = predictors::method_name(predictor->method());
        j["latency_ms"] = pred.latency_ms;
        j["low_ms"] = pred.low_ms;
        j["high_ms"] = pred.high_ms;
        j["kernel_sum_ms"] = pred.kernel_sum_ms;
        j["extrapolated_kernels"] = pred.extrapolated_kernels;
        nlohmann::ordered_json ks = nlohmann::ordered_json::array();
        if (!o->no_breakdown) {
          for (const auto& k : pred.kernels) {
            ks.push_back({{"name", k.name},
                          {"type", k.type},
                          {"family", k.family},
                          {"latency_ms", k.latency_ms},
                          {"extrapolated", k.extrapolated}});
          }
        }
        j["kernels"] = ks;
        fmt::print("{}\n", j.dump());
        continue;
      }
      fmt::print("{:<32} {:>10.3f} ms  [{:.3f} .. {:.3f}]  {} kernels", graph->name, pred.latency_ms, pred.low_ms,
                 pred.high_ms, network->features.size());
      if (pred.extrapolated_kernels > 0) {
        fmt::print("  ({} outside the training range)", pred.extrapolated_kernels);
      }
      fmt::print("\n");
      if (o->no_breakdown || pred.kernels.empty()) continue;
      std::vector<size_t> order(pred.kernels.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return pred.kernels[a].latency_ms > pred.kernels[b].latency_ms; });
      const size_t shown = o->top == 0 ? order.size() : std::min(o->top, order.size());
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
  });
}

}  // namespace nnlat::cli
