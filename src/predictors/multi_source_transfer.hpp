// Few-shot transfer from several source targets (docs/transfer.md). A target with K measured
// networks is described by how its log latencies relate to those of every source on the same
// networks; in log space
//   log t = a + Σ_s w_s · log s_s(network) + u · log MACs [+ Σ_f v_f · z_f(network)]
// where s_s is the network's latency on source s (measured, or that source's model's
// prediction where it did not measure it) and z_f its standardised architecture features
// (kernel counts and MACs per kernel family, MACs, parameters, depth, bytes). log MACs is one
// more source (FLOPs-proportional latency): no measured source may resemble the target (a GPU
// target with CPU sources only), and then MACs rank it better. a, w, u (and v) are fitted on
// the K networks by ridge regression pulled toward a prior: all weight on the source (or
// MACs) closest to the target on the K networks (the best single source), or the same weight
// on every source and MACs. The prior, the strength of the pull and whether the architecture terms
// join are chosen by leave-one-target-out over the sources: each source in turn plays the
// target, the others its sources, K of its networks drawn at random; the choice with the
// lowest held-out squared log error wins. The target's own held-out networks are never
// looked at; but leave-one-out over the K target networks may then prefer the prior alone
// (the shrinkage rule: the sources may relate to one another unlike to this target). With
// K < 3 the model is the prior alone with a shift: the best single source. Last, for K = 5 to 50,
// leave-one-out over the K networks chooses how much weight (0, ½ or 1, in log space) the
// single-source transfer of the closest source (predictors/transfer.hpp: its log-linear map
// plus its ridge correction on network features) gets beside that model: with many sources
// that include near twins of the target, the closest one alone is hard to beat, and the two
// err differently. Then, the same way, how much weight (0 or ½) a FLOPs map (log t = a + b · log
// MACs on the K networks) gets beside the result, by mean absolute leave-one-out error
// (predictors/flops_blend.hpp).
// Beside that ridge model stands the multi-task GBDT (predictors/multitask_transfer.hpp):
// from kMinMultiTaskNetworks target networks on, leave-one-target-out over the sources (the
// sources split in folds, the trees trained on the other folds, each pseudo-target
// described by its latencies on the target's K networks) compares it with the ridge model
// and with the nearest source's log-linear map, and the lowest held-out squared log error
// decides which predicts: the ridge model with its blends, the GBDT, the mean of those two
// (log space), or the single-source transfer of the closest source (transfer-single's model).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "nnlat/predictors/training_set.hpp"
#include "predictors/multitask_transfer.hpp"
#include "predictors/transfer.hpp"

