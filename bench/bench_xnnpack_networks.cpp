// Independent timing of zoo networks through the XNNPACK backend with Google Benchmark: the
// cross-check for `nnlat profile networks` (a different timer, loop and statistics), e.g.
//   build/bench_xnnpack_networks --benchmark_filter=mobilenet_v2/threads:1
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// scripts/check-independent-timing.sh compares the two.
#include <benchmark/benchmark.h>

#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/models/zoo.hpp"

namespace {

void run_network(benchmark::State& state, const char* name) {
  auto graph = nnlat::models::build_zoo_model(name, {});
  if (!graph.ok()) {
    state.SkipWithError(graph.error().message.c_str());
    return;
  }
  nnlat::backends::XnnpackBackend backend;
  nnlat::backends::RunConfig config;
  config.threads = static_cast<int>(state.range(0));
  auto prepared = backend.prepare(*graph, config);
  if (!prepared.ok()) {
    state.SkipWithError(prepared.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    if (!(*prepared)->run().ok()) state.SkipWithError("run failed");
  }
}

}  // namespace

BENCHMARK_CAPTURE(run_network, mobilenet_v2, "mobilenet_v2")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(run_network, mobilenet_v3_small, "mobilenet_v3_small")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(run_network, resnet18, "resnet18")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
