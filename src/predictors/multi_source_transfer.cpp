#include "predictors/multi_source_transfer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "nnlat/core/sampling.hpp"
#include "nnlat/models/nas.hpp"
#include "predictors/flops_blend.hpp"
#include "predictors/network_features.hpp"

namespace nnlat::predictors {
namespace {

constexpr double kPriorOnly = std::numeric_limits<double>::infinity();
// The name of the log-MACs column when it is the closest "source" (FLOPs-proportional).
constexpr const char* kFlopsPrior = "flops";

const char* model_name(MultiSourceTransfer::Model model) {
  switch (model) {
    case MultiSourceTransfer::Model::kMultiTask:
      return "multitask";
    case MultiSourceTransfer::Model::kSingleSource:
      return "single-source";
    case MultiSourceTransfer::Model::kRidgeAndMultiTask:
      return "ridge+multitask";
    case MultiSourceTransfer::Model::kRidge:
      break;
  }
  return "ridge";
}

std::optional<MultiSourceTransfer::Model> parse_model_name(const std::string& name) {
  for (auto model : {MultiSourceTransfer::Model::kRidge, MultiSourceTransfer::Model::kMultiTask,
                     MultiSourceTransfer::Model::kSingleSource, MultiSourceTransfer::Model::kRidgeAndMultiTask}) {
    if (name == model_name(model)) return model;
  }
  return std::nullopt;
}
// The pulls toward the prior tried by leave-one-target-out (× the sources' spread on the K
// networks), and how much harder the architecture terms are pulled toward 0 than the
// sources toward their prior (K networks cannot pin 30 architecture terms down).
constexpr double kStrengths[] = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, kPriorOnly};
constexpr double kArchitecturePull = 10.0;
// Leave-one-target-out: networks each pseudo-target is scored on, and K-draws per
// pseudo-target (the same draws for every choice, so choices are compared on equal terms).
constexpr size_t kPoolNetworks = 400;
constexpr int kDraws = 3;
// Source models: ridge on whole-network features, fitted on at most this many of the
// networks the source measured (the fit does not need more, and it runs once per split).
constexpr size_t kSourceModelNetworks = 2000;
// From this many target networks on, leave-one-out over them may overrule leave-one-target-out
// in favour of the prior alone (fewer: too noisy a vote).
constexpr size_t kMinLeaveOneOut = 5;
constexpr double kSourceModelRidge = 1.0;
// The weights of the single-source transfer in the final blend, tried by leave-one-out over
// the K networks from kMinLeaveOneOut on (ties: the smaller weight).
constexpr double kSingleWeights[] = {0.0, 0.5, 1.0};
// The blend's partner: the single-source transfers of the sources nearly as close to the
// target as the closest one (spread of log target − log source on the K at most kNearTie
// times the closest's; at most kNearestSources of them), weighted by 1 / spread^kNearestPower.
// Neighbouring CPU core sets of one phone are each as close as the next, and their mean
// cancels some of each one's measurement noise; a source with no near tie (a GPU's twin on
// another phone) stays alone, as in transfer-single.
constexpr size_t kNearestSources = 5;
constexpr double kNearTie = 2.0;
constexpr double kNearestPower = 2.0;
// Above this many target networks there is no blend vote (the multi-source model alone): it
// refits the single-source transfer, itself cross-validated over the K, once per network
// (a cost of K³), and a well-measured target has little use for a fallback to one source.
constexpr size_t kMaxBlendVote = 50;
// Leave-one-target-out between the ridge model, the multi-task GBDT and the single source:
// the sources split into this many folds (the GBDT trained once per fold).
constexpr size_t kModelFolds = 5;
constexpr size_t kMinPseudoTargets = 8;

struct MapConfig {
  bool uniform_prior = false;
  double strength = kPriorOnly;
  bool architecture = false;
};

std::vector<MapConfig> candidate_configs() {
  std::vector<MapConfig> configs;
  for (bool uniform : {false, true}) {
    for (double strength : kStrengths) {
      for (bool architecture : {false, true}) {
        if (strength == kPriorOnly && architecture) continue;  // the prior has no architecture terms
        configs.push_back({uniform, strength, architecture});
      }
    }
  }
  return configs;
}

struct LinearMap {
  double intercept = 0;
  Eigen::VectorXd weights;  // over the first weights.size() columns of the design
};

// Ridge toward the prior on the rows `train` of `design` (columns: `sources` source log
// latencies, then standardised architecture features), target `y` (one per train row).
LinearMap fit_map(const Eigen::MatrixXd& design, Eigen::Index sources, std::span<const size_t> train,
                  const Eigen::VectorXd& y, const MapConfig& config) {
  const Eigen::Index cols = config.architecture ? design.cols() : sources;
  const auto k = static_cast<Eigen::Index>(train.size());
  Eigen::MatrixXd x(k, cols);
  for (Eigen::Index i = 0; i < k; ++i) x.row(i) = design.row(static_cast<Eigen::Index>(train[i])).head(cols);
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const double y_mean = y.mean();
  const Eigen::MatrixXd xc = x.rowwise() - mean;
  const Eigen::VectorXd yc = y.array() - y_mean;
  // The prior's direction: one source (the one whose simple regression fits the K rows best)
  // or the sources' mean; its scale: that regression's slope, since a target need not scale
  // like its sources (a GPU's latencies spread less than a CPU core's).
  Eigen::VectorXd direction = Eigen::VectorXd::Zero(cols);
  if (config.uniform_prior) {
    direction.head(sources).setConstant(1.0 / static_cast<double>(sources));
  } else {
    Eigen::Index best = 0;
    double best_sse = std::numeric_limits<double>::infinity();
    for (Eigen::Index s = 0; s < sources; ++s) {
      const double xx = xc.col(s).squaredNorm();
      const double slope = xx > 1e-12 ? xc.col(s).dot(yc) / xx : 0.0;
      const double sse = (yc - slope * xc.col(s)).squaredNorm();
      if (sse < best_sse) {
        best_sse = sse;
        best = s;
      }
    }
    direction(best) = 1.0;
  }
  const Eigen::VectorXd along = xc * direction;
  const double along_norm = along.squaredNorm();
  const Eigen::VectorXd prior = direction * (along_norm > 1e-12 ? along.dot(yc) / along_norm : 1.0);
  LinearMap map;
  map.weights = prior;
  if (k >= 2 && config.strength != kPriorOnly) {
    const double spread = xc.leftCols(sources).squaredNorm() / static_cast<double>(sources) + 1e-9;
    Eigen::VectorXd pull = Eigen::VectorXd::Constant(cols, config.strength * spread);
    if (cols > sources) {
      pull.tail(cols - sources).setConstant(config.strength * kArchitecturePull * static_cast<double>(k));
    }
    Eigen::MatrixXd a = xc.transpose() * xc;
    a.diagonal() += pull;
    const Eigen::VectorXd b = xc.transpose() * yc + pull.cwiseProduct(prior);
    map.weights = a.ldlt().solve(b);
  }
  map.intercept = y_mean - mean.dot(map.weights);
  return map;
}

double map_predict(const LinearMap& map, const Eigen::Ref<const Eigen::RowVectorXd>& row) {
  return map.intercept + row.head(map.weights.size()).dot(map.weights);
}

// The K rows without row `out` (`others`) and their log latencies (`y_others`).
void leave_out(std::span<const size_t> rows, const Eigen::VectorXd& y, size_t out, std::vector<size_t>& others,
               Eigen::VectorXd& y_others) {
  others.clear();
  y_others.resize(static_cast<Eigen::Index>(rows.size() - 1));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i == out) continue;
    y_others(static_cast<Eigen::Index>(others.size())) = y(static_cast<Eigen::Index>(i));
    others.push_back(rows[i]);
  }
}