namespace nnlat::predictors {

// The source (column of `source_log_ms`) closest to `target_log_ms` on the rows: the smallest
// variance of log target − log source (a shift is free), over the rows where the source
// column is finite (NaN: not measured); a source with fewer than 2 such rows is never chosen
// unless none has. Ties: the first.
size_t closest_source(const Eigen::MatrixXd& source_log_ms, const Eigen::VectorXd& target_log_ms);
// Each source's spread, as closest_source judges it: the variance of log target − log source
// over the rows where the source is finite; infinity for a source with fewer than 2 such rows.
std::vector<double> source_spreads(const Eigen::MatrixXd& source_log_ms, const Eigen::VectorXd& target_log_ms);
// The multi-source blend's partner sources: those whose spread is at most twice the closest
// source's (at most `max_count` of them, the closest first), each with the weight
// 1 / spread² normalised to sum 1. One source (weight 1) when none is nearly as close, when
// max_count ≤ 1, or when no source has two finite rows (then closest_source's).
std::vector<std::pair<size_t, double>> near_tie_sources(const Eigen::MatrixXd& source_log_ms,
                                                        const Eigen::VectorXd& target_log_ms, size_t max_count);

// Which models `fit` may use: the selection above, or one imposed (to measure each alone).
enum class TransferModelMode {
  kAuto,       // leave-one-target-out chooses among the ridge model, the GBDT and the single source
  kRidge,      // the ridge model with its blends (the method before the multi-task GBDT)
  kMultiTask,  // the GBDT wherever K allows it (else the ridge model: the best single source at K < 3)
};

class MultiSourceTransfer {
 public:
  // kRidgeAndMultiTask: the mean of the two in log space.
  enum class Model { kRidge, kMultiTask, kSingleSource, kRidgeAndMultiTask };
  // What leave-one-target-out chose (kept in the predictor file to say why it predicts so).
  struct Choice {
    bool uniform_prior = false;   // false: the best single source's prior
    double strength = 0;          // the pull toward the prior, in units of the data's spread; inf: the prior alone
    bool architecture = false;    // the architecture terms joined
    double loto_error = 0;        // its mean held-out squared log error over the pseudo-targets
    bool fell_back = false;       // leave-one-out over the K networks preferred the prior alone
    double single_weight = 0;     // the blend's weight on the partner (log space)
    size_t partner_sources = 1;   // the partner: the closest source's transfer (1) or the nearest ones' mean
    double flops_weight = 0;      // the last blend's weight on the FLOPs map (log space)
    Model model = Model::kRidge;  // what predicts
    // The held-out squared log errors over the pseudo-targets that chose `model` (0: not compared).
    double ridge_error = 0;
    double multitask_error = 0;
    double single_error = 0;
    double ridge_and_multitask_error = 0;
  };

  // The blend's partner is the single-source transfer from the closest source, or the
  // weighted mean in log space of those of the nearest sources (weights summing to 1).
  struct WeightedTransfer {
    double weight = 1;
    TransferModel model;
  };

  // `network_rows`: the K target networks. Every source of data.source_targets takes part.
  // `encoding_features`: when every network is of one NAS space whose encodings have
  // features of their own (models::encoding_feature_names), they join the architecture terms.
  static Result<MultiSourceTransfer> fit(const TrainingSet& data, std::span<const size_t> network_rows,
                                         const RegressorOptions& options,
                                         TransferModelMode mode = TransferModelMode::kAuto,
                                         bool encoding_features = false);
  double predict_ms(const NetworkKernels& network) const;
  const Choice& choice() const { return choice_; }

  nlohmann::json to_json() const;
  static Result<MultiSourceTransfer> from_json(const nlohmann::json& j, const std::string& source);

 private:
  // [log ms on each source, log MACs, standardised architecture features].
  Eigen::VectorXd row(const NetworkKernels& network) const;
  // The architecture features of `network` (its whole-network `features`, then its
  // encoding's when space_ is set), unstandardised. A network of another space (or none) gets
  // the training mean for the encoding's: no term of them moves its prediction.
  std::vector<double> architecture(const NetworkKernels& network, const std::vector<float>& features) const;
  std::vector<std::string> architecture_names() const;

  std::vector<std::string> sources_;
  std::vector<std::shared_ptr<Regressor>> source_models_;  // log source ms from network features
  // The NAS space every network of the training set came from, when its encodings have
  // features of their own (models::encoding_feature_names: nb201's per-edge op one-hot);
  // "" otherwise. Its features follow the whole-network ones in arch_mean_ and arch_scale_.
  std::string space_;
  std::vector<double> arch_mean_;
  std::vector<double> arch_scale_;
  double intercept_ = 0;
  std::vector<double> coefficients_;  // over row(); zero for the architecture terms when they did not join
  size_t best_source_ = 0;
  Choice choice_;
  std::vector<WeightedTransfer> partner_;  // only when choice_.single_weight > 0
  // log t = intercept + slope · log MACs on the K networks; only when choice_.flops_weight > 0.
  struct FlopsMap {
    double intercept = 0;
    double slope = 0;
  };
  std::optional<FlopsMap> flops_map_;
  std::optional<MultiTaskTransfer> multitask_;  // only when choice_.model is kMultiTask or kRidgeAndMultiTask
};

}  // namespace nnlat::predictors
