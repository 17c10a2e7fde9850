// A small multi-layer perceptron: ReLU hidden layers, a linear output, standardised inputs and
// target, trained with Adam on shuffled minibatches. Everything random (initial weights, the
// validation split, the batch order) comes from one seeded generator with hand-written
// distributions, because std::normal_distribution and std::shuffle differ between standard
// libraries and a seed must give the same model everywhere.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "predictors/regressor_impl.hpp"

namespace nnlat::predictors {

namespace {

// Rows at or above this keep 10% aside to pick the best epoch; below it the split would be too
// small to mean anything and every row is needed for training.
constexpr size_t kMinRowsForValidation = 50;
// Stop once the validation loss has not improved for this many epochs.
constexpr int kPatience = 50;
// Cap on (training rows x epochs): 400 epochs suit a few hundred rows, but on tens of thousands
// they would take minutes while the first few dozen epochs already see each row enough.
constexpr double kMaxRowVisits = 1.0e6;
constexpr float kAdamBeta1 = 0.9f;
constexpr float kAdamBeta2 = 0.999f;
constexpr float kAdamEpsilon = 1e-8f;

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {                                                              // Box-Muller
    const double u1 = 1.0 - uniform();                                           // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  size_t below(size_t n) { return static_cast<size_t>(engine_() % n); }  // bias ~ n / 2^64
  template <typename T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;  // its output sequence is fixed by the standard
};

struct Layer {
  Eigen::MatrixXf w;  // out x in
  Eigen::VectorXf b;  // out
};

struct AdamState {
  Eigen::MatrixXf mw, vw;
  Eigen::VectorXf mb, vb;
};

class MlpRegressor final : public Regressor {
 public:
  explicit MlpRegressor(const RegressorOptions& options) : options_(options) {}

  RegressorKind kind() const override { return RegressorKind::kMlp; }
  size_t num_features() const override { return static_cast<size_t>(x_mean_.size()); }

  Status fit(const FeatureMatrix& x, std::span<const double> y) override;

  double predict(std::span<const float> row) const override {
    const auto d = static_cast<Eigen::Index>(row.size());
    if (layers_.empty() || d != x_mean_.size()) return invalid_prediction();
    Eigen::VectorXf a(d);
    for (Eigen::Index c = 0; c < d; ++c) a(c) = (row[c] - x_mean_(c)) * x_inv_std_(c);
    for (size_t l = 0; l + 1 < layers_.size(); ++l) a = (layers_[l].w * a + layers_[l].b).cwiseMax(0.0f);
    const float out = layers_.back().w.row(0).dot(a) + layers_.back().b(0);
    return y_mean_ + y_std_ * static_cast<double>(out);
  }

  nlohmann::json to_json() const override {
    nlohmann::json layers = nlohmann::json::array();
    for (const Layer& layer : layers_) {
      // Row-major, so the file reads like the matrix it holds.
      std::vector<float> w;
      w.reserve(static_cast<size_t>(layer.w.size()));
      for (Eigen::Index r = 0; r < layer.w.rows(); ++r) {
        for (Eigen::Index c = 0; c < layer.w.cols(); ++c) w.push_back(layer.w(r, c));
      }
      layers.push_back({{"rows", layer.w.rows()},
                        {"cols", layer.w.cols()},
                        {"weights", w},
                        {"bias", std::vector<float>(layer.b.data(), layer.b.data() + layer.b.size())}});
    }
    return {{"kind", regressor_kind_name(RegressorKind::kMlp)},
            {"version", kRegressorFormatVersion},
            {"options", options_to_json(RegressorKind::kMlp, options_)},
            {"num_features", x_mean_.size()},
            {"x_mean", std::vector<float>(x_mean_.data(), x_mean_.data() + x_mean_.size())},
            {"x_std", std::vector<float>(x_std_.data(), x_std_.data() + x_std_.size())},
            {"y_mean", y_mean_},
            {"y_std", y_std_},
            {"layers", std::move(layers)}};
  }

  Status load(const nlohmann::json& j);

 private:
  void set_input_scale(Eigen::VectorXf mean, Eigen::VectorXf stddev) {
    x_mean_ = std::move(mean);
    x_std_ = std::move(stddev);
    x_inv_std_ = x_std_.cwiseInverse();
  }