// Each of the K rows' log latency predicted by the map fitted on the others.
Eigen::VectorXd leave_one_out_predictions(const Eigen::MatrixXd& design, Eigen::Index priors,
                                          std::span<const size_t> rows, const Eigen::VectorXd& y,
                                          const MapConfig& config) {
  Eigen::VectorXd predicted(static_cast<Eigen::Index>(rows.size()));
  std::vector<size_t> others;
  Eigen::VectorXd y_others;
  for (size_t out = 0; out < rows.size(); ++out) {
    leave_out(rows, y, out, others, y_others);
    const LinearMap map = fit_map(design, priors, others, y_others, config);
    predicted(static_cast<Eigen::Index>(out)) = map_predict(map, design.row(static_cast<Eigen::Index>(rows[out])));
  }
  return predicted;
}

double mean_squared_error(const Eigen::VectorXd& y, const Eigen::VectorXd& predicted) {
  return (y - predicted).squaredNorm() / static_cast<double>(y.size());
}

// The measured sources' columns (not log MACs) of `design` on `rows`; NaN where a source did
// not measure a network (`design` is then the `measured` matrix, not the one with guesses).
Eigen::MatrixXd measured_rows(const Eigen::MatrixXd& design, Eigen::Index sources, std::span<const size_t> rows) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), sources);
  for (size_t i = 0; i < rows.size(); ++i)
    x.row(static_cast<Eigen::Index>(i)) = design.row(static_cast<Eigen::Index>(rows[i])).head(sources);
  return x;
}

// The blend partner's sources on `rows`, judged on measurements only, as transfer-single
// judges its closest source (near_tie_sources; count 1: closest_source's).
std::vector<std::pair<size_t, double>> nearest_measured_sources(const Eigen::MatrixXd& design, Eigen::Index sources,
                                                                std::span<const size_t> rows, const Eigen::VectorXd& y,
                                                                size_t count) {
  return near_tie_sources(measured_rows(design, sources, rows), y, count);
}

// The partner's log latency of `network`: the weighted mean of its transfers' logs.
double partner_log_ms(std::span<const MultiSourceTransfer::WeightedTransfer> partner, const NetworkKernels& network) {
  double t = 0;
  for (const auto& p : partner) t += p.weight * std::log(p.model.predict_ms(network));
  return t;
}

// The partner of `count` nearest sources fitted on `rows`.
Result<std::vector<MultiSourceTransfer::WeightedTransfer>> fit_partner(
    const TrainingSet& data, const Eigen::MatrixXd& measured, Eigen::Index sources, std::span<const size_t> rows,
    const Eigen::VectorXd& y, const RegressorOptions& options, size_t count) {
  std::vector<MultiSourceTransfer::WeightedTransfer> partner;
  for (const auto& [source, weight] : nearest_measured_sources(measured, sources, rows, y, count)) {
    NNLAT_ASSIGN_OR_RETURN(auto model, TransferModel::fit(data, rows, options, source));
    partner.push_back({weight, std::move(model)});
  }
  return partner;
}

// Each of the K rows' log latency predicted by the partner of `count` nearest sources (chosen
// on the other rows, their TransferModels fitted on them).
Result<Eigen::VectorXd> partner_leave_one_out(const TrainingSet& data, const Eigen::MatrixXd& measured,
                                              Eigen::Index sources, std::span<const size_t> rows,
                                              const Eigen::VectorXd& y, const RegressorOptions& options, size_t count) {
  Eigen::VectorXd predicted(static_cast<Eigen::Index>(rows.size()));
  std::vector<size_t> others;
  Eigen::VectorXd y_others;
  for (size_t out = 0; out < rows.size(); ++out) {
    leave_out(rows, y, out, others, y_others);
    NNLAT_ASSIGN_OR_RETURN(const auto partner, fit_partner(data, measured, sources, others, y_others, options, count));
    predicted(static_cast<Eigen::Index>(out)) = partner_log_ms(partner, data.networks[rows[out]].kernels);
  }
  return predicted;
}

