// Honest accuracy estimates: train on some networks, predict others that the predictor (and
// its kernel models) never saw, and compute the metrics overall and per network family,
// for the chosen method and for the baselines on the very same splits.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/eval/metrics.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::eval {

struct NetworkResult {
  std::string name;
  std::string family;
  double measured_ms = 0;
  double predicted_ms = 0;
  double low_ms = 0;
  double high_ms = 0;
  int repeat = 0;  // which split produced it (fold or repeat index)
  // The error split in two (kernel-wise methods): the plain sum of the kernel predictions
  // (0 for whole-network methods), and the sum of the kernel times measured inside this
  // network run (a phone dataset's per-op rows; 0 when none were). predicted / measured kernel
  // sum is the kernels' error; measured kernel sum / measured_ms is what the overhead model
  // must bridge (docs/predictors.md, "Evaluation").
  double kernel_sum_ms = 0;
  double measured_kernel_sum_ms = 0;
};

struct MethodReport {
  predictors::Method method = predictors::Method::kOpwiseGbdt;
  Metrics overall;
  std::map<std::string, Metrics> per_family;  // by network family
  double interval_coverage = 0;               // share of measured values inside [low, high]
  // Kernel selection: held-out kernels whose runtime named its implementation, and how many
  // of them the predictor's classifier got right (0 kernels: nothing to check).
  size_t implementation_kernels = 0;
  size_t implementation_right = 0;
  // Repeated random splits: mean and standard deviation of each metric over the repeats.
  std::vector<Metrics> per_repeat;
  Metrics repeat_mean;
  Metrics repeat_std;
  std::vector<NetworkResult> results;
};

// A split: networks to train on (with every kernel not in a test network) and to predict.
struct Split {
  std::vector<size_t> train_networks;
  std::vector<size_t> test_networks;
  std::string held_out_family;  // leave-one-family-out: the family of every test network
};

// k-fold by network (every network predicted exactly once).
Result<std::vector<Split>> kfold_splits(size_t networks, int k, uint64_t seed);
// Leave-one-family-out: one split per family (in name order; an empty family is "other", as in
// the per-family metrics) whose test networks are all of that family and whose training
// networks are all the others, so no network is predicted by a model that saw its family.
// `families[i]` is network i's family; at least two families are needed.
Result<std::vector<Split>> family_splits(std::span<const std::string> families);
// `repeats` random draws of `train_size` training networks; all others are test networks.
// `always_train` (distinct indices, at most train_size): networks in every draw's training set
// (the transfer reference networks); the rest of each draw is random among the others.
Result<std::vector<Split>> train_size_splits(size_t networks, size_t train_size, int repeats, uint64_t seed,
                                             std::span<const size_t> always_train = {});

// Trains `options.method` on each split and predicts its test networks. `repeated` says the
// splits are independent repeats (metrics per repeat, then mean and spread) rather than
// folds (metrics over the pooled predictions).
Result<MethodReport> evaluate_splits(const predictors::TrainingSet& data, const std::vector<Split>& splits,
                                     const predictors::TrainOptions& options, bool repeated);

// Predicts every network of `data` with an already trained predictor, every prediction scaled
// by `calibration` (predictors/calibration.hpp; 1: as trained).
Result<MethodReport> evaluate_predictor(const predictors::LatencyPredictor& predictor,
                                        const predictors::TrainingSet& data, double calibration = 1.0);

// The run-to-run noise floor: over networks measured at least twice, the metrics of their
// second measurement taken as a "prediction" of their first. No predictor can be expected to
// beat it. n == 0 when no network was measured twice.
Result<Metrics> noise_floor(const predictors::TrainingSet& data);
// The same over any subjects' figures, one list of repeats (campaign figures) per subject.
Result<Metrics> noise_floor_of_repeats(std::span<const std::vector<double>> repeats);

// Fills a report's metrics (overall, per family and, when `repeated`, per repeat with their
// mean and spread) from its results (for evaluations outside evaluate_splits).
Status summarise_report(MethodReport& report, bool repeated, int repeats);
// Per network of `data`, the sum of the kernel times measured inside its run (0: none).
std::vector<double> measured_kernel_sums(const predictors::TrainingSet& data);

nlohmann::json method_report_to_json(const MethodReport& report, bool with_results);

}  // namespace nnlat::eval
