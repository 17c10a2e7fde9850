// Linear models on standardised features: OLS and ridge in closed form, lasso by coordinate
// descent. Standardising makes one lambda mean the same thing whatever the features' units
// (MACs in the millions next to kernel sizes of 3), and leaves the intercept unpenalised:
// with centred features it is simply the mean of y.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>

#include "predictors/regressor_impl.hpp"

namespace nnlat::predictors {

namespace {

// "linear" is least squares; this ridge term only keeps the normal equations solvable when
// features are collinear or constant, and is far below anything that would bias a fit.
constexpr double kOlsConditioning = 1e-10;
// Lasso stops when no coefficient moved by more than this fraction of y's spread in a sweep.
constexpr double kLassoTolerance = 1e-12;
// Each sweep costs O(features^2) on the Gram matrix, so this cap costs milliseconds; an
// unconverged fit is still the best point found, like sklearn's after its warning.
constexpr int kLassoMaxSweeps = 100000;

double soft_threshold(double v, double t) {
  if (v > t) return v - t;
  if (v < -t) return v + t;
  return 0.0;
}

class LinearRegressor final : public Regressor {
 public:
  LinearRegressor(RegressorKind kind, const RegressorOptions& options) : kind_(kind), options_(options) {}

  RegressorKind kind() const override { return kind_; }
  size_t num_features() const override { return mean_.size(); }

  Status fit(const FeatureMatrix& x, std::span<const double> y) override {
    NNLAT_RETURN_IF_ERROR(validate_training_data(kind_, x, y));
    const size_t n = x.rows;
    const size_t d = x.cols;

    std::vector<double> mean(d, 0.0), stddev(d, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t c = 0; c < d; ++c) mean[c] += x.at(i, c);
    }
    for (double& m : mean) m /= static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t c = 0; c < d; ++c) {
        const double diff = x.at(i, c) - mean[c];
        stddev[c] += diff * diff;
      }
    }
    for (double& s : stddev) {
      s = std::sqrt(s / static_cast<double>(n));
      // A constant column standardises to all zeros and so gets a zero coefficient; a unit
      // scale keeps the saved model finite.
      if (!(s > 0.0)) s = 1.0;
    }
    double y_mean = 0.0;
    for (double v : y) y_mean += v;
    y_mean /= static_cast<double>(n);

    Eigen::MatrixXd z(n, d);
    Eigen::VectorXd yc(n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t c = 0; c < d; ++c) z(i, c) = (x.at(i, c) - mean[c]) / stddev[c];
      yc(i) = y[i] - y_mean;
    }
    // Everything below works on the d x d Gram matrix, so the cost in rows is one pass.
    const double inv_n = 1.0 / static_cast<double>(n);
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(d, d);
    gram.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose(), inv_n);
    gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
    const Eigen::VectorXd corr = z.transpose() * yc * inv_n;

    Eigen::VectorXd w;
    if (kind_ == RegressorKind::kLasso) {
      w = lasso(gram, corr, options_.lasso_lambda, std::sqrt(yc.squaredNorm() * inv_n));
    } else {
      const double lambda = kind_ == RegressorKind::kRidge ? options_.ridge_lambda : 0.0;
      Eigen::MatrixXd a = gram;
      a.diagonal().array() += lambda + kOlsConditioning;
      Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
      if (ldlt.info() != Eigen::Success) {
        return make_error(ErrorCode::kInternal, std::string(regressor_kind_name(kind_)) + ": solve failed");
      }
      w = ldlt.solve(corr);
    }
    std::vector<double> coef(w.data(), w.data() + d);
    for (double c : coef) {
      if (!std::isfinite(c)) {
        return make_error(ErrorCode::kInternal,
                          std::string(regressor_kind_name(kind_)) + ": fit produced non-finite coefficients");
      }
    }
    mean_ = std::move(mean);
    std_ = std::move(stddev);
    coef_ = std::move(coef);
    intercept_ = y_mean;
    return Status::Ok();
  }

  double predict(std::span<const float> row) const override {
    if (row.size() != mean_.size() || mean_.empty()) return invalid_prediction();
    double sum = intercept_;
    for (size_t c = 0; c < row.size(); ++c) sum += coef_[c] * ((row[c] - mean_[c]) / std_[c]);
    return sum;
  }

  nlohmann::json to_json() const override {
    return {{"kind", regressor_kind_name(kind_)},
            {"version", kRegressorFormatVersion},
            {"options", options_to_json(kind_, options_)},
            {"num_features", mean_.size()},
            {"feature_mean", mean_},
            {"feature_std", std_},
            {"coefficients", coef_},
            {"intercept", intercept_}};
  }

  Status load(const nlohmann::json& j) {
    NNLAT_ASSIGN_OR_RETURN(options_, options_from_json(kind_, j));
    NNLAT_ASSIGN_OR_RETURN(const size_t d, read_num_features(j));
    NNLAT_ASSIGN_OR_RETURN(mean_, read_finite_array(j, "feature_mean", d));
    NNLAT_ASSIGN_OR_RETURN(std_, read_finite_array(j, "feature_std", d));
    NNLAT_ASSIGN_OR_RETURN(coef_, read_finite_array(j, "coefficients", d));
    NNLAT_ASSIGN_OR_RETURN(intercept_, read_finite_number(j, "intercept"));
    for (double s : std_) {
      if (!(s > 0.0)) return make_error(ErrorCode::kParseError, "'feature_std' holds a value <= 0");
    }
    return Status::Ok();
  }

 private:
  // Coordinate descent on (1/2n)|yc - Z w|^2 + lambda |w|_1 with covariance updates
  // (Friedman, Hastie & Tibshirani 2010): each coordinate step uses the Gram matrix only.
  static Eigen::VectorXd lasso(const Eigen::MatrixXd& gram, const Eigen::VectorXd& corr, double lambda,
                               double y_scale) {
    const Eigen::Index d = gram.rows();
    Eigen::VectorXd w = Eigen::VectorXd::Zero(d);
    const double tolerance = kLassoTolerance * std::max(y_scale, 1e-300);
    for (int sweep = 0; sweep < kLassoMaxSweeps; ++sweep) {
      double max_step = 0.0;
      for (Eigen::Index j = 0; j < d; ++j) {
        const double g = gram(j, j);
        if (!(g > 0.0)) continue;  // constant column
        const double rho = corr(j) - gram.row(j).dot(w) + g * w(j);
        const double updated = soft_threshold(rho, lambda) / g;
        max_step = std::max(max_step, std::abs(updated - w(j)) * std::sqrt(g));
        w(j) = updated;
      }
      if (max_step <= tolerance) break;
    }
    return w;
  }

  RegressorKind kind_;
  RegressorOptions options_;
  std::vector<double> mean_, std_, coef_;
  double intercept_ = 0.0;
};

}  // namespace

std::unique_ptr<Regressor> make_linear_regressor(RegressorKind kind, const RegressorOptions& options) {
  return std::make_unique<LinearRegressor>(kind, options);
}

Result<std::unique_ptr<Regressor>> linear_regressor_from_json(RegressorKind kind, const nlohmann::json& j) {
  auto model = std::make_unique<LinearRegressor>(kind, RegressorOptions{});
  NNLAT_RETURN_IF_ERROR(model->load(j));
  return std::unique_ptr<Regressor>(std::move(model));
}

}  // namespace nnlat::predictors