// Each source in turn as the target, the others its sources: the config with the lowest mean
// held-out squared log error at this K over `pool` (rows of the design: [every source's log
// latency, log MACs, architecture features]; `sources` counts the first, `priors` the first
// two groups: what a prior may put weight on).
MultiSourceTransfer::Choice choose_by_leave_one_target_out(const Eigen::MatrixXd& pool, Eigen::Index sources,
                                                           Eigen::Index priors, size_t k, uint64_t seed) {
  const auto configs = candidate_configs();
  std::vector<double> error(configs.size(), 0.0);
  const auto n = static_cast<size_t>(pool.rows());
  size_t scored = 0;
  for (Eigen::Index p = 0; p < sources; ++p) {
    Eigen::MatrixXd design(pool.rows(), pool.cols() - 1);
    Eigen::Index c = 0;
    for (Eigen::Index s = 0; s < pool.cols(); ++s) {
      if (s != p) design.col(c++) = pool.col(s);
    }
    for (int d = 0; d < kDraws; ++d) {
      auto train = sample_without_replacement(n, k, seed + static_cast<uint64_t>(p * kDraws + d));
      if (!train.ok()) continue;
      Eigen::VectorXd y(static_cast<Eigen::Index>(k));
      for (size_t i = 0; i < k; ++i) y(static_cast<Eigen::Index>(i)) = pool(static_cast<Eigen::Index>((*train)[i]), p);
      std::vector<bool> is_train(n, false);
      for (size_t t : *train) is_train[t] = true;
      for (size_t ci = 0; ci < configs.size(); ++ci) {
        const LinearMap map = fit_map(design, priors - 1, *train, y, configs[ci]);
        double sse = 0;
        for (size_t i = 0; i < n; ++i) {
          if (is_train[i]) continue;
          const auto r = static_cast<Eigen::Index>(i);
          const double e = pool(r, p) - map_predict(map, design.row(r));
          sse += e * e;
        }
        error[ci] += sse / static_cast<double>(n - k);
      }
      ++scored;
    }
  }
  MultiSourceTransfer::Choice choice;  // no pseudo-target could be scored: the best single source
  if (scored == 0) return choice;
  const size_t best = static_cast<size_t>(std::min_element(error.begin(), error.end()) - error.begin());
  choice.uniform_prior = configs[best].uniform_prior;
  choice.strength = configs[best].strength;
  choice.architecture = configs[best].architecture;
  choice.loto_error = error[best] / static_cast<double>(scored);
  return choice;
}

// The sources nearest the target on the first `k` rows of `pool` (the smallest spread of log
// target − log source), the pseudo-targets of the comparison between models: the sources as
// a whole may relate to one another unlike to this target (CPU core sets beside a GPU), the
// ones that resemble it tell better which model suits it. A quarter of the sources, at
// least kMinPseudoTargets (all when fewer).
std::vector<Eigen::Index> nearest_sources(const Eigen::MatrixXd& pool, Eigen::Index sources, size_t k,
                                          const Eigen::VectorXd& target_log_ms) {
  std::vector<std::pair<double, Eigen::Index>> spread;
  for (Eigen::Index s = 0; s < sources; ++s) {
    const Eigen::VectorXd d = target_log_ms - pool.col(s).head(static_cast<Eigen::Index>(k));
    spread.emplace_back((d.array() - d.mean()).square().mean(), s);
  }
  std::sort(spread.begin(), spread.end());
  const size_t count = std::min(spread.size(), std::max(kMinPseudoTargets, spread.size() / 4));
  std::vector<Eigen::Index> nearest;
  for (size_t i = 0; i < count; ++i) nearest.push_back(spread[i].second);
  return nearest;
}

// The held-out squared log errors of the three models over the pseudo-targets.
struct ModelErrors {
  double ridge = 0;
  double multitask = 0;
  double single = 0;
  double ridge_and_multitask = 0;
};

// Each source in turn plays the target, described by its log latencies on the `k` first
// networks of `pool` (rows: those networks, then the others scored; columns as the design's):
// the ridge map with `config` (the other sources as its sources), the multi-task GBDT
// trained on the sources of the other folds, and the GBDT's base (the nearest other source's
// log-linear map) predict the pseudo-target's other networks.
Result<ModelErrors> compare_models_by_leave_one_target_out(const Eigen::MatrixXd& pool, Eigen::Index sources,
                                                           Eigen::Index priors, size_t k,
                                                           std::span<const Eigen::Index> pseudo_targets,
                                                           const MapConfig& config, const RegressorOptions& options) {
  ModelErrors errors;
  const auto n = static_cast<size_t>(pool.rows());
  std::vector<size_t> k_rows(k);
  for (size_t i = 0; i < k; ++i) k_rows[i] = i;
  std::vector<size_t> all_rows(n);
  for (size_t i = 0; i < n; ++i) all_rows[i] = i;
  const size_t folds = std::min(kModelFolds, pseudo_targets.size());
  size_t scored = 0;
  for (size_t f = 0; f < folds; ++f) {
    std::vector<bool> is_held(static_cast<size_t>(sources), false);
    std::vector<Eigen::Index> held;
    for (size_t i = f; i < pseudo_targets.size(); i += folds) {
      held.push_back(pseudo_targets[i]);
      is_held[static_cast<size_t>(pseudo_targets[i])] = true;
    }
    std::vector<Eigen::Index> tasks;
    for (Eigen::Index s = 0; s < sources; ++s) {
      if (!is_held[static_cast<size_t>(s)]) tasks.push_back(s);
    }
    std::shared_ptr<Regressor> trees;
    for (Eigen::Index p : held) {
      const Eigen::VectorXd y = pool.col(p).head(static_cast<Eigen::Index>(k));
      const MultiTaskProblem problem{pool, sources, k_rows, y, tasks, p, all_rows};
      NNLAT_ASSIGN_OR_RETURN(auto multitask, MultiTaskTransfer::fit(problem, options, trees));
      trees = multitask.trees();
      Eigen::MatrixXd without(pool.rows(), pool.cols() - 1);
      without << pool.leftCols(p), pool.rightCols(pool.cols() - p - 1);
      const LinearMap map = fit_map(without, priors - 1, k_rows, y, config);
      double ridge = 0;
      double gbdt = 0;
      double single = 0;
      double half = 0;
      for (size_t i = k; i < n; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        const double truth = pool(r, p);
        const double ridge_log_ms = map_predict(map, without.row(r));
        const double gbdt_log_ms = multitask.predict_log_ms(pool.row(r));
        ridge += std::pow(truth - ridge_log_ms, 2);
        gbdt += std::pow(truth - gbdt_log_ms, 2);
        single += std::pow(truth - multitask.base_log_ms(pool.row(r)), 2);
        half += std::pow(truth - 0.5 * (ridge_log_ms + gbdt_log_ms), 2);
      }
      const auto held_out = static_cast<double>(n - k);
      errors.ridge += ridge / held_out;
      errors.multitask += gbdt / held_out;
      errors.single += single / held_out;
      errors.ridge_and_multitask += half / held_out;
      ++scored;
    }
  }
  if (scored > 0) {
    errors.ridge /= static_cast<double>(scored);
    errors.multitask /= static_cast<double>(scored);
    errors.single /= static_cast<double>(scored);
    errors.ridge_and_multitask /= static_cast<double>(scored);
  }
  return errors;
}

}  // namespace

