// Speed of the encoding fast path (predictors/encoding_predictor.hpp) beside the generic path
// the CLI takes for models, in one run so that their ratio is measured on the same machine
// state (docs/performance.md, "NAS encodings"). Predictor as in bench_predict.cpp: the default
// opwise-gbdt trained on the synthetic target (speed depends on the model's size, not on the
// latency values).
//
//   build/bench_encodings --benchmark_min_time=1 --benchmark_repetitions=3
//                         --benchmark_report_aggregates_only=true
// items_per_second = encodings (networks) predicted per second, one thread unless named.
// `--write_predictor=PATH` writes the benchmark's predictor and exits, so that
// scripts/bench-python-encodings.py times the same predictor from Python.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>

#include "nnlat/models/nas.hpp"
#include "nnlat/predictors/encoding_predictor.hpp"
#include "nnlat/predictors/predictor.hpp"
#include "nnlat/predictors/synthetic.hpp"

namespace {

using nnlat::predictors::EncodingPredictor;
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

const std::vector<std::string>& encodings(const std::string& space) {
  // NB201: the whole space (15,625 cells) in a random order; NB101 and mbv2: 20,000 distinct ones.
  static std::map<std::string, std::vector<std::string>> cache;
  auto& e = cache[space];
  if (e.empty()) e = *nnlat::models::sample_space(space, space == "nb201" ? 15625 : 20000, 99);
  return e;
}

// A NAS loop's steady state: every encoding of the batch seen before (plans and kernel
// estimates memoised), predicted in batches of 10,000 on `threads` workers.
void encodings_memoised(benchmark::State& state, const char* space) {
  auto fast = EncodingPredictor::create(default_predictor(), space).value();
  const auto& all = encodings(space);
  const std::vector<std::string> batch(all.begin(), all.begin() + std::min<size_t>(all.size(), 10000));
  std::vector<double> out(batch.size());
  const int threads = static_cast<int>(state.range(0));
  if (!fast.predict_batch(batch, out, threads).ok()) state.SkipWithError("prediction failed");
  for (auto _ : state) {
    if (!fast.predict_batch(batch, out, threads).ok()) state.SkipWithError("prediction failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
  state.counters["kernels_memoised"] = static_cast<double>(fast.cached_kernels());
}

// The workload of scripts/bench-python-encodings.py, for its C++/Python ratio: one batch of
// 100,000 NB201 cells drawn uniformly with repeats (about 15,600 distinct), all seen before.
void encodings_memoised_100k_random(benchmark::State& state, const char* space) {
  auto fast = EncodingPredictor::create(default_predictor(), space).value();
  const auto& all = encodings(space);
  std::mt19937_64 rng(1);
  std::vector<std::string> batch(100000);
  for (auto& e : batch) e = all[rng() % all.size()];
  std::vector<double> out(batch.size());
  if (!fast.predict_batch(batch, out, 1).ok()) state.SkipWithError("prediction failed");
  for (auto _ : state) {
    if (!fast.predict_batch(batch, out, 1).ok()) state.SkipWithError("prediction failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.size()));
}

// First sight: the memos are cleared before every batch of 1,000 distinct encodings, so each
// encoding is decomposed and each of its distinct kernels predicted once in the batch.
void encodings_cold(benchmark::State& state, const char* space) {
  auto fast = EncodingPredictor::create(default_predictor(), space).value();
  const auto& all = encodings(space);
  const size_t n = 1000;
  std::vector<double> out(n);
  size_t offset = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fast.clear_cache();
    const std::vector<std::string> batch(all.begin() + offset, all.begin() + offset + n);
    offset = (offset + n) % (all.size() - n);
    state.ResumeTiming();
    if (!fast.predict_batch(batch, out, 1).ok()) state.SkipWithError("prediction failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

// A NAS user scoring a whole space once: every NB201 cell (15,625, shuffled) from an empty
// cache, so each architecture and each kernel is met for the first time in the batch.
void encodings_cold_whole_space(benchmark::State& state, const char* space) {
  auto fast = EncodingPredictor::create(default_predictor(), space).value();
  const auto& all = encodings(space);
  std::vector<double> out(all.size());
  for (auto _ : state) {
    state.PauseTiming();
    fast.clear_cache();
    state.ResumeTiming();
    if (!fast.predict_batch(all, out, 1).ok()) state.SkipWithError("prediction failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size()));
}

// The generic path as `nnlat predict` runs it on references: build the graph from the
// encoding, decompose it, predict (kernel predictions memoised across the batch).
void generic_from_encoding(benchmark::State& state, const char* space) {
  const auto& p = default_predictor();
  auto rules = nnlat::fusion::load_rule_set(p.rules());
  const auto& all = encodings(space);
  nnlat::predictors::PredictionCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto g = nnlat::models::build_space_graph(space, all[i++ % all.size()], {});
    auto nk = nnlat::predictors::decompose(*g, *rules, p.context(), false, false);
    benchmark::DoNotOptimize(p.predict(*nk, false, &cache).latency_ms);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The generic path from graphs already built (the 25,700 NB201/s of docs/performance.md).
void generic_from_graph(benchmark::State& state, const char* space) {
  const auto& p = default_predictor();
  auto rules = nnlat::fusion::load_rule_set(p.rules());
  std::vector<nnlat::ir::Graph> graphs;
  const auto& all = encodings(space);
  for (size_t i = 0; i < 200; ++i) graphs.push_back(*nnlat::models::build_space_graph(space, all[i], {}));
  nnlat::predictors::PredictionCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto nk = nnlat::predictors::decompose(graphs[i++ % graphs.size()], *rules, p.context(), false, false);
    benchmark::DoNotOptimize(p.predict(*nk, false, &cache).latency_ms);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK_CAPTURE(encodings_memoised, nb201, "nb201")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(encodings_memoised_100k_random, nb201, "nb201")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(encodings_cold, nb201, "nb201")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encodings_cold_whole_space, nb201, "nb201")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generic_from_encoding, nb201, "nb201")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(generic_from_graph, nb201, "nb201")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(encodings_memoised, mbv2, "mbv2")->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(encodings_cold, mbv2, "mbv2")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generic_from_encoding, mbv2, "mbv2")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(encodings_memoised, nb101, "nb101")->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(encodings_cold, nb101, "nb101")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(generic_from_encoding, nb101, "nb101")->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kWrite = "--write_predictor=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kWrite, std::strlen(kWrite)) == 0) {
      const auto saved = default_predictor().save(argv[i] + std::strlen(kWrite));
      if (!saved.ok()) std::fprintf(stderr, "%s\n", saved.error().message.c_str());
      return saved.ok() ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
