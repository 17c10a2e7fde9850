// Prediction and training speed of the default op-wise GBDT predictor (docs/performance.md).
// The predictor is trained on the synthetic target (predictors/synthetic.hpp): speed does not
// depend on the latency values, only on the model's size, which matches a real one (same
// families, same tree count and depth).
//
//   build/bench_predict --benchmark_filter=. --benchmark_min_time=2
// items_per_second = networks predicted per second, on one core (one thread).
#include <benchmark/benchmark.h>

#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "nnlat/predictors/synthetic.hpp"

namespace {

using nnlat::predictors::LatencyPredictor;

const LatencyPredictor& default_predictor() {
  static const LatencyPredictor p = [] {
    auto data = nnlat::predictors::make_synthetic_training_set({}, 30, 20, 2000, 3);
    nnlat::predictors::TrainOptions o;  // opwise-gbdt, the defaults of `nnlat train`
    o.calibrate = false;
    auto trained = LatencyPredictor::train(*data, o);
    if (!trained.ok()) std::abort();
    return std::move(*trained);
  }();
  return p;
}

std::vector<std::string> encodings(const char* space, int n) { return *nnlat::models::sample_space(space, n, 99); }

// From a NAS encoding to a latency: build the graph, detect kernels, extract features,
// predict (kernel predictions de-duplicated across the batch), compose.
void predict_from_encoding(benchmark::State& state, const char* space) {
  const auto& p = default_predictor();
  auto rules = nnlat::fusion::load_rule_set(p.rules());
  const auto encs = encodings(space, 1000);
  nnlat::predictors::PredictionCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto g = nnlat::models::build_space_graph(space, encs[i++ % encs.size()], {});
    auto nk = nnlat::predictors::decompose(*g, *rules, p.context(), false, false);
    benchmark::DoNotOptimize(p.predict(*nk, false, &cache).latency_ms);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// From already built graphs (a NAS loop that keeps its graphs).
void predict_from_graph(benchmark::State& state, const char* space) {
  const auto& p = default_predictor();
  auto rules = nnlat::fusion::load_rule_set(p.rules());
  std::vector<nnlat::ir::Graph> graphs;
  for (const auto& e : encodings(space, 200)) graphs.push_back(*nnlat::models::build_space_graph(space, e, {}));
  nnlat::predictors::PredictionCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto nk = nnlat::predictors::decompose(graphs[i++ % graphs.size()], *rules, p.context(), false, false);
    benchmark::DoNotOptimize(p.predict(*nk, false, &cache).latency_ms);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Kernel-level model evaluation alone (no cache): what a never-seen kernel costs.
void predict_kernels_uncached(benchmark::State& state) {
  const auto& p = default_predictor();
  auto rules = nnlat::fusion::load_rule_set(p.rules());
  auto g = nnlat::models::build_zoo_model("mobilenet_v2", {});
  auto nk = nnlat::predictors::decompose(*g, *rules, p.context(), false, false);
  for (auto _ : state) benchmark::DoNotOptimize(p.predict(*nk, false, nullptr).latency_ms);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * nk->features.size()));
  state.counters["kernels_per_network"] = static_cast<double>(nk->features.size());
}

void train_opwise_gbdt_10k_kernels(benchmark::State& state) {
  auto data = nnlat::predictors::make_synthetic_training_set({}, 30, 20, 10000, 5);
  if (!data.ok()) {
    state.SkipWithError(data.error().message.c_str());
    return;
  }
  state.counters["kernel_rows"] = static_cast<double>(data->kernels.size());
  state.counters["networks"] = static_cast<double>(data->networks.size());
  for (auto _ : state) {
    nnlat::predictors::TrainOptions o;  // the defaults of `nnlat train`, calibration included
    auto p = LatencyPredictor::train(*data, o);
    if (!p.ok()) state.SkipWithError(p.error().message.c_str());
  }
}

BENCHMARK_CAPTURE(predict_from_encoding, nb201, "nb201")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict_from_encoding, mbv2, "mbv2")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict_from_graph, nb201, "nb201")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict_from_graph, mbv2, "mbv2")->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_kernels_uncached)->Unit(benchmark::kMicrosecond);
BENCHMARK(train_opwise_gbdt_10k_kernels)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
