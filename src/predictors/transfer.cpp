#include "predictors/transfer.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <deque>
#include <limits>
#include <mutex>

#include "nnlat/core/options_json.hpp"
#include "predictors/network_features.hpp"

namespace nnlat::predictors {
namespace {

// Weights of the priors slope = 1 and MACs term = 0, in units of one network's squared log
// error.
constexpr double kSlopePrior = 2.0;
constexpr double kMacsPrior = 2.0;
constexpr size_t kMinNetworksForResidual = 10;
constexpr double kResidualLambdas[] = {0.3, 3.0, 30.0, 300.0, 3000.0};

// Least squares with priors: minimises Σ (y − X β)² + Σ_j λ_j (β_j − μ_j)². The columns are
// [1, log source ms] or [1, log source ms, log MACs]; the priors say "slope 1, no MACs term"
// unless the data insist (few networks cannot pin three coefficients down alone).
std::vector<double> fit_with_priors(const std::vector<std::vector<double>>& rows, const std::vector<double>& y) {
  const auto k = static_cast<Eigen::Index>(rows.front().size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(k, k);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(k);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Eigen::Map<const Eigen::VectorXd> x(rows[i].data(), k);
    a += x * x.transpose();
    b += x * y[i];
  }
  a(1, 1) += kSlopePrior;
  b(1) += kSlopePrior * 1.0;
  if (k > 2) a(2, 2) += kMacsPrior;
  a(0, 0) += 1e-9;
  const Eigen::VectorXd beta = a.ldlt().solve(b);
  return {beta.data(), beta.data() + k};
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

std::vector<float> residual_row(const NetworkKernels& network, double log_source) {
  auto row = network_features(network);
  row.push_back(static_cast<float>(log_source));
  return row;
}

// The source model does not depend on the split: it sees every network the source measured.
// `eval` fits a transfer model at every split, repeat and interval-calibration fold, so the
// 200-round GBDT is fitted once per input and shared (a 15,625-network table otherwise refits
// it ~120 times at --train-size 10 --repeats 20). Its input is a function of what the key
// holds, compared exactly: the networks (their hashes: the graphs), their source latencies,
// the rules and thread context that decompose them into features, and the options. Another
// source, store, rule set or seed is another fit; a shared model is the very model a fresh fit
// would give (the GBDT is deterministic).
Result<std::shared_ptr<Regressor>> shared_source_model(const TrainingSet& data, const RegressorOptions& so,
                                                       size_t source) {
  struct Fit {
    std::string setting;
    std::vector<std::pair<std::string, double>> networks;
    std::shared_ptr<Regressor> model;
  };
  // A few sources at a time: multi-target runs, and multi-source transfer's partner of the
  // nearest sources (5, re-chosen at every leave-one-out fit: fewer kept would refit them).
  constexpr size_t kKept = 16;
  static std::mutex mutex;
  static std::deque<Fit> fits;
  const std::string setting = options::to_json(so, regressor_option_fields()).dump() + "\n" + std::to_string(so.seed) +
                              "\n" + std::to_string(so.threads) + "\n" + data.rules + "\n" + data.rules_definition +
                              "\n" + std::to_string(data.context.threads) + "\n" + data.source_targets[source];
  std::vector<std::pair<std::string, double>> networks;
  for (const auto& n : data.networks) {
    if (const double ms = source_latency_ms(n.kernels, source); ms > 0) networks.emplace_back(n.hash, ms);
  }
  if (networks.size() < 2) {
    return make_error(ErrorCode::kInvalidArgument, "source target " + data.source_targets[source] + " shares " +
                                                       std::to_string(networks.size()) + " networks with " +
                                                       data.target + " (at least 2 needed)");
  }
  const std::lock_guard lock(mutex);
  for (const Fit& f : fits) {
    if (f.setting == setting && f.networks == networks) return f.model;
  }
  FeatureMatrix x;
  std::vector<double> y;
  for (const auto& n : data.networks) {
    const double ms = source_latency_ms(n.kernels, source);
    if (ms <= 0) continue;
    x.append_row(network_features(n.kernels));
    y.push_back(std::log(ms));
  }
  NNLAT_ASSIGN_OR_RETURN(std::shared_ptr<Regressor> model, make_regressor(RegressorKind::kGbdt, so));
  NNLAT_RETURN_IF_ERROR(model->fit(x, y));
  if (fits.size() == kKept) fits.pop_front();
  fits.push_back({setting, std::move(networks), model});
  return model;
}

}  // namespace

double TransferModel::source_log_ms(const NetworkKernels& network) const {
  if (const double ms = source_latency_ms(network, source_index_); ms > 0) return std::log(ms);
  return source_model_->predict(network_features(network));
}

Result<TransferModel> TransferModel::fit(const TrainingSet& data, std::span<const size_t> network_rows,
                                         const RegressorOptions& options, size_t source) {
  if (source >= data.source_targets.size()) {
    return make_error(ErrorCode::kInvalidArgument, "method transfer needs a source target (--from SOURCE)");
  }
  TransferModel m;
  m.source_target_ = data.source_targets[source];
  m.source_index_ = source;
  // The source model: every network the source measured.
  RegressorOptions so = options;
  so.gbdt_rounds = 200;
  so.gbdt_max_depth = 3;
  so.gbdt_learning_rate = 0.05;
  NNLAT_ASSIGN_OR_RETURN(m.source_model_, shared_source_model(data, so, source));

  std::vector<double> x;
  std::vector<double> y;
  std::vector<std::vector<double>> with_macs;
  for (size_t r : network_rows) {
    const NetworkKernels& n = data.networks[r].kernels;
    x.push_back(m.source_log_ms(n));
    y.push_back(std::log(data.networks[r].latency_ms));
    with_macs.push_back({1.0, x.back(), std::log(std::max<double>(static_cast<double>(n.macs), 1.0))});
  }
  if (x.empty()) return make_error(ErrorCode::kInvalidArgument, "method transfer needs target networks to learn from");
  // The MACs term joins when leave-one-out says it helps (a CPU source ranks a GPU's
  // networks worse than their MACs do).
  std::vector<std::vector<double>> plain;
  for (const auto& row : with_macs) plain.push_back({row[0], row[1]});
  auto loo_error = [&](const std::vector<std::vector<double>>& rows) {
    if (rows.size() < 3) return std::numeric_limits<double>::infinity();
    double sse = 0;
    for (size_t out = 0; out < rows.size(); ++out) {
      std::vector<std::vector<double>> r;
      std::vector<double> t;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i == out) continue;
        r.push_back(rows[i]);
        t.push_back(y[i]);
      }
      const double e = y[out] - dot(fit_with_priors(r, t), rows[out]);
      sse += e * e;
    }
    return sse;
  };
  m.use_macs_ = loo_error(with_macs) < loo_error(plain);
  m.coefficients_ = fit_with_priors(m.use_macs_ ? with_macs : plain, y);
  std::vector<double> base(y.size());
  for (size_t i = 0; i < y.size(); ++i) base[i] = dot(m.coefficients_, m.use_macs_ ? with_macs[i] : plain[i]);
  if (x.size() < kMinNetworksForResidual) return m;

