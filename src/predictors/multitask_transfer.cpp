#include "predictors/multitask_transfer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nnlat::predictors {
namespace {

// At most this many of the K networks describe a target (its embedding): the trees need a
// fixed, small width whatever K is (`train` on a fully measured target has K = every network).
constexpr size_t kEmbeddingNetworks = 16;
// The base map's slope is pulled toward 1 (half way from least squares on the K networks):
// 5 to 10 networks cannot pin a slope down.
constexpr double kSlopeKeep = 2.0 / 3.0;
constexpr double kMinSlope = 0.2;
constexpr double kMaxSlope = 5.0;
// The features after the architecture terms and log MACs: the nearest's centred log latency,
// the second nearest's minus it, the nearest's spread, the base slope.
constexpr Eigen::Index kNeighbourFeatures = 4;

// Small trees over a few thousand rows: the residuals are small and the tasks few, so deep
// trees would learn the tasks by heart.
RegressorOptions tree_options(const RegressorOptions& options) {
  RegressorOptions o = options;
  o.gbdt_rounds = 150;
  o.gbdt_max_depth = 4;
  o.gbdt_learning_rate = 0.08;
  o.gbdt_subsample = 0.8;
  o.gbdt_min_child_weight = 5.0;
  return o;
}

std::vector<double> embedding_of(const Eigen::VectorXd& k_log_ms, double mean) {
  const size_t width = std::min<size_t>(static_cast<size_t>(k_log_ms.size()), kEmbeddingNetworks);
  std::vector<double> e(width);
  for (size_t j = 0; j < width; ++j) e[j] = k_log_ms(static_cast<Eigen::Index>(j)) - mean;
  return e;
}

}  // namespace

MultiTaskTransfer::Base MultiTaskTransfer::make_base(const Eigen::MatrixXd& design, Eigen::Index sources,
                                                     std::span<const size_t> k_rows, const Eigen::VectorXd& task_log_ms,
                                                     Eigen::Index self, Eigen::Index excluded) {
  const auto k = static_cast<Eigen::Index>(k_rows.size());
  Base b;
  b.task_mean = task_log_ms.mean();
  double best = std::numeric_limits<double>::infinity();
  double second = std::numeric_limits<double>::infinity();
  b.nearest = -1;
  b.second = -1;
  for (Eigen::Index s = 0; s < sources; ++s) {
    if (s == self || s == excluded) continue;
    double sum = 0;
    double sum_sq = 0;
    for (Eigen::Index i = 0; i < k; ++i) {
      const double d = task_log_ms(i) - design(static_cast<Eigen::Index>(k_rows[static_cast<size_t>(i)]), s);
      sum += d;
      sum_sq += d * d;
    }
    const double variance =
        sum_sq / static_cast<double>(k) - (sum / static_cast<double>(k)) * (sum / static_cast<double>(k));
    if (variance < best) {
      second = best;
      b.second = b.nearest;
      best = variance;
      b.nearest = s;
    } else if (variance < second) {
      second = variance;
      b.second = s;
    }
  }
  if (b.nearest < 0) b.nearest = 0;  // no other source: the caller never gets here (two sources at least)
  if (b.second < 0) b.second = b.nearest;
  b.spread = std::sqrt(std::max(best, 0.0));
  double nearest_sum = 0;
  double second_sum = 0;
  for (size_t r : k_rows) {
    nearest_sum += design(static_cast<Eigen::Index>(r), b.nearest);
    second_sum += design(static_cast<Eigen::Index>(r), b.second);
  }
  b.nearest_mean = nearest_sum / static_cast<double>(k);
  b.second_mean = second_sum / static_cast<double>(k);
  double xy = 0;
  double xx = 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double x = design(static_cast<Eigen::Index>(k_rows[static_cast<size_t>(i)]), b.nearest) - b.nearest_mean;
    xy += x * (task_log_ms(i) - b.task_mean);
    xx += x * x;
  }
  const double least_squares = xx > 1e-12 ? xy / xx : 1.0;
  b.slope = std::clamp(kSlopeKeep * least_squares + (1.0 - kSlopeKeep), kMinSlope, kMaxSlope);
  return b;
}

void MultiTaskTransfer::features(const Base& base, std::span<const double> embedding,
                                 const Eigen::Ref<const Eigen::RowVectorXd>& row, Eigen::Index sources,
                                 std::span<float> out) {
  size_t c = 0;
  for (Eigen::Index f = sources; f < row.size(); ++f) out[c++] = static_cast<float>(row(f));  // log MACs, architecture
  for (double e : embedding) out[c++] = static_cast<float>(e);
  const double nearest = row(base.nearest) - base.nearest_mean;
  out[c++] = static_cast<float>(nearest);
  out[c++] = static_cast<float>(row(base.second) - base.second_mean - nearest);
  out[c++] = static_cast<float>(base.spread);
  out[c++] = static_cast<float>(base.slope);
}

double MultiTaskTransfer::base_prediction(const Base& base, const Eigen::Ref<const Eigen::RowVectorXd>& row) {
  return base.task_mean + base.slope * (row(base.nearest) - base.nearest_mean);
}