std::vector<double> source_spreads(const Eigen::MatrixXd& source_log_ms, const Eigen::VectorXd& target_log_ms) {
  std::vector<double> spreads;
  for (Eigen::Index s = 0; s < source_log_ms.cols(); ++s) {
    double sum = 0;
    double sum_sq = 0;
    size_t n = 0;
    for (Eigen::Index i = 0; i < source_log_ms.rows(); ++i) {
      const double v = source_log_ms(i, s);
      if (!std::isfinite(v)) continue;
      const double d = target_log_ms(i) - v;
      sum += d;
      sum_sq += d * d;
      ++n;
    }
    const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
    spreads.push_back(n >= 2 ? sum_sq / static_cast<double>(n) - mean * mean : kPriorOnly);
  }
  return spreads;
}

namespace {

// The source with the smallest spread (ties and no finite spread: the first): closest_source.
size_t smallest_spread(const std::vector<double>& spreads) {
  size_t best = 0;
  for (size_t s = 1; s < spreads.size(); ++s) {
    if (spreads[s] < spreads[best]) best = s;
  }
  return best;
}

}  // namespace

std::vector<std::pair<size_t, double>> near_tie_sources(const Eigen::MatrixXd& source_log_ms,
                                                        const Eigen::VectorXd& target_log_ms, size_t max_count) {
  const auto spreads = source_spreads(source_log_ms, target_log_ms);
  std::vector<std::pair<double, size_t>> order;
  for (size_t s = 0; s < spreads.size(); ++s) {
    if (std::isfinite(spreads[s])) order.emplace_back(spreads[s], s);
  }
  if (order.empty() || max_count <= 1) return {{smallest_spread(spreads), 1.0}};
  std::sort(order.begin(), order.end());  // ties: the first source, as closest_source
  order.resize(std::min(order.size(), max_count));
  while (order.size() > 1 && order.back().first > kNearTie * order.front().first) order.pop_back();
  // A floor under the spread: a source that matches the K exactly must not take all weight
  // from a division by zero (it still takes nearly all).
  const double floor = 1e-9 + 1e-3 * order.front().first;
  std::vector<std::pair<size_t, double>> nearest;
  double total = 0;
  for (const auto& [spread, s] : order) {
    nearest.emplace_back(s, std::pow(spread + floor, -kNearestPower));
    total += nearest.back().second;
  }
  for (auto& [s, w] : nearest) w /= total;
  return nearest;
}

size_t closest_source(const Eigen::MatrixXd& source_log_ms, const Eigen::VectorXd& target_log_ms) {
  return smallest_spread(source_spreads(source_log_ms, target_log_ms));
}

std::vector<double> MultiSourceTransfer::architecture(const NetworkKernels& network,
                                                      const std::vector<float>& features) const {
  std::vector<double> a(features.begin(), features.end());
  if (space_.empty()) return a;
  std::vector<float> own;
  if (network.space == space_) {
    if (auto f = models::encoding_features(space_, network.encoding); f.ok()) own = std::move(*f);
  }
  const size_t count = arch_mean_.empty() ? own.size() : arch_mean_.size() - a.size();
  for (size_t f = 0; f < count; ++f) {
    a.push_back(own.size() == count ? own[f] : arch_mean_[features.size() + f]);
  }
  return a;
}

std::vector<std::string> MultiSourceTransfer::architecture_names() const {
  auto names = network_feature_names();
  for (auto& name : models::encoding_feature_names(space_)) names.push_back(std::move(name));
  return names;
}

Eigen::VectorXd MultiSourceTransfer::row(const NetworkKernels& network) const {
  const auto sources = static_cast<Eigen::Index>(sources_.size());
  const auto features = network_features(network);
  const auto arch = architecture(network, features);
  Eigen::VectorXd r(sources + 1 + static_cast<Eigen::Index>(arch_mean_.size()));
  for (Eigen::Index s = 0; s < sources; ++s) {
    const double ms = source_latency_ms(network, static_cast<size_t>(s));
    r(s) = ms > 0 ? std::log(ms) : source_models_[static_cast<size_t>(s)]->predict(features);
  }
  r(sources) = std::log(std::max<double>(static_cast<double>(network.macs), 1.0));
  for (size_t f = 0; f < arch_mean_.size(); ++f) {
    r(sources + 1 + static_cast<Eigen::Index>(f)) = (arch[f] - arch_mean_[f]) / arch_scale_[f];
  }
  return r;
}

