// Speed of nnlat itself on the IR: building, shape inference + verification, costing and
// kernel detection of networks (what every predictor call pays before predicting).
#include <benchmark/benchmark.h>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/zoo.hpp"

namespace {

void build_mobilenet_v2(benchmark::State& state) {
  for (auto _ : state) {
    auto g = nnlat::models::build_zoo_model("mobilenet_v2", {});
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(build_mobilenet_v2)->Unit(benchmark::kMicrosecond);

void cost_mobilenet_v2(benchmark::State& state) {
  auto g = nnlat::models::build_zoo_model("mobilenet_v2", {});
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::ir::graph_cost(*g));
}
BENCHMARK(cost_mobilenet_v2)->Unit(benchmark::kMicrosecond);

void kernels_mobilenet_v2(benchmark::State& state) {
  auto g = nnlat::models::build_zoo_model("mobilenet_v2", {});
  auto rules = nnlat::fusion::load_rule_set("xnnpack");
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::fusion::detect_kernels(*g, *rules));
}
BENCHMARK(kernels_mobilenet_v2)->Unit(benchmark::kMicrosecond);

}  // namespace
