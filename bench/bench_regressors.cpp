// Fit and predict speed of every regressor kind on a typical large kernel training set:
// 10,000 rows by 25 features, default options (what `nnlat train` uses). Was a disabled
// unit test; a time is a measurement, not a check, so it lives here.
//
//   build/bench_regressors --benchmark_filter=fit
//   build/bench_regressors --benchmark_filter=predict
// The held-out RMSE of each fitted model is reported as a counter, to see that a faster fit
// did not come from a worse model.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "nnlat/predictors/regressor.hpp"

namespace {

using nnlat::predictors::FeatureMatrix;
using nnlat::predictors::RegressorKind;
using nnlat::predictors::RegressorOptions;

constexpr size_t kColumns = 25;

struct Dataset {
  FeatureMatrix x;
  std::vector<double> y;
};

// A roofline-like log latency on log-scale features (the max of two linear terms), plus
// smaller smooth effects of the other 23 columns.
Dataset make_data(size_t rows, uint32_t seed) {
  Dataset d{FeatureMatrix(rows, kColumns), {}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : d.x.values) v = u(rng);
  for (size_t i = 0; i < rows; ++i) {
    double smooth = 0.0;
    for (size_t c = 2; c < kColumns; ++c) smooth += std::sin(static_cast<double>(c % 5 + 1) * d.x.at(i, c));
    d.y.push_back(std::max(6.0 * d.x.at(i, 0), 4.0 * d.x.at(i, 1) + 1.0) + 0.1 * smooth);
  }
  return d;
}

const Dataset& train_set() {
  static const Dataset d = make_data(10000, 61);
  return d;
}
const Dataset& test_set() {
  static const Dataset d = make_data(2000, 62);
  return d;
}

// Root-mean-square error of the held-out predictions, in the target's (log) units.
double rmse(const std::vector<double>& predicted, const std::vector<double>& actual) {
  double sum = 0.0;
  for (size_t i = 0; i < actual.size(); ++i) sum += (predicted[i] - actual[i]) * (predicted[i] - actual[i]);
  return std::sqrt(sum / static_cast<double>(actual.size()));
}

void fit_10k_by_25(benchmark::State& state, RegressorKind kind) {
  const Dataset& train = train_set();
  const Dataset& test = test_set();
  std::vector<double> predicted(test.x.rows);
  for (auto _ : state) {
    auto r = nnlat::predictors::make_regressor(kind, RegressorOptions{});
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    if (auto st = (*r)->fit(train.x, train.y); !st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      return;
    }
    state.PauseTiming();
    (*r)->predict_many(test.x, predicted);
    state.ResumeTiming();
  }
  state.counters["held_out_rmse"] = rmse(predicted, test.y);
}

// items_per_second = rows predicted per second (one thread).
void predict_2k_rows(benchmark::State& state, RegressorKind kind) {
  auto r = nnlat::predictors::make_regressor(kind, RegressorOptions{});
  if (!r.ok() || !(*r)->fit(train_set().x, train_set().y).ok()) {
    state.SkipWithError("fit failed");
    return;
  }
  const Dataset& test = test_set();
  std::vector<double> predicted(test.x.rows);
  for (auto _ : state) {
    (*r)->predict_many(test.x, predicted);
    benchmark::DoNotOptimize(predicted.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * test.x.rows));
}

// One benchmark per kind, named after the kind, registered from the kind list so a new
// kind is measured without editing this file.
const bool registered = [] {
  for (RegressorKind kind : nnlat::predictors::all_regressor_kinds()) {
    const std::string name(nnlat::predictors::regressor_kind_name(kind));
    benchmark::RegisterBenchmark(("fit_10k_by_25/" + name).c_str(), fit_10k_by_25, kind)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
    benchmark::RegisterBenchmark(("predict_2k_rows/" + name).c_str(), predict_2k_rows, kind)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