Result<MultiTaskTransfer> MultiTaskTransfer::fit(const MultiTaskProblem& p, const RegressorOptions& options,
                                                 std::shared_ptr<Regressor> trees) {
  const size_t k = p.k_rows.size();
  if (k < kMinMultiTaskNetworks || static_cast<size_t>(p.k_log_ms.size()) != k) {
    return make_error(ErrorCode::kInvalidArgument, "multi-task transfer needs at least " +
                                                       std::to_string(kMinMultiTaskNetworks) + " target networks");
  }
  MultiTaskTransfer m;
  m.sources_ = p.sources;
  const size_t width = static_cast<size_t>(p.design.cols() - p.sources) + std::min(k, kEmbeddingNetworks) +
                       static_cast<size_t>(kNeighbourFeatures);
  m.base_ = make_base(p.design, p.sources, p.k_rows, p.k_log_ms, -1, p.excluded);
  m.embedding_ = embedding_of(p.k_log_ms, m.base_.task_mean);
  if (trees) {
    m.trees_ = std::move(trees);
    return m;
  }
  std::vector<bool> in_k(static_cast<size_t>(p.design.rows()), false);
  for (size_t r : p.k_rows) in_k[r] = true;
  // The tasks' rows: every training network outside the K (the base is fitted on the K, so
  // its residuals there are in-sample; the target is only ever predicted outside them).
  FeatureMatrix x;
  std::vector<double> y;
  std::vector<float> buffer(width);
  Eigen::VectorXd task_k(static_cast<Eigen::Index>(k));
  for (Eigen::Index s : p.tasks) {
    if (s == p.excluded) continue;
    for (size_t i = 0; i < k; ++i)
      task_k(static_cast<Eigen::Index>(i)) = p.design(static_cast<Eigen::Index>(p.k_rows[i]), s);
    // A task's neighbours may be any other source (the pseudo-target of leave-one-target-out
    // included: its latencies are features of other tasks' rows, never a label).
    const Base base = make_base(p.design, p.sources, p.k_rows, task_k, s, -1);
    const auto embedding = embedding_of(task_k, base.task_mean);
    for (size_t r : p.train_networks) {
      if (in_k[r]) continue;
      const auto row = p.design.row(static_cast<Eigen::Index>(r));
      features(base, embedding, row, p.sources, buffer);
      x.append_row(buffer);
      y.push_back(row(s) - base_prediction(base, row));
    }
  }
  if (y.size() < 2) {
    return make_error(ErrorCode::kInvalidArgument, "multi-task transfer: the sources leave fewer than 2 training rows");
  }
  NNLAT_ASSIGN_OR_RETURN(auto fitted, make_regressor(RegressorKind::kGbdt, tree_options(options)));
  NNLAT_RETURN_IF_ERROR(fitted->fit(x, y));
  m.trees_ = std::move(fitted);
  return m;
}

double MultiTaskTransfer::base_log_ms(const Eigen::Ref<const Eigen::RowVectorXd>& row) const {
  return base_prediction(base_, row);
}

double MultiTaskTransfer::predict_log_ms(const Eigen::Ref<const Eigen::RowVectorXd>& row) const {
  std::vector<float> f(trees_->num_features());
  features(base_, embedding_, row, sources_, f);
  return base_prediction(base_, row) + trees_->predict(f);
}

nlohmann::json MultiTaskTransfer::to_json() const {
  return {{"nearest_source", base_.nearest},  {"second_source", base_.second},  {"nearest_mean", base_.nearest_mean},
          {"second_mean", base_.second_mean}, {"target_mean", base_.task_mean}, {"slope", base_.slope},
          {"spread", base_.spread},           {"embedding", embedding_},        {"trees", trees_->to_json()}};
}

Result<MultiTaskTransfer> MultiTaskTransfer::from_json(const nlohmann::json& j, Eigen::Index sources,
                                                       Eigen::Index columns, const std::string& source) {
  MultiTaskTransfer m;
  m.sources_ = sources;
  try {
    m.base_.nearest = j.at("nearest_source").get<Eigen::Index>();
    m.base_.second = j.at("second_source").get<Eigen::Index>();
    m.base_.nearest_mean = j.at("nearest_mean").get<double>();
    m.base_.second_mean = j.at("second_mean").get<double>();
    m.base_.task_mean = j.at("target_mean").get<double>();
    m.base_.slope = j.at("slope").get<double>();
    m.base_.spread = j.at("spread").get<double>();
    m.embedding_ = j.at("embedding").get<std::vector<double>>();
    NNLAT_ASSIGN_OR_RETURN(m.trees_, regressor_from_json(j.at("trees"), source + ": transfer_multi.multitask trees"));
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, source + ": transfer_multi.multitask: " + e.what());
  }
  if (m.base_.nearest < 0 || m.base_.nearest >= sources || m.base_.second < 0 || m.base_.second >= sources) {
    return make_error(ErrorCode::kParseError, source + ": transfer_multi.multitask: a nearest source outside the " +
                                                  std::to_string(sources) + " sources");
  }
  const auto width =
      static_cast<size_t>(columns - sources) + m.embedding_.size() + static_cast<size_t>(kNeighbourFeatures);
  if (m.embedding_.size() > kEmbeddingNetworks || m.trees_->num_features() != width) {
    return make_error(ErrorCode::kParseError, source + ": transfer_multi.multitask: the trees take " +
                                                  std::to_string(m.trees_->num_features()) + " features, not " +
                                                  std::to_string(width));
  }
  return m;
}

}  // namespace nnlat::predictors
