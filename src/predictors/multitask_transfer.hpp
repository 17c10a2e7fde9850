// The multi-task model of few-shot transfer (docs/transfer.md, "The multi-task GBDT"): one
// gradient-boosted tree ensemble learnt over every source target at once, conditioned on the
// new target through a hardware embedding. Each source s in turn plays a target: its
// embedding is its centred log latencies on the K networks the new target measured (the
// same K networks for every source, so the new target has the same description), and its
// base prediction of a network is the log-linear map from its nearest other source (the
// smallest spread of the log-latency difference on the K networks, as transfer-single picks
// it). The trees learn the residual of that base from
//   [architecture features, log MACs, embedding, the nearest source's and second-nearest's
//    centred log latency of the network, the nearest's spread and slope on the K networks]
// so that what the sources teach about how targets differ from their nearest neighbour
// (which kernels a GPU favours over a CPU core set, where a small core stalls) carries over
// to the new target, whose own K networks are never a training row: they give its
// embedding and its base map.
// With too few networks for the embedding to say anything (K < kMinMultiTaskNetworks) there
// is no multi-task model: the caller keeps the best single source.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"

namespace nnlat::predictors {

inline constexpr size_t kMinMultiTaskNetworks = 5;

// What the model is trained on: rows of `design` are networks, its columns every source's
// log latency (the first `sources`), log MACs, then standardised architecture features
// (MultiSourceTransfer's design). `k_rows` are the K networks the target measured,
// `k_log_ms` its log latencies on them; `tasks`: the source columns that play targets in
// training; `excluded`: a source column that may be neither task nor neighbour (the
// pseudo-target of leave-one-target-out), or -1; `train_networks`: the rows the tasks are
// trained on.
struct MultiTaskProblem {
  const Eigen::MatrixXd& design;
  Eigen::Index sources = 0;
  std::span<const size_t> k_rows;
  const Eigen::VectorXd& k_log_ms;
  std::span<const Eigen::Index> tasks;
  Eigen::Index excluded = -1;
  std::span<const size_t> train_networks;
};

class MultiTaskTransfer {
 public:
  // `trees`: reuse these (fitted on the same tasks and K networks for another target, as
  // leave-one-target-out does for the pseudo-targets of one fold) instead of training.
  static Result<MultiTaskTransfer> fit(const MultiTaskProblem& problem, const RegressorOptions& options,
                                       std::shared_ptr<Regressor> trees = nullptr);
  // log ms of the network whose design row is `row` (the layout of MultiTaskProblem::design).
  double predict_log_ms(const Eigen::Ref<const Eigen::RowVectorXd>& row) const;
  // The base alone (the nearest source's log-linear map): what the trees correct; on its
  // own, a single-source transfer.
  double base_log_ms(const Eigen::Ref<const Eigen::RowVectorXd>& row) const;

  const std::shared_ptr<Regressor>& trees() const { return trees_; }

  nlohmann::json to_json() const;
  // `sources` and `columns`: the source columns and all columns of the design the file was
  // fitted on (a file of another shape is an error naming `source`).
  static Result<MultiTaskTransfer> from_json(const nlohmann::json& j, Eigen::Index sources, Eigen::Index columns,
                                             const std::string& source);

 private:
  // The nearest sources of a task and its log-linear map from the nearest (centred on the K).
  struct Base {
    Eigen::Index nearest = 0;
    Eigen::Index second = 0;
    double nearest_mean = 0;  // the nearest's mean log latency on the K networks
    double second_mean = 0;
    double task_mean = 0;  // the task's own mean log latency on the K networks
    double slope = 1;
    double spread = 0;  // the standard deviation of task − nearest on the K networks
  };
  static Base make_base(const Eigen::MatrixXd& design, Eigen::Index sources, std::span<const size_t> k_rows,
                        const Eigen::VectorXd& task_log_ms, Eigen::Index self, Eigen::Index excluded);
  static void features(const Base& base, std::span<const double> embedding,
                       const Eigen::Ref<const Eigen::RowVectorXd>& row, Eigen::Index sources, std::span<float> out);
  static double base_prediction(const Base& base, const Eigen::Ref<const Eigen::RowVectorXd>& row);

  Eigen::Index sources_ = 0;
  Base base_;
  std::vector<double> embedding_;  // the target's centred log latencies on the first networks of K
  std::shared_ptr<Regressor> trees_;
};

}  // namespace nnlat::predictors
