#include "nnlat/eval/evaluation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nnlat::eval {
namespace {

Result<Metrics> metrics_of(const std::vector<NetworkResult>& results) {
  std::vector<double> p;
  std::vector<double> m;
  for (const auto& r : results) {
    p.push_back(r.predicted_ms);
    m.push_back(r.measured_ms);
  }
  return compute_metrics(p, m);
}

Status summarise(MethodReport& report, bool repeated, int repeats) {
  NNLAT_ASSIGN_OR_RETURN(report.overall, metrics_of(report.results));
  std::map<std::string, std::vector<NetworkResult>> by_family;
  size_t inside = 0;
  for (const auto& r : report.results) {
    by_family[r.family.empty() ? "other" : r.family].push_back(r);
    inside += (r.measured_ms >= r.low_ms && r.measured_ms <= r.high_ms) ? 1 : 0;
  }
  report.interval_coverage =
      report.results.empty() ? 0.0 : static_cast<double>(inside) / static_cast<double>(report.results.size());
  for (const auto& [family, rs] : by_family) {
    NNLAT_ASSIGN_OR_RETURN(report.per_family[family], metrics_of(rs));
  }
  if (!repeated) return Status::Ok();
  std::vector<std::vector<NetworkResult>> per(static_cast<size_t>(repeats));
  for (const auto& r : report.results) per[static_cast<size_t>(r.repeat)].push_back(r);
  for (const auto& rs : per) {
    NNLAT_ASSIGN_OR_RETURN(auto m, metrics_of(rs));
    report.per_repeat.push_back(m);
  }
  // Mean and (population) standard deviation of every metric over the repeats.
  auto fields = [](Metrics& m) {
    return std::array<double*, 7>{&m.mape, &m.rmspe, &m.rmse_ms, &m.acc5, &m.acc10, &m.kendall_tau, &m.spearman};
  };
  const double n = static_cast<double>(report.per_repeat.size());
  auto mean_fields = fields(report.repeat_mean);
  auto std_fields = fields(report.repeat_std);
  for (auto& m : report.per_repeat) {
    auto f = fields(m);
    for (size_t i = 0; i < f.size(); ++i) *mean_fields[i] += *f[i] / n;
    report.repeat_mean.n = m.n;
  }
  for (auto& m : report.per_repeat) {
    auto f = fields(m);
    for (size_t i = 0; i < f.size(); ++i) *std_fields[i] += (*f[i] - *mean_fields[i]) * (*f[i] - *mean_fields[i]) / n;
  }
  for (double* v : std_fields) *v = std::sqrt(*v);
  report.repeat_std.n = report.repeat_mean.n;
  return Status::Ok();
}

}  // namespace

Status summarise_report(MethodReport& report, bool repeated, int repeats) {
  return summarise(report, repeated, repeats);
}

Result<std::vector<Split>> kfold_splits(size_t networks, int k, uint64_t seed) {
  if (k < 2 || static_cast<size_t>(k) > networks) {
    return make_error(ErrorCode::kInvalidArgument, "--cv " + std::to_string(k) + " needs between 2 and " +
                                                       std::to_string(networks) + " folds (networks measured)");
  }
  NNLAT_ASSIGN_OR_RETURN(auto folds, kfold_assignment(networks, k, seed));
  std::vector<Split> splits(static_cast<size_t>(k));
  for (size_t i = 0; i < networks; ++i) {
    for (int f = 0; f < k; ++f) (folds[i] == f ? splits[f].test_networks : splits[f].train_networks).push_back(i);
  }
  return splits;
}

Result<std::vector<Split>> family_splits(std::span<const std::string> families) {
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < families.size(); ++i) members[families[i].empty() ? "other" : families[i]].push_back(i);
  if (members.size() < 2) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--cv family needs networks of at least two families, the store's " +
                          std::to_string(families.size()) + " networks are all of family '" +
                          (members.empty() ? std::string("-") : members.begin()->first) +
                          "' (measure networks of other families, e.g. `nnlat sample mixed`)");
  }
  std::vector<Split> splits;
  for (const auto& [family, held_out] : members) {
    Split s;
    s.held_out_family = family;
    s.test_networks = held_out;
    for (size_t i = 0; i < families.size(); ++i) {
      if (!std::binary_search(held_out.begin(), held_out.end(), i)) s.train_networks.push_back(i);
    }
    splits.push_back(std::move(s));
  }
  return splits;
}