Result<MultiSourceTransfer> MultiSourceTransfer::fit(const TrainingSet& data, std::span<const size_t> network_rows,
                                                     const RegressorOptions& options, TransferModelMode mode,
                                                     bool encoding_features) {
  if (data.source_targets.size() < 2) {
    return make_error(ErrorCode::kInvalidArgument, "multi-source transfer needs at least two source targets");
  }
  if (network_rows.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "method transfer needs target networks to learn from");
  }
  MultiSourceTransfer m;
  m.sources_ = data.source_targets;
  const size_t n = data.networks.size();
  // Architecture features of every network, standardised over all of them (no latency of the
  // target is involved).
  std::vector<std::vector<float>> features(n);
  for (size_t i = 0; i < n; ++i) features[i] = network_features(data.networks[i].kernels);
  // A NAS dataset (every network of one space whose encodings have features of their own,
  // nb201's per-edge ops) adds them on request: op counts cannot tell which edge an op sits
  // on. Not by default: on the local NB201 targets they did not help (docs/transfer.md).
  m.space_ = encoding_features && n > 0 ? data.networks[0].kernels.space : "";
  for (const auto& network : data.networks) {
    if (network.kernels.space != m.space_) m.space_.clear();
  }
  if (models::encoding_feature_names(m.space_).empty()) m.space_.clear();
  const size_t f_count = m.architecture_names().size();
  std::vector<std::vector<double>> arch(n);
  for (size_t i = 0; i < n; ++i) {
    arch[i] = m.architecture(data.networks[i].kernels, features[i]);
    if (arch[i].size() != f_count) {
      return make_error(ErrorCode::kInvalidArgument,
                        data.networks[i].name + ": its " + m.space_ +
                            " encoding has no features: " + data.networks[i].kernels.encoding);
    }
  }
  m.arch_mean_.assign(f_count, 0.0);
  m.arch_scale_.assign(f_count, 0.0);
  for (const auto& row : arch) {
    for (size_t f = 0; f < f_count; ++f) m.arch_mean_[f] += row[f] / static_cast<double>(n);
  }
  for (const auto& row : arch) {
    for (size_t f = 0; f < f_count; ++f) {
      const double d = row[f] - m.arch_mean_[f];
      m.arch_scale_[f] += d * d / static_cast<double>(n);
    }
  }
  for (double& s : m.arch_scale_) s = s > 1e-12 ? std::sqrt(s) : 1.0;  // a constant feature stays 0

  // One source model per source, from the networks it measured.
  const auto order = seeded_permutation(n, options.seed + 17);
  for (size_t s = 0; s < m.sources_.size(); ++s) {
    FeatureMatrix x;
    std::vector<double> y;
    for (size_t i : order) {
      const double ms = source_latency_ms(data.networks[i].kernels, s);
      if (ms <= 0) continue;
      x.append_row(features[i]);
      y.push_back(std::log(ms));
      if (y.size() == kSourceModelNetworks) break;
    }
    if (y.size() < 2) {
      return make_error(ErrorCode::kInvalidArgument, "transfer source " + m.sources_[s] + " shares " +
                                                         std::to_string(y.size()) + " networks with " + data.target +
                                                         " (at least 2 needed)");
    }
    RegressorOptions ro = options;
    ro.ridge_lambda = kSourceModelRidge;
    NNLAT_ASSIGN_OR_RETURN(auto model, make_regressor(RegressorKind::kRidge, ro));
    NNLAT_RETURN_IF_ERROR(model->fit(x, y));
    m.source_models_.push_back(std::move(model));
  }

  // The design over every network: what the K rows are fitted on and the pool that
  // leave-one-target-out scores choices on.
  const auto sources = static_cast<Eigen::Index>(m.sources_.size());
  const Eigen::Index priors = sources + 1;  // the sources and log MACs (FLOPs as one more source)
  Eigen::MatrixXd design(static_cast<Eigen::Index>(n), priors + static_cast<Eigen::Index>(f_count));
  for (size_t i = 0; i < n; ++i) design.row(static_cast<Eigen::Index>(i)) = m.row(data.networks[i].kernels);
  // The same with NaN where a source did not measure the network (the design holds its source
  // model's guess there): which single source is closest is judged on measurements only, as
  // transfer-single judges it. A guess can make a source look closest on K = 10 networks (a
  // twin GPU that lacks some of them lost to a CPU core set: ρ 0.93 instead of 0.99).
  Eigen::MatrixXd measured = design;
  for (size_t i = 0; i < n; ++i) {
    for (Eigen::Index s = 0; s < sources; ++s) {
      if (source_latency_ms(data.networks[i].kernels, static_cast<size_t>(s)) <= 0) {
        measured(static_cast<Eigen::Index>(i), s) = std::numeric_limits<double>::quiet_NaN();
      }
    }
  }

  const size_t k = network_rows.size();
  if (k >= 3) {
    const size_t pool_size = std::min(n, kPoolNetworks);
    Eigen::MatrixXd pool(static_cast<Eigen::Index>(pool_size), design.cols());
    for (size_t i = 0; i < pool_size; ++i)
      pool.row(static_cast<Eigen::Index>(i)) = design.row(static_cast<Eigen::Index>(order[i]));
    // Trained on (nearly) all of the target's networks, the pseudo-targets cannot hold out K
    // of theirs: they are scored at half the pool instead, which still tells the pull a
    // well-measured target can afford.
    const size_t loto_k = std::min(k, pool_size / 2);
    if (loto_k >= 3) {
      m.choice_ = choose_by_leave_one_target_out(pool, sources, priors, loto_k, options.seed);
    } else {
      m.choice_.strength = kPriorOnly;
    }
  } else {
    m.choice_.strength = kPriorOnly;
  }
  Eigen::VectorXd y(static_cast<Eigen::Index>(k));
  for (size_t i = 0; i < k; ++i) y(static_cast<Eigen::Index>(i)) = std::log(data.networks[network_rows[i]].latency_ms);
  // The shrinkage rule: the sources as a group may relate to one another unlike to this
  // target (CPU core sets as sources of a GPU), so the target's own K training networks
  // (leave-one-out over them; its held-out networks are never seen) decide between
  // leave-one-target-out's choice and the prior alone (the best single source, or MACs).
  const MapConfig chosen{m.choice_.uniform_prior, m.choice_.strength, m.choice_.architecture};
  const MapConfig prior_only{false, kPriorOnly, false};
  Eigen::VectorXd multi_loo;
  if (k >= kMinLeaveOneOut) multi_loo = leave_one_out_predictions(design, priors, network_rows, y, chosen);
  if (k >= kMinLeaveOneOut && chosen.strength != kPriorOnly) {
    Eigen::VectorXd prior_loo = leave_one_out_predictions(design, priors, network_rows, y, prior_only);
    if (mean_squared_error(y, prior_loo) < mean_squared_error(y, multi_loo)) {
      m.choice_.uniform_prior = false;
      m.choice_.strength = kPriorOnly;
      m.choice_.architecture = false;
      m.choice_.fell_back = true;
      multi_loo = std::move(prior_loo);
    }
  }
  const MapConfig final_config{m.choice_.uniform_prior, m.choice_.strength, m.choice_.architecture};
  const LinearMap map = fit_map(design, priors, network_rows, y, final_config);
  // Which model predicts: leave-one-target-out over the sources between the ridge model, the
  // multi-task GBDT and the single source (kAuto), or the mode's.
  if (mode != TransferModelMode::kRidge && k >= kMinMultiTaskNetworks) {
    m.choice_.model = Model::kMultiTask;
    if (mode == TransferModelMode::kAuto) {
      // The pseudo-targets are described on (at most half the pool of) the target's K
      // networks and scored on up to kPoolNetworks others.
      const size_t compare_k = std::min(k, std::min(n, kPoolNetworks) / 2);
      m.choice_.model = Model::kRidge;
      if (compare_k >= kMinMultiTaskNetworks) {
        std::vector<size_t> rows(network_rows.begin(), network_rows.begin() + static_cast<std::ptrdiff_t>(compare_k));
        std::vector<bool> taken(n, false);
        for (size_t r : rows) taken[r] = true;
        for (size_t i : order) {
          if (rows.size() >= kPoolNetworks) break;
          if (!taken[i]) rows.push_back(i);
        }
        Eigen::MatrixXd pool(static_cast<Eigen::Index>(rows.size()), design.cols());
        for (size_t i = 0; i < rows.size(); ++i)
          pool.row(static_cast<Eigen::Index>(i)) = design.row(static_cast<Eigen::Index>(rows[i]));
        const auto pseudo_targets =
            nearest_sources(pool, sources, compare_k, y.head(static_cast<Eigen::Index>(compare_k)));
        NNLAT_ASSIGN_OR_RETURN(const ModelErrors errors,
                               compare_models_by_leave_one_target_out(pool, sources, priors, compare_k, pseudo_targets,
                                                                      final_config, options));
        m.choice_.ridge_error = errors.ridge;
        m.choice_.multitask_error = errors.multitask;
        m.choice_.single_error = errors.single;
        m.choice_.ridge_and_multitask_error = errors.ridge_and_multitask;
        // Ties: the ridge model (the method before the GBDT), then the mean, the GBDT.
        double best = errors.ridge;
        for (const auto& [model, error] :
             {std::pair{Model::kRidgeAndMultiTask, errors.ridge_and_multitask},
              std::pair{Model::kMultiTask, errors.multitask}, std::pair{Model::kSingleSource, errors.single}}) {
          if (error < best) {
            best = error;
            m.choice_.model = model;
          }
        }
      }
    }
  }
  if (m.choice_.model == Model::kMultiTask || m.choice_.model == Model::kRidgeAndMultiTask) {
    std::vector<Eigen::Index> tasks(static_cast<size_t>(sources));
    for (Eigen::Index s = 0; s < sources; ++s) tasks[static_cast<size_t>(s)] = s;
    const std::vector<size_t> train_networks(order.begin(),
                                             order.begin() + static_cast<std::ptrdiff_t>(std::min(n, kPoolNetworks)));
    const MultiTaskProblem problem{design, sources, network_rows, y, tasks, -1, train_networks};
    NNLAT_ASSIGN_OR_RETURN(m.multitask_, MultiTaskTransfer::fit(problem, options));
  } else if (m.choice_.model == Model::kSingleSource) {
    m.choice_.single_weight = 1.0;
    NNLAT_ASSIGN_OR_RETURN(m.partner_, fit_partner(data, measured, sources, network_rows, y, options, 1));
  }
  // The blend with the nearest sources' transfer, by leave-one-out over the K networks.
  Eigen::VectorXd blend_loo = multi_loo;
  const bool ridge_predicts = m.choice_.model == Model::kRidge || m.choice_.model == Model::kRidgeAndMultiTask;
  if (ridge_predicts && k >= kMinLeaveOneOut && k <= kMaxBlendVote) {
    NNLAT_ASSIGN_OR_RETURN(const Eigen::VectorXd partner_loo,
                           partner_leave_one_out(data, measured, sources, network_rows, y, options, kNearestSources));
    double best_error = std::numeric_limits<double>::infinity();
    for (double w : kSingleWeights) {
      const double e = mean_squared_error(y, (1.0 - w) * multi_loo + w * partner_loo);
      if (e < best_error) {
        best_error = e;
        m.choice_.single_weight = w;
      }
    }
    blend_loo = (1.0 - m.choice_.single_weight) * multi_loo + m.choice_.single_weight * partner_loo;
    if (m.choice_.single_weight > 0) {
      NNLAT_ASSIGN_OR_RETURN(m.partner_,
                             fit_partner(data, measured, sources, network_rows, y, options, kNearestSources));
      m.choice_.partner_sources = m.partner_.size();
    }
  }
  // Last, the blend with the FLOPs map: the sources may all be unlike the target (CPU core
  // sets for a GPU), and then MACs order its networks better than any of them; the two err
  // differently, so half of each can beat both.
  if (ridge_predicts && k >= kMinLeaveOneOut) {
    const Eigen::MatrixXd macs = design.col(sources);
    const MapConfig flops_only{false, kPriorOnly, false};
    const Eigen::VectorXd flops_loo = leave_one_out_predictions(macs, 1, network_rows, y, flops_only);
    m.choice_.flops_weight = vote_flops_weight({y.data(), static_cast<size_t>(y.size())},
                                               {blend_loo.data(), static_cast<size_t>(blend_loo.size())},
                                               {flops_loo.data(), static_cast<size_t>(flops_loo.size())});
    if (m.choice_.flops_weight > 0) {
      const LinearMap flops = fit_map(macs, 1, network_rows, y, flops_only);
      m.flops_map_ = {flops.intercept, flops.weights(0)};
    }
  }
  m.intercept_ = map.intercept;
  m.coefficients_.assign(static_cast<size_t>(design.cols()), 0.0);
  for (Eigen::Index c = 0; c < map.weights.size(); ++c) m.coefficients_[static_cast<size_t>(c)] = map.weights(c);
  Eigen::MatrixXd k_sources(static_cast<Eigen::Index>(k), priors);
  for (size_t i = 0; i < k; ++i)
    k_sources.row(static_cast<Eigen::Index>(i)) = measured.row(static_cast<Eigen::Index>(network_rows[i])).head(priors);
  m.best_source_ = closest_source(k_sources, y);
  return m;
}