  RegressorOptions options_;
  std::vector<Layer> layers_;
  Eigen::VectorXf x_mean_, x_std_, x_inv_std_;
  double y_mean_ = 0.0;
  double y_std_ = 1.0;
};

// Forward pass over the columns of `input`; keeps every layer's pre-activation for backprop.
void forward(const std::vector<Layer>& layers, const Eigen::MatrixXf& input, std::vector<Eigen::MatrixXf>& pre,
             std::vector<Eigen::MatrixXf>& act) {
  act[0] = input;
  for (size_t l = 0; l < layers.size(); ++l) {
    pre[l].noalias() = layers[l].w * act[l];
    pre[l].colwise() += layers[l].b;
    if (l + 1 < layers.size()) act[l + 1] = pre[l].cwiseMax(0.0f);
  }
}

float mean_squared_error(const std::vector<Layer>& layers, const Eigen::MatrixXf& x, const Eigen::RowVectorXf& t,
                         std::vector<Eigen::MatrixXf>& pre, std::vector<Eigen::MatrixXf>& act) {
  forward(layers, x, pre, act);
  return (pre.back() - t).squaredNorm() / static_cast<float>(t.size());
}

Status MlpRegressor::fit(const FeatureMatrix& x, std::span<const double> y) {
  NNLAT_RETURN_IF_ERROR(validate_training_data(RegressorKind::kMlp, x, y));
  const size_t n = x.rows;
  const auto d = static_cast<Eigen::Index>(x.cols);
  Rng rng(options_.seed);

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  rng.shuffle(order);
  const size_t n_val = n >= kMinRowsForValidation ? n / 10 : 0;
  const std::vector<size_t> val_rows(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_val));
  const std::vector<size_t> train_rows(order.begin() + static_cast<std::ptrdiff_t>(n_val), order.end());
  const size_t n_train = train_rows.size();

  // Scalers from the training rows only, so the validation loss is an honest estimate. Two
  // passes, because raw features such as MAC counts have means far above their spread.
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(d), sum_sq = Eigen::VectorXd::Zero(d);
  double y_sum = 0.0, y_sum_sq = 0.0;
  for (size_t i : train_rows) {
    for (Eigen::Index c = 0; c < d; ++c) sum(c) += x.at(i, static_cast<size_t>(c));
    y_sum += y[i];
  }
  const double inv_n = 1.0 / static_cast<double>(n_train);
  const Eigen::VectorXd m = sum * inv_n;
  y_mean_ = y_sum * inv_n;
  for (size_t i : train_rows) {
    for (Eigen::Index c = 0; c < d; ++c) {
      const double diff = x.at(i, static_cast<size_t>(c)) - m(c);
      sum_sq(c) += diff * diff;
    }
    y_sum_sq += (y[i] - y_mean_) * (y[i] - y_mean_);
  }
  Eigen::VectorXf mean(d), stddev(d);
  for (Eigen::Index c = 0; c < d; ++c) {
    const double sd = std::sqrt(sum_sq(c) * inv_n);
    mean(c) = static_cast<float>(m(c));
    // A constant column standardises to zeros with a unit scale.
    stddev(c) = sd > 1e-12 * std::max(1.0, std::abs(m(c))) ? static_cast<float>(sd) : 1.0f;
  }
  set_input_scale(mean, stddev);
  const double y_sd = std::sqrt(y_sum_sq * inv_n);
  y_std_ = y_sd > 1e-12 * std::max(1.0, std::abs(y_mean_)) ? y_sd : 1.0;

  auto standardise = [&](const std::vector<size_t>& rows, Eigen::MatrixXf& zx, Eigen::RowVectorXf& zt) {
    zx.resize(d, static_cast<Eigen::Index>(rows.size()));
    zt.resize(static_cast<Eigen::Index>(rows.size()));
    for (size_t k = 0; k < rows.size(); ++k) {
      const auto r = x.row(rows[k]);
      const auto col = static_cast<Eigen::Index>(k);
      for (Eigen::Index c = 0; c < d; ++c) zx(c, col) = (r[static_cast<size_t>(c)] - x_mean_(c)) * x_inv_std_(c);
      zt(col) = static_cast<float>((y[rows[k]] - y_mean_) / y_std_);
    }
  };
  Eigen::MatrixXf train_x, val_x;
  Eigen::RowVectorXf train_t, val_t;
  standardise(train_rows, train_x, train_t);
  standardise(val_rows, val_x, val_t);