Result<std::vector<Split>> train_size_splits(size_t networks, size_t train_size, int repeats, uint64_t seed,
                                             std::span<const size_t> always_train) {
  if (train_size == 0 || train_size >= networks) {
    return make_error(ErrorCode::kInvalidArgument, "--train-size " + std::to_string(train_size) +
                                                       " must be between 1 and " + std::to_string(networks - 1) +
                                                       " (networks measured minus one)");
  }
  if (repeats < 1) return make_error(ErrorCode::kInvalidArgument, "--repeats must be at least 1");
  if (always_train.size() > train_size) {
    return make_error(ErrorCode::kInvalidArgument, std::to_string(always_train.size()) +
                                                       " reference networks do not fit in --train-size " +
                                                       std::to_string(train_size));
  }
  std::vector<bool> fixed(networks, false);
  for (size_t i : always_train) fixed.at(i) = true;
  std::vector<size_t> others;  // the networks a draw picks from
  for (size_t i = 0; i < networks; ++i) {
    if (!fixed[i]) others.push_back(i);
  }
  std::vector<Split> splits;
  for (int r = 0; r < repeats; ++r) {
    NNLAT_ASSIGN_OR_RETURN(auto drawn, sample_without_replacement(others.size(), train_size - always_train.size(),
                                                                  seed + static_cast<uint64_t>(r)));
    std::vector<bool> in_train = fixed;
    for (size_t d : drawn) in_train[others[d]] = true;
    Split s;
    for (size_t i = 0; i < networks; ++i) (in_train[i] ? s.train_networks : s.test_networks).push_back(i);
    splits.push_back(std::move(s));
  }
  return splits;
}

// Per network of `data`, the sum of the kernel times measured inside its run; for a network
// without such rows (a local target, whose kernels are profiled alone), the sum of its
// kernels' isolated times when every one of them was measured; 0 otherwise.
std::vector<double> measured_kernel_sums(const predictors::TrainingSet& data) {
  std::vector<double> sums(data.networks.size(), 0.0);
  std::unordered_map<std::string_view, double> isolated_ms;
  for (const auto& k : data.kernels) {
    if (!k.network) {
      isolated_ms.emplace(k.hash, k.latency_ms);
    } else if (*k.network < sums.size()) {
      sums[*k.network] += k.latency_ms;
    }
  }
  if (isolated_ms.empty()) return sums;
  for (size_t n = 0; n < sums.size(); ++n) {
    const auto& hashes = data.networks[n].kernels.hashes;
    if (sums[n] > 0 || hashes.empty()) continue;
    double sum = 0;
    bool complete = true;
    for (const auto& h : hashes) {
      const auto it = isolated_ms.find(h);
      if (it == isolated_ms.end()) {
        complete = false;  // a partial sum would read as a kernel error that is not there
        break;
      }
      sum += it->second;
    }
    if (complete) sums[n] = sum;
  }
  return sums;
}

Result<MethodReport> evaluate_splits(const predictors::TrainingSet& data, const std::vector<Split>& splits,
                                     const predictors::TrainOptions& options, bool repeated) {
  MethodReport report;
  report.method = options.method;
  const std::vector<double> kernel_sums = measured_kernel_sums(data);
  for (size_t s = 0; s < splits.size(); ++s) {
    const Split& split = splits[s];
    const auto kernel_rows = predictors::kernel_rows_excluding(data, split.test_networks);
    auto model = predictors::LatencyPredictor::train(data, kernel_rows, split.train_networks, options);
    if (!model.ok()) {
      return model.error().with_context(
          std::string(predictors::method_name(options.method)) + ", split " + std::to_string(s + 1) +
          (split.held_out_family.empty() ? "" : " (family " + split.held_out_family + " held out)"));
    }
    for (size_t n : split.test_networks) {
      const auto& net = data.networks[n];
      const auto pred = model->predict(net.kernels, /*with_breakdown=*/false);
      report.results.push_back({net.name, net.family, net.latency_ms, pred.latency_ms, pred.low_ms, pred.high_ms,
                                static_cast<int>(s), pred.kernel_sum_ms, kernel_sums[n]});
    }
    // Kernel selection on the held-out networks: the predicted implementation against the one
    // their timings name (which the model never saw).
    const std::unordered_set<size_t> test(split.test_networks.begin(), split.test_networks.end());
    for (const auto& k : data.kernels) {
      if (!k.network || !test.contains(*k.network) || k.implementation.empty()) continue;
      const std::string predicted = model->predicted_implementation(k.features);
      if (predicted.empty()) continue;
      ++report.implementation_kernels;
      report.implementation_right += predicted == k.implementation ? 1 : 0;
    }
  }
  NNLAT_RETURN_IF_ERROR(summarise(report, repeated, static_cast<int>(splits.size())));
  return report;
}