  // The residual correction, kept only when leave-one-out says it helps.
  FeatureMatrix rx;
  std::vector<double> ry;
  for (size_t i = 0; i < network_rows.size(); ++i) {
    rx.append_row(residual_row(data.networks[network_rows[i]].kernels, x[i]));
    ry.push_back(y[i] - base[i]);
  }
  double best = 0;
  for (double v : ry) best += v * v;  // no residual model
  double best_lambda = 0;
  for (double lambda : kResidualLambdas) {
    RegressorOptions ro = options;
    ro.ridge_lambda = lambda;
    double sse = 0;
    for (size_t out = 0; out < ry.size(); ++out) {
      std::vector<size_t> keep;
      std::vector<double> ky;
      for (size_t i = 0; i < ry.size(); ++i) {
        if (i == out) continue;
        keep.push_back(i);
        ky.push_back(ry[i]);
      }
      NNLAT_ASSIGN_OR_RETURN(auto reg, make_regressor(RegressorKind::kRidge, ro));
      NNLAT_RETURN_IF_ERROR(reg->fit(rx.select_rows(keep), ky));
      const double e = ry[out] - reg->predict(rx.row(out));
      sse += e * e;
    }
    if (sse < best) {
      best = sse;
      best_lambda = lambda;
    }
  }
  if (best_lambda > 0) {
    RegressorOptions ro = options;
    ro.ridge_lambda = best_lambda;
    NNLAT_ASSIGN_OR_RETURN(auto reg, make_regressor(RegressorKind::kRidge, ro));
    NNLAT_RETURN_IF_ERROR(reg->fit(rx, ry));
    m.residual_ = std::move(reg);
    m.residual_lambda_ = best_lambda;
  }
  return m;
}

double TransferModel::predict_ms(const NetworkKernels& network) const {
  const double s = source_log_ms(network);
  double t = coefficients_[0] + coefficients_[1] * s;
  if (use_macs_) t += coefficients_[2] * std::log(std::max<double>(static_cast<double>(network.macs), 1.0));
  if (residual_) t += residual_->predict(residual_row(network, s));
  return std::exp(t);
}

nlohmann::json TransferModel::to_json() const {
  return {
      {"source_target", source_target_},
      {"source_index", source_index_},
      {"coefficients", coefficients_},
      {"terms", use_macs_ ? nlohmann::json{"1", "log_source_ms", "log_macs"} : nlohmann::json{"1", "log_source_ms"}},
      {"residual_lambda", residual_lambda_},
      {"residual", residual_ ? residual_->to_json() : nlohmann::json(nullptr)},
      {"source_model", source_model_->to_json()}};
}

Result<TransferModel> TransferModel::from_json(const nlohmann::json& j, const std::string& source) {
  TransferModel m;
  try {
    m.source_target_ = j.at("source_target").get<std::string>();
    m.source_index_ = j.value("source_index", size_t{0});  // files before multi-source transfer: 0
    m.coefficients_ = j.at("coefficients").get<std::vector<double>>();
    if (m.coefficients_.size() != 2 && m.coefficients_.size() != 3) {
      return make_error(ErrorCode::kParseError, source + ": transfer: 2 or 3 coefficients expected");
    }
    m.use_macs_ = m.coefficients_.size() == 3;
    m.residual_lambda_ = j.at("residual_lambda").get<double>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, source + ": transfer: " + e.what());
  }
  NNLAT_ASSIGN_OR_RETURN(auto sm, regressor_from_json(j.at("source_model"), source + ": transfer source model"));
  m.source_model_ = std::move(sm);
  if (!j.at("residual").is_null()) {
    NNLAT_ASSIGN_OR_RETURN(auto r, regressor_from_json(j.at("residual"), source + ": transfer residual"));
    m.residual_ = std::move(r);
  }
  return m;
}

}  // namespace nnlat::predictors