  // He initialisation for the ReLU layers, Glorot-like for the linear output; zero biases.
  std::vector<int> sizes = {static_cast<int>(d)};
  sizes.insert(sizes.end(), options_.mlp_hidden.begin(), options_.mlp_hidden.end());
  sizes.push_back(1);
  std::vector<Layer> layers(sizes.size() - 1);
  std::vector<AdamState> adam(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    const bool output = l + 1 == layers.size();
    const double scale = std::sqrt((output ? 1.0 : 2.0) / in);
    layers[l].w.resize(out, in);
    for (Eigen::Index r = 0; r < out; ++r) {
      for (Eigen::Index c = 0; c < in; ++c) layers[l].w(r, c) = static_cast<float>(scale * rng.normal());
    }
    layers[l].b = Eigen::VectorXf::Zero(out);
    adam[l].mw = Eigen::MatrixXf::Zero(out, in);
    adam[l].vw = Eigen::MatrixXf::Zero(out, in);
    adam[l].mb = Eigen::VectorXf::Zero(out);
    adam[l].vb = Eigen::VectorXf::Zero(out);
  }

  const int epochs = static_cast<int>(
      std::clamp(kMaxRowVisits / static_cast<double>(n_train), 1.0, static_cast<double>(options_.mlp_epochs)));
  const size_t batch = std::min(static_cast<size_t>(options_.mlp_batch), n_train);
  const auto lr = static_cast<float>(options_.mlp_learning_rate);
  const auto decay = static_cast<float>(options_.mlp_weight_decay);
  std::vector<Eigen::MatrixXf> pre(layers.size()), act(layers.size()), grad_w(layers.size());
  std::vector<Eigen::VectorXf> grad_b(layers.size());
  Eigen::MatrixXf batch_x, delta, delta_prev;
  Eigen::RowVectorXf batch_t;
  std::vector<Layer> best = layers;
  float best_loss = std::numeric_limits<float>::infinity();
  int since_best = 0;
  int64_t step = 0;
  std::vector<Eigen::Index> columns(n_train);  // training columns in this epoch's order
  std::iota(columns.begin(), columns.end(), Eigen::Index{0});

