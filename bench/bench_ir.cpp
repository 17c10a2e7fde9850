// Speed of nnlat itself on the IR: building, shape inference + verification, costing and
// kernel detection of networks (what every predictor call pays before predicting), and what
// reading a NAS network kept as space + encoding pays: build, verify, hash (docs/store.md).
#include <benchmark/benchmark.h>

#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"
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

// One NB201 network (of the 15,625 a NAS-Bench-201 table has).
constexpr const char* kNb201Cell =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";

void build_nb201(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::models::build_space_graph("nb201", kNb201Cell, {}));
}
BENCHMARK(build_nb201)->Unit(benchmark::kMicrosecond);

void verify_nb201(benchmark::State& state) {
  auto g = nnlat::models::build_space_graph("nb201", kNb201Cell, {});
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::ir::verify(*g));
}
BENCHMARK(verify_nb201)->Unit(benchmark::kMicrosecond);

void graph_to_json_nb201(benchmark::State& state) {
  auto g = nnlat::models::build_space_graph("nb201", kNb201Cell, {});
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::stable_hash_hex(nnlat::formats::graph_to_json(*g)));
}
BENCHMARK(graph_to_json_nb201)->Unit(benchmark::kMicrosecond);

void graph_json_hash_nb201(benchmark::State& state) {
  auto g = nnlat::models::build_space_graph("nb201", kNb201Cell, {});
  for (auto _ : state) benchmark::DoNotOptimize(nnlat::formats::graph_json_hash(*g));
}
BENCHMARK(graph_json_hash_nb201)->Unit(benchmark::kMicrosecond);

}  // namespace
