#include "nnlat/eval/learning_curve.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace nnlat::eval {
namespace {

// A seeded permutation (Fisher-Yates on mt19937_64, identical on every platform).
std::vector<size_t> permutation(size_t n, uint64_t seed) {
  std::vector<size_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng() % i]);
  return p;
}

}  // namespace

Result<LearningCurve> learning_curve(const predictors::TrainingSet& data, const LearningCurveOptions& options) {
  const size_t n = data.networks.size();
  const size_t test = static_cast<size_t>(std::lround(options.test_fraction * static_cast<double>(n)));
  if (n < 4 || test < 2 || test >= n - 1) {
    return make_error(ErrorCode::kInvalidArgument, "a learning curve needs at least 4 networks measured on " +
                                                       data.target + " (have " + std::to_string(n) +
                                                       ") and a test fraction leaving 2 networks on each side");
  }
  if (options.repeats < 1) return make_error(ErrorCode::kInvalidArgument, "--repeats must be at least 1");
  LearningCurve curve;
  curve.test_networks = test;
  curve.pool_networks = n - test;
  struct Acc {
    std::vector<Metrics> runs;
    size_t kernels = 0;
    size_t networks = 0;
  };
  // Budgets at or above what is available mean "all": keep one of them (the table would
  // otherwise repeat the same point).
  auto normalise = [](std::vector<size_t> budgets, size_t available) {
    for (auto& b : budgets) {
      if (b >= available) b = 0;
    }
    std::vector<size_t> unique;
    for (size_t b : budgets) {
      if (std::find(unique.begin(), unique.end(), b) == unique.end()) unique.push_back(b);
    }
    return unique;
  };
  LearningCurveOptions opts = options;
  {
    const auto order = permutation(n, options.seed);
    const std::vector<size_t> test_nets(order.begin(), order.begin() + static_cast<long>(test));
    opts.kernel_budgets = normalise(options.kernel_budgets, predictors::kernel_rows_excluding(data, test_nets).size());
    opts.network_budgets = normalise(options.network_budgets, n - test);
  }
  std::vector<Acc> acc(opts.kernel_budgets.size() * opts.network_budgets.size());
  for (int r = 0; r < options.repeats; ++r) {
    const auto order = permutation(n, options.seed + static_cast<uint64_t>(r));
    std::vector<size_t> test_nets(order.begin(), order.begin() + static_cast<long>(test));
    std::vector<size_t> pool(order.begin() + static_cast<long>(test), order.end());
    const auto allowed = predictors::kernel_rows_excluding(data, test_nets);
    curve.pool_kernels = allowed.size();
    const auto kperm = permutation(allowed.size(), options.seed + 1000 + static_cast<uint64_t>(r));
    for (size_t ki = 0; ki < opts.kernel_budgets.size(); ++ki) {
      const size_t kb =
          opts.kernel_budgets[ki] == 0 ? allowed.size() : std::min(opts.kernel_budgets[ki], allowed.size());
      std::vector<size_t> krows;
      for (size_t i = 0; i < kb; ++i) krows.push_back(allowed[kperm[i]]);
      std::sort(krows.begin(), krows.end());
      for (size_t ni = 0; ni < opts.network_budgets.size(); ++ni) {
        const size_t nb = opts.network_budgets[ni] == 0 ? pool.size() : std::min(opts.network_budgets[ni], pool.size());
        std::vector<size_t> nrows(pool.begin(), pool.begin() + static_cast<long>(nb));
        std::sort(nrows.begin(), nrows.end());
        auto model = predictors::LatencyPredictor::train(data, krows, nrows, opts.train);
        if (!model.ok()) {
          return model.error().with_context(std::to_string(kb) + " kernels, " + std::to_string(nb) + " networks");
        }
        std::vector<double> p;
        std::vector<double> m;
        for (size_t t : test_nets) {
          p.push_back(model->predict(data.networks[t].kernels, false).latency_ms);
          m.push_back(data.networks[t].latency_ms);
        }
        NNLAT_ASSIGN_OR_RETURN(auto metrics, compute_metrics(p, m));
        Acc& a = acc[ki * opts.network_budgets.size() + ni];
        a.runs.push_back(metrics);
        a.kernels = kb;
        a.networks = nb;
      }
    }
  }
  for (const auto& a : acc) {
    LearningCurvePoint point;
    point.kernels = a.kernels;
    point.networks = a.networks;
    point.repeats = static_cast<int>(a.runs.size());
    const double k = static_cast<double>(a.runs.size());
    for (const auto& m : a.runs) {
      point.mean.n = m.n;
      point.mean.mape += m.mape / k;
      point.mean.rmspe += m.rmspe / k;
      point.mean.rmse_ms += m.rmse_ms / k;
      point.mean.acc5 += m.acc5 / k;
      point.mean.acc10 += m.acc10 / k;
      point.mean.kendall_tau += m.kendall_tau / k;
      point.mean.spearman += m.spearman / k;
    }
    for (const auto& m : a.runs) point.mape_std += (m.mape - point.mean.mape) * (m.mape - point.mean.mape) / k;
    point.mape_std = std::sqrt(point.mape_std);
    curve.points.push_back(point);
  }
  return curve;
}

}  // namespace nnlat::eval