Result<MethodReport> evaluate_predictor(const predictors::LatencyPredictor& predictor,
                                        const predictors::TrainingSet& data, double calibration) {
  MethodReport report;
  report.method = predictor.method();
  const std::vector<double> kernel_sums = measured_kernel_sums(data);
  for (size_t n = 0; n < data.networks.size(); ++n) {
    const auto& net = data.networks[n];
    auto pred = predictor.predict(net.kernels, /*with_breakdown=*/false);
    predictors::apply_calibration(pred, calibration);
    report.results.push_back({net.name, net.family, net.latency_ms, pred.latency_ms, pred.low_ms, pred.high_ms, 0,
                              pred.kernel_sum_ms, kernel_sums[n]});
  }
  NNLAT_RETURN_IF_ERROR(summarise(report, false, 1));
  return report;
}

Result<Metrics> noise_floor_of_repeats(std::span<const std::vector<double>> repeats) {
  std::vector<double> second;
  std::vector<double> first;
  for (const auto& r : repeats) {
    if (r.size() < 2) continue;
    first.push_back(r[0]);
    second.push_back(r[1]);
  }
  return compute_metrics(second, first);
}

Result<Metrics> noise_floor(const predictors::TrainingSet& data) {
  std::vector<std::vector<double>> repeats;
  for (const auto& net : data.networks) repeats.push_back(net.repeats_ms);
  return noise_floor_of_repeats(repeats);
}

nlohmann::json method_report_to_json(const MethodReport& report, bool with_results) {
  // Repeated draws: the top-level metrics are the mean over the draws (what a user of
  // `--train-size` compares), the metrics of all draws' predictions pooled sit in "pooled".
  const bool repeated = !report.per_repeat.empty();
  nlohmann::json j = metrics_to_json(repeated ? report.repeat_mean : report.overall);
  if (repeated) j["pooled"] = metrics_to_json(report.overall);
  j["method"] = predictors::method_name(report.method);
  j["interval_coverage"] = report.interval_coverage;
  if (report.implementation_kernels > 0) {
    j["kernel_selection"] = {{"kernels", report.implementation_kernels},
                             {"accuracy", static_cast<double>(report.implementation_right) /
                                              static_cast<double>(report.implementation_kernels)}};
  }
  nlohmann::json fam = nlohmann::json::object();
  for (const auto& [name, m] : report.per_family) fam[name] = metrics_to_json(m);
  j["per_family"] = fam;
  if (!report.per_repeat.empty()) {
    j["repeats"] = report.per_repeat.size();
    j["repeat_mean"] = metrics_to_json(report.repeat_mean);
    j["repeat_std"] = metrics_to_json(report.repeat_std);
  }
  if (with_results) {
    nlohmann::json rs = nlohmann::json::array();
    for (const auto& r : report.results) {
      rs.push_back({{"model", r.name},
                    {"family", r.family},
                    {"measured_ms", r.measured_ms},
                    {"predicted_ms", r.predicted_ms},
                    {"low_ms", r.low_ms},
                    {"high_ms", r.high_ms},
                    {"split", r.repeat}});
      if (r.kernel_sum_ms > 0) rs.back()["kernel_sum_ms"] = r.kernel_sum_ms;
      if (r.measured_kernel_sum_ms > 0) rs.back()["measured_kernel_sum_ms"] = r.measured_kernel_sum_ms;
    }
    j["networks"] = rs;
  }
  return j;
}

}  // namespace nnlat::eval
