#include "predictors/transfer.hpp"

#include <cmath>
#include <limits>

#include "predictors/network_features.hpp"

namespace nnlat::predictors {
namespace {

// Weight of the prior b = 1, in units of one network's squared log error.
constexpr double kSlopePrior = 2.0;
constexpr size_t kMinNetworksForResidual = 10;
constexpr double kResidualLambdas[] = {0.3, 3.0, 30.0, 300.0};

// Weighted least squares for y = a + b x with the prior b ≈ 1 (closed form, 2×2).
std::pair<double, double> fit_shift_and_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  // Minimise Σ (y − a − b x)² + λ (b − 1)².
  const double l = kSlopePrior;
  const double det = n * (sxx + l) - sx * sx;
  if (std::abs(det) < 1e-12) return {(sy - sx) / n, 1.0};
  const double b = (n * (sxy + l) - sx * sy) / det;
  const double a = (sy - b * sx) / n;
  return {a, b};
}

std::vector<float> residual_row(const NetworkKernels& network, double log_source) {
  auto row = network_features(network);
  row.push_back(static_cast<float>(log_source));
  return row;
}

}  // namespace

double TransferModel::source_log_ms(const NetworkKernels& network) const {
  if (network.source_ms > 0) return std::log(network.source_ms);
  return source_model_->predict(network_features(network));
}

Result<TransferModel> TransferModel::fit(const TrainingSet& data, std::span<const size_t> network_rows,
                                         const RegressorOptions& options) {
  if (data.source_target.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "method transfer needs a source target (--from SOURCE)");
  }
  TransferModel m;
  m.source_target_ = data.source_target;
  // The source model: every network the source measured.
  FeatureMatrix sx;
  std::vector<double> sy;
  for (const auto& n : data.networks) {
    if (n.kernels.source_ms <= 0) continue;
    sx.append_row(network_features(n.kernels));
    sy.push_back(std::log(n.kernels.source_ms));
  }
  if (sy.size() < 2) {
    return make_error(ErrorCode::kInvalidArgument, "source target " + data.source_target + " shares " +
                                                       std::to_string(sy.size()) + " networks with " + data.target +
                                                       " (at least 2 needed)");
  }
  RegressorOptions so = options;
  so.gbdt_rounds = 200;
  so.gbdt_max_depth = 3;
  so.gbdt_learning_rate = 0.05;
  NNLAT_ASSIGN_OR_RETURN(auto source_model, make_regressor(RegressorKind::kGbdt, so));
  NNLAT_RETURN_IF_ERROR(source_model->fit(sx, sy));
  m.source_model_ = std::move(source_model);

  std::vector<double> x;
  std::vector<double> y;
  for (size_t r : network_rows) {
    x.push_back(m.source_log_ms(data.networks[r].kernels));
    y.push_back(std::log(data.networks[r].latency_ms));
  }
  if (x.empty()) return make_error(ErrorCode::kInvalidArgument, "method transfer needs target networks to learn from");
  std::tie(m.a_, m.b_) = fit_shift_and_slope(x, y);
  if (x.size() < kMinNetworksForResidual) return m;

  // The residual correction, kept only when leave-one-out says it helps.
  FeatureMatrix rx;
  std::vector<double> ry;
  for (size_t i = 0; i < network_rows.size(); ++i) {
    rx.append_row(residual_row(data.networks[network_rows[i]].kernels, x[i]));
    ry.push_back(y[i] - (m.a_ + m.b_ * x[i]));
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
  double t = a_ + b_ * s;
  if (residual_) t += residual_->predict(residual_row(network, s));
  return std::exp(t);
}

nlohmann::json TransferModel::to_json() const {
  return {{"source_target", source_target_},
          {"shift", a_},
          {"slope", b_},
          {"residual_lambda", residual_lambda_},
          {"residual", residual_ ? residual_->to_json() : nlohmann::json(nullptr)},
          {"source_model", source_model_->to_json()}};
}

Result<TransferModel> TransferModel::from_json(const nlohmann::json& j, const std::string& source) {
  TransferModel m;
  try {
    m.source_target_ = j.at("source_target").get<std::string>();
    m.a_ = j.at("shift").get<double>();
    m.b_ = j.at("slope").get<double>();
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