  for (int epoch = 0; epoch < epochs; ++epoch) {
    rng.shuffle(columns);
    for (size_t start = 0; start < n_train; start += batch) {
      const size_t count = std::min(batch, n_train - start);
      batch_x.resize(d, static_cast<Eigen::Index>(count));
      batch_t.resize(static_cast<Eigen::Index>(count));
      for (size_t k = 0; k < count; ++k) {
        const Eigen::Index col = columns[start + k];
        batch_x.col(static_cast<Eigen::Index>(k)) = train_x.col(col);
        batch_t(static_cast<Eigen::Index>(k)) = train_t(col);
      }
      forward(layers, batch_x, pre, act);
      // Loss: mean over the batch of (prediction - target)^2 / 2.
      delta = (pre.back() - batch_t) / static_cast<float>(count);
      for (size_t l = layers.size(); l-- > 0;) {
        grad_w[l].noalias() = delta * act[l].transpose();
        grad_b[l] = delta.rowwise().sum();
        if (l > 0) {
          delta_prev.noalias() = layers[l].w.transpose() * delta;
          delta = delta_prev.cwiseProduct((pre[l - 1].array() > 0.0f).cast<float>().matrix());
        }
      }
      ++step;
      const float correction1 = 1.0f - std::pow(kAdamBeta1, static_cast<float>(step));
      const float correction2 = 1.0f - std::pow(kAdamBeta2, static_cast<float>(step));
      const float step_size = lr * std::sqrt(correction2) / correction1;
      for (size_t l = 0; l < layers.size(); ++l) {
        AdamState& s = adam[l];
        s.mw = kAdamBeta1 * s.mw + (1.0f - kAdamBeta1) * grad_w[l];
        s.vw = kAdamBeta2 * s.vw + (1.0f - kAdamBeta2) * grad_w[l].cwiseAbs2();
        s.mb = kAdamBeta1 * s.mb + (1.0f - kAdamBeta1) * grad_b[l];
        s.vb = kAdamBeta2 * s.vb + (1.0f - kAdamBeta2) * grad_b[l].cwiseAbs2();
        // Decoupled weight decay (AdamW) on the weights only, not the biases.
        layers[l].w *= 1.0f - lr * decay;
        layers[l].w.array() -= step_size * s.mw.array() / (s.vw.array().sqrt() + kAdamEpsilon);
        layers[l].b.array() -= step_size * s.mb.array() / (s.vb.array().sqrt() + kAdamEpsilon);
      }
    }
    if (n_val > 0) {
      const float loss = mean_squared_error(layers, val_x, val_t, pre, act);
      if (loss < best_loss) {
        best_loss = loss;
        best = layers;
        since_best = 0;
      } else if (++since_best >= kPatience) {
        break;
      }
    }
  }
  layers_ = n_val > 0 && std::isfinite(best_loss) ? std::move(best) : std::move(layers);
  for (const Layer& layer : layers_) {
    if (!layer.w.allFinite() || !layer.b.allFinite()) {
      layers_.clear();
      return make_error(ErrorCode::kInternal, "mlp: training diverged (non-finite weights)");
    }
  }
  return Status::Ok();
}

Status MlpRegressor::load(const nlohmann::json& j) {
  NNLAT_ASSIGN_OR_RETURN(options_, options_from_json(RegressorKind::kMlp, j));
  NNLAT_ASSIGN_OR_RETURN(const size_t d, read_num_features(j));
  NNLAT_ASSIGN_OR_RETURN(const auto mean, read_finite_array(j, "x_mean", d));
  NNLAT_ASSIGN_OR_RETURN(const auto stddev, read_finite_array(j, "x_std", d));
  NNLAT_ASSIGN_OR_RETURN(y_mean_, read_finite_number(j, "y_mean"));
  NNLAT_ASSIGN_OR_RETURN(y_std_, read_finite_number(j, "y_std"));
  Eigen::VectorXf m(static_cast<Eigen::Index>(d)), s(static_cast<Eigen::Index>(d));
  for (size_t c = 0; c < d; ++c) {
    m(static_cast<Eigen::Index>(c)) = static_cast<float>(mean[c]);
    s(static_cast<Eigen::Index>(c)) = static_cast<float>(stddev[c]);
    if (!(stddev[c] > 0.0)) return make_error(ErrorCode::kParseError, "'x_std' holds a value <= 0");
  }
  if (!(y_std_ > 0.0)) return make_error(ErrorCode::kParseError, "'y_std' must be > 0");

  const nlohmann::json& lj = j.at("layers");
  if (!lj.is_array() || lj.size() != options_.mlp_hidden.size() + 1) {
    return make_error(ErrorCode::kParseError, "'layers' must hold one entry per hidden layer plus the output");
  }
  std::vector<Layer> layers;
  size_t in = d;
  for (size_t l = 0; l < lj.size(); ++l) {
    const std::string where = "layer " + std::to_string(l);
    const size_t out = l + 1 < lj.size() ? static_cast<size_t>(options_.mlp_hidden[l]) : 1;
    if (lj[l].at("rows").get<int64_t>() != static_cast<int64_t>(out) ||
        lj[l].at("cols").get<int64_t>() != static_cast<int64_t>(in)) {
      return make_error(ErrorCode::kParseError, where + ": shape does not match mlp_hidden and num_features");
    }
    auto weights = read_finite_array(lj[l], "weights", out * in);
    if (!weights.ok()) return weights.error().with_context(where);
    auto bias = read_finite_array(lj[l], "bias", out);
    if (!bias.ok()) return bias.error().with_context(where);
    Layer layer;
    layer.w.resize(static_cast<Eigen::Index>(out), static_cast<Eigen::Index>(in));
    layer.b.resize(static_cast<Eigen::Index>(out));
    for (size_t r = 0; r < out; ++r) {
      for (size_t c = 0; c < in; ++c) {
        layer.w(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
            static_cast<float>((*weights)[r * in + c]);
      }
      layer.b(static_cast<Eigen::Index>(r)) = static_cast<float>((*bias)[r]);
    }
    layers.push_back(std::move(layer));
    in = out;
  }
  set_input_scale(std::move(m), std::move(s));
  layers_ = std::move(layers);
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Regressor> make_mlp_regressor(const RegressorOptions& options) {
  return std::make_unique<MlpRegressor>(options);
}

Result<std::unique_ptr<Regressor>> mlp_regressor_from_json(const nlohmann::json& j) {
  auto model = std::make_unique<MlpRegressor>(RegressorOptions{});
  NNLAT_RETURN_IF_ERROR(model->load(j));
  return std::unique_ptr<Regressor>(std::move(model));
}

}  // namespace nnlat::predictors
