#include "fuzz_support.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/predictors/synthetic.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::fuzz {

void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void require_clear_error(const Error& error, std::string_view where) {
  if (error.message.empty()) fail(std::string(where) + ": an error without a message");
}

std::string write_scratch_file(std::string_view tag, std::string_view bytes) {
  const auto path =
      std::filesystem::temp_directory_path() / ("nnlat_fuzz_" + std::to_string(::getpid()) + "_" + std::string(tag));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write the scratch file " + path.string());
  return path.string();
}

const predictors::LatencyPredictor& small_predictor() {
  static const predictors::LatencyPredictor predictor = [] {
    auto data = predictors::make_synthetic_training_set({}, 8, 4, 200, 1);
    if (!data.ok()) fail("synthetic training set: " + data.error().message);
    predictors::TrainOptions options;
    options.calibrate = false;
    options.regressor.gbdt_rounds = 40;  // small and quick: the checks need a predictor, not a good one
    auto trained = predictors::LatencyPredictor::train(*data, options);
    if (!trained.ok()) fail("small predictor: " + trained.error().message);
    return std::move(*trained);
  }();
  return predictor;
}

void check_prediction(const predictors::NetworkPrediction& p, std::string_view where) {
  const std::string at(where);
  if (!std::isfinite(p.latency_ms) || p.latency_ms <= 0) {
    fail(at + ": a prediction of " + std::to_string(p.latency_ms) + " ms returned as a success");
  }
  if (!std::isfinite(p.low_ms) || !std::isfinite(p.high_ms) || p.low_ms > p.high_ms) {
    fail(at + ": prediction interval [" + std::to_string(p.low_ms) + ", " + std::to_string(p.high_ms) + "]");
  }
  for (const auto& k : p.kernels) {
    if (!std::isfinite(k.latency_ms) || k.latency_ms < 0) {
      fail(at + ": kernel " + k.name + " estimated at " + std::to_string(k.latency_ms) + " ms");
    }
  }
}

void check_accepted_graph(const ir::Graph& graph, std::string_view where) {
  const std::string at(where);
  if (auto verified = ir::verify(graph); !verified.ok()) {
    fail(at + ": an accepted graph does not verify: " + verified.error().message);
  }
  const ir::GraphCost cost = ir::graph_cost(graph);
  if (cost.total.macs < 0 || cost.total.params < 0) {
    fail(at + ": MACs " + std::to_string(cost.total.macs) + ", params " + std::to_string(cost.total.params));
  }
  const auto& predictor = small_predictor();
  auto rules = predictor.rule_set();
  if (!rules.ok()) fail("the small predictor's rules: " + rules.error().message);
  auto network = predictors::decompose(graph, *rules, predictor.context(), /*with_hashes=*/true);
  if (!network.ok()) {
    require_clear_error(network.error(), at + " (kernels)");
    return;
  }
  if (network->macs < 0 || network->params < 0) fail(at + ": kernels' MACs or params are negative");
  for (const auto& f : network->features) {
    for (float v : f.view()) {
      if (!std::isfinite(v)) fail(at + ": a kernel feature is not finite");
    }
  }
  auto prediction = predictor.predict(graph);
  if (!prediction.ok()) {
    require_clear_error(prediction.error(), at + " (prediction)");
    return;
  }
  check_prediction(*prediction, at);
}

void check_import(const Result<ir::Graph>& graph, std::string_view where) {
  if (!graph.ok()) {
    require_clear_error(graph.error(), std::string(where) + " import");
    return;
  }
  check_accepted_graph(*graph, where);
}

}  // namespace nnlat::fuzz