double MultiSourceTransfer::predict_ms(const NetworkKernels& network) const {
  const Eigen::VectorXd r = row(network);
  const double multitask_log_ms = multitask_ ? multitask_->predict_log_ms(r.transpose()) : 0.0;
  if (choice_.model == Model::kMultiTask) return std::exp(multitask_log_ms);
  double t = intercept_;
  for (size_t c = 0; c < coefficients_.size(); ++c) t += coefficients_[c] * r(static_cast<Eigen::Index>(c));
  if (!partner_.empty()) {
    const double w = choice_.single_weight;
    t = (1.0 - w) * t + w * partner_log_ms(partner_, network);
  }
  if (flops_map_) {
    const double v = choice_.flops_weight;
    const double log_macs = r(static_cast<Eigen::Index>(sources_.size()));
    t = (1.0 - v) * t + v * (flops_map_->intercept + flops_map_->slope * log_macs);
  }
  if (choice_.model == Model::kRidgeAndMultiTask) t = 0.5 * (t + multitask_log_ms);
  return std::exp(t);
}

nlohmann::json MultiSourceTransfer::to_json() const {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& s : source_models_) models.push_back(s->to_json());
  nlohmann::json terms = nlohmann::json::array();
  for (const auto& s : sources_) terms.push_back("log_ms:" + s);
  terms.push_back("log_macs");
  for (const auto& f : architecture_names()) terms.push_back("z:" + f);
  // A partner of several sources: each one's transfer and weight (one: single_source_transfer,
  // as files from before the nearest-sources partner hold it).
  nlohmann::json nearest = nullptr;
  if (partner_.size() > 1) {
    nearest = nlohmann::json::array();
    for (const auto& p : partner_) nearest.push_back({{"weight", p.weight}, {"model", p.model.to_json()}});
  }
  return {
      {"sources", sources_},
      {"space", space_},
      {"terms", terms},
      {"intercept", intercept_},
      {"coefficients", coefficients_},
      {"architecture_mean", arch_mean_},
      {"architecture_scale", arch_scale_},
      {"best_single_source", best_source_ < sources_.size() ? sources_[best_source_] : std::string(kFlopsPrior)},
      {"choice",
       {{"prior", choice_.uniform_prior ? "uniform" : "best-single-source"},
        {"strength", std::isinf(choice_.strength) ? nlohmann::json("prior-only") : nlohmann::json(choice_.strength)},
        {"architecture", choice_.architecture},
        {"fell_back_to_prior", choice_.fell_back},
        {"leave_one_target_out_error", choice_.loto_error},
        {"single_source_weight", choice_.single_weight},
        {"partner_sources", choice_.partner_sources},
        {"flops_weight", choice_.flops_weight},
        {"model", model_name(choice_.model)},
        {"leave_one_target_out_errors",
         {{"ridge", choice_.ridge_error},
          {"multitask", choice_.multitask_error},
          {"single", choice_.single_error},
          {"ridge+multitask", choice_.ridge_and_multitask_error}}}}},
      {"multitask", multitask_ ? multitask_->to_json() : nlohmann::json(nullptr)},
      {"single_source_transfer", partner_.size() == 1 ? partner_[0].model.to_json() : nlohmann::json(nullptr)},
      {"nearest_sources_transfer", nearest},
      {"flops_map", flops_map_ ? nlohmann::json{{"intercept", flops_map_->intercept}, {"slope", flops_map_->slope}}
                               : nlohmann::json(nullptr)},
      {"source_models", models}};
}

Result<MultiSourceTransfer> MultiSourceTransfer::from_json(const nlohmann::json& j, const std::string& source) {
  MultiSourceTransfer m;
  try {
    m.sources_ = j.at("sources").get<std::vector<std::string>>();
    m.intercept_ = j.at("intercept").get<double>();
    m.coefficients_ = j.at("coefficients").get<std::vector<double>>();
    // Files from before the encoding features: none.
    m.space_ = j.value("space", std::string());
    m.arch_mean_ = j.at("architecture_mean").get<std::vector<double>>();
    m.arch_scale_ = j.at("architecture_scale").get<std::vector<double>>();
    const auto best = j.at("best_single_source").get<std::string>();
    // Not among the sources: the log-MACs column (kFlopsPrior), one past the last source.
    m.best_source_ = static_cast<size_t>(std::find(m.sources_.begin(), m.sources_.end(), best) - m.sources_.begin());
    if (m.best_source_ == m.sources_.size() && best != kFlopsPrior) m.best_source_ = m.sources_.size() + 1;
    const auto& c = j.at("choice");
    m.choice_.uniform_prior = c.at("prior").get<std::string>() == "uniform";
    m.choice_.strength = c.at("strength").is_string() ? kPriorOnly : c.at("strength").get<double>();
    m.choice_.architecture = c.at("architecture").get<bool>();
    m.choice_.fell_back = c.at("fell_back_to_prior").get<bool>();
    m.choice_.loto_error = c.at("leave_one_target_out_error").get<double>();
    // Files from before the blend: the multi-source model alone.
    m.choice_.single_weight = c.value("single_source_weight", 0.0);
    if (m.choice_.single_weight < 0 || m.choice_.single_weight > 1) {
      return make_error(ErrorCode::kParseError, source + ": transfer_multi: single_source_weight outside [0, 1]");
    }
    // Files from before the FLOPs blend: without it.
    m.choice_.flops_weight = c.value("flops_weight", 0.0);
    if (m.choice_.flops_weight < 0 || m.choice_.flops_weight > 1) {
      return make_error(ErrorCode::kParseError, source + ": transfer_multi: flops_weight outside [0, 1]");
    }
    if (m.choice_.flops_weight > 0) {
      const auto it = j.find("flops_map");
      if (it == j.end() || !it->is_object()) {
        return make_error(ErrorCode::kParseError, source + ": transfer_multi: flops_weight > 0 without a flops_map");
      }
      m.flops_map_ = FlopsMap{it->at("intercept").get<double>(), it->at("slope").get<double>()};
    }
    // Files from before the multi-task GBDT: the ridge model.
    const auto model = parse_model_name(c.value("model", std::string(model_name(Model::kRidge))));
    if (!model) return make_error(ErrorCode::kParseError, source + ": transfer_multi: unknown choice.model");
    m.choice_.model = *model;
    if (const auto it = c.find("leave_one_target_out_errors"); it != c.end()) {
      m.choice_.ridge_error = it->at("ridge").get<double>();
      m.choice_.multitask_error = it->at("multitask").get<double>();
      m.choice_.single_error = it->at("single").get<double>();
      m.choice_.ridge_and_multitask_error = it->at("ridge+multitask").get<double>();
    }
    if (!j.at("source_models").is_array()) {
      return make_error(ErrorCode::kParseError, source + ": transfer_multi: source_models is not an array");
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, source + ": transfer_multi: " + e.what());
  }
  if (!m.space_.empty() && models::encoding_feature_names(m.space_).empty()) {
    return make_error(ErrorCode::kParseError,
                      source + ": transfer_multi: space '" + m.space_ + "' has no encoding features in this build");
  }
  if (m.sources_.size() < 2 || m.best_source_ > m.sources_.size() ||
      m.arch_mean_.size() != m.architecture_names().size() || m.arch_scale_.size() != m.arch_mean_.size() ||
      m.coefficients_.size() != m.sources_.size() + 1 + m.arch_mean_.size() ||
      j.at("source_models").size() != m.sources_.size()) {
    return make_error(ErrorCode::kParseError,
                      source +
                          ": transfer_multi: sources, coefficients, architecture terms and source models do not "
                          "match (or a feature schema other than this build's)");
  }
  for (const auto& sm : j.at("source_models")) {
    NNLAT_ASSIGN_OR_RETURN(auto r, regressor_from_json(sm, source + ": transfer_multi source model"));
    m.source_models_.push_back(std::move(r));
  }
  if (m.choice_.model == Model::kMultiTask || m.choice_.model == Model::kRidgeAndMultiTask) {
    const auto it = j.find("multitask");
    if (it == j.end() || !it->is_object()) {
      return make_error(ErrorCode::kParseError,
                        source + ": transfer_multi: model multitask without a multitask object");
    }
    const auto sources = static_cast<Eigen::Index>(m.sources_.size());
    NNLAT_ASSIGN_OR_RETURN(m.multitask_,
                           MultiTaskTransfer::from_json(
                               *it, sources, sources + 1 + static_cast<Eigen::Index>(m.arch_mean_.size()), source));
  }
  if (m.choice_.single_weight > 0) {
    if (const auto it = j.find("nearest_sources_transfer"); it != j.end() && it->is_array()) {
      double total = 0;
      for (const auto& p : *it) {
        if (!p.is_object() || !p.contains("model") || !p.contains("weight") || !p.at("weight").is_number()) {
          return make_error(ErrorCode::kParseError,
                            source + ": transfer_multi: a nearest source without a numeric weight and a model");
        }
        NNLAT_ASSIGN_OR_RETURN(auto model, TransferModel::from_json(p.at("model"), source));
        m.partner_.push_back({p.at("weight").get<double>(), std::move(model)});
        if (!(m.partner_.back().weight >= 0)) {
          return make_error(ErrorCode::kParseError, source + ": transfer_multi: a nearest source's weight is negative");
        }
        total += m.partner_.back().weight;
      }
      if (m.partner_.size() < 2 || std::abs(total - 1.0) > 1e-6) {
        return make_error(ErrorCode::kParseError, source +
                                                      ": transfer_multi: nearest_sources_transfer needs at least two "
                                                      "sources whose weights sum to 1");
      }
    } else {
      const auto single = j.find("single_source_transfer");
      if (single == j.end() || single->is_null()) {
        return make_error(ErrorCode::kParseError,
                          source + ": transfer_multi: single_source_weight > 0 without a single_source_transfer");
      }
      NNLAT_ASSIGN_OR_RETURN(auto model, TransferModel::from_json(*single, source));
      m.partner_.push_back({1.0, std::move(model)});
    }
  }
  // How many sources the partner holds is what was loaded (files from before the
  // nearest-sources partner: one), not a figure of its own to trust.
  m.choice_.partner_sources = std::max<size_t>(1, m.partner_.size());
  return m;
}

}  // namespace nnlat::predictors
