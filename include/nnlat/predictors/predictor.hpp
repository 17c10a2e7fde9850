// Network latency predictors: op-wise (per-kernel regressors + a learned overhead model),
// the lookup-table sum, FLOPs-proportional and whole-network regressions, behind one class.
// A predictor is trained from a TrainingSet, predicts a network's latency with an interval,
// and saves to a versioned JSON file that fully describes it (docs/predictors.md).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/calibration.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

inline constexpr std::string_view kPredictorFormat = "nnlat-predictor";
inline constexpr int kPredictorVersion = 1;
// A ready predictor (app/ready_predictors.hpp: trained from the shipped phone data and cached)
// carries this extra top-level section saying how it was built; the loader ignores it, the
// message refusing an outdated file uses it to say how to rebuild that file.
inline constexpr std::string_view kReadySection = "ready";

// The methods, in the order of their registry (predictors/methods.inc): adding a method is
// one line there plus one file under src/predictors/methods/ (docs/predictors.md).
enum class Method {
#define NNLAT_METHOD(id, name, baseline, factory) id,
#include "nnlat/predictors/methods.inc"
#undef NNLAT_METHOD
};
inline constexpr size_t kNumMethods = 0
#define NNLAT_METHOD(id, name, baseline, factory) +1
#include "nnlat/predictors/methods.inc"
#undef NNLAT_METHOD
    ;

std::string_view method_name(Method method);  // "opwise-gbdt", ..., "lut", "flops", "e2e-gbdt"
Result<Method> parse_method(std::string_view name);
std::vector<Method> all_methods();

// What a method needs and shows, declared by the method itself (its file under
// src/predictors/methods/), so that callers ask instead of listing methods.
struct MethodTraits {
  bool needs_kernels = false;  // trains on kernel measurements (op-wise, lut): an error without them
  bool opwise = false;         // composes kernel predictions through the overhead model
  bool needs_hashes = false;   // looks kernels up by hash (lut): NetworkKernels must carry them
};
MethodTraits method_traits(Method method);
bool is_opwise(Method method);  // method_traits(method).opwise
// The baselines every report shows beside the chosen method.
std::vector<Method> baseline_methods();

// Kernel rows of `data` that belong to none of the given networks (by kernel hash): what a
// model may train on when those networks are held out ("kernels of held-out networks are
// never seen in training"). Sorted.
std::vector<size_t> kernel_rows_excluding(const TrainingSet& data, std::span<const size_t> held_out_networks);

struct TrainOptions {
  Method method = Method::kOpwiseGbdt;
  RegressorOptions regressor;
  int selection_folds = 4;    // per-family model choice: k-fold CV on kernel rows
  int calibration_folds = 5;  // interval calibration: k-fold CV by network
  double coverage = 0.9;      // nominal coverage of the prediction interval
  uint64_t seed = 0;
  bool calibrate = true;  // false inside cross-validation (saves the nested fits)
  // Multi-source transfer on a NAS dataset: the encoding's own features (nb201's per-edge op
  // one-hot) join the architecture terms (MultiSourceTransfer::fit).
  bool encoding_features = false;
  // Per family (index = KernelFamily): a regressor kind to use without selection. Set by the
  // calibration folds to refit what the full model chose; empty for normal training.
  std::vector<std::optional<RegressorKind>> family_kinds;
};

struct KernelPrediction {
  std::string name;
  std::string type;
  std::string family;
  double latency_ms = 0;
  bool extrapolated = false;  // a feature lies outside its family's training range
};

struct NetworkPrediction {
  double latency_ms = 0;
  double low_ms = 0;
  double high_ms = 0;
  double kernel_sum_ms = 0;  // op-wise and lut: the plain sum of kernel predictions
  size_t extrapolated_kernels = 0;
  std::vector<KernelPrediction> kernels;  // op-wise and lut only, execution order
};

// An error, naming `model` (unless empty) and (with a breakdown) the first kernel whose
// estimate is not finite, when the prediction is not a finite number: a kernel far outside
// what a family's regressor was trained on can overflow its log-space model, and `inf ms`
// must never reach a user as a latency.
Status require_finite(const NetworkPrediction& prediction, const std::string& model);

// Scales every figure of a prediction by a calibration factor (calibration.hpp).
void apply_calibration(NetworkPrediction& prediction, double factor);

// One kernel's prediction: latency, whether a feature lies outside its family's training
// range, and the implementation index the kernel-selection classifier chose (-1: none).
struct KernelEstimate {
  double ms = 0;
  bool extrapolated = false;
  int implementation = -1;
};

struct FamilyTotals;  // predictors/composition.hpp (private): a network's kernel estimates per family

// Per-call scratch for fast batch prediction: kernel predictions de-duplicated by feature
// fingerprint. One cache per thread; it is only valid for the predictor that filled it.
struct PredictionCache {
  std::unordered_map<uint64_t, KernelEstimate> kernels;  // fingerprint → estimate
};

class LatencyPredictor {
 public:
  LatencyPredictor();
  LatencyPredictor(LatencyPredictor&&) noexcept;
  LatencyPredictor& operator=(LatencyPredictor&&) noexcept;
  ~LatencyPredictor();

  // Trains on the kernel rows and network rows given (indices into `data`); rows not listed
  // are never looked at, which is what cross-validation relies on.
  static Result<LatencyPredictor> train(const TrainingSet& data, std::span<const size_t> kernel_rows,
                                        std::span<const size_t> network_rows, const TrainOptions& options);
  // All rows.
  static Result<LatencyPredictor> train(const TrainingSet& data, const TrainOptions& options);

  Method method() const;
  const std::string& target() const;
  const std::string& rules() const;  // a built-in rule-set name, or the path it was trained with
  // The rule set itself: built-in by name, or parsed from the copy of the rule file that the
  // predictor file carries (so a predictor moved to another machine still decomposes alike).
  Result<fusion::RuleSet> rule_set() const;
  const features::TargetContext& context() const;
  // The lut method needs kernel hashes in NetworkKernels.
  bool needs_hashes() const;

  Result<NetworkPrediction> predict(const ir::Graph& graph) const;
  // `with_breakdown` = false skips the per-kernel list (the fast path for NAS scoring).
  NetworkPrediction predict(const NetworkKernels& network, bool with_breakdown = true,
                            PredictionCache* cache = nullptr) const;

  // The two halves of a kernel-wise method's prediction (the op-wise learners; not the
  // ensemble, lut or whole-network methods), for callers that memoise kernel estimates
  // (EncodingPredictor): predict(network) == compose(sums and totals of estimate_kernel over
  // its kernels, added in execution order), bit for bit. compose sets latency_ms and the
  // interval of `sums`, whose kernel_sum_ms and extrapolated_kernels are already filled.
  bool kernel_wise() const;
  KernelEstimate estimate_kernel(const features::KernelFeatures& f) const;
  NetworkPrediction compose(NetworkPrediction sums, const FamilyTotals& totals) const;

  // Kernel selection: the implementation this predictor expects the runtime to choose for a
  // kernel with these features; "" when it learned none for the kernel's family.
  std::string predicted_implementation(const features::KernelFeatures& f) const;

  // The reference networks' figures in the training store (calibration.hpp); empty when its
  // campaigns measured none. Set by whoever trains from a store.
  const std::vector<ReferenceFigure>& references() const;
  void set_references(std::vector<ReferenceFigure> references);

  nlohmann::json to_json() const;
  static Result<LatencyPredictor> from_json(const nlohmann::json& j, const std::string& source);
  Status save(const std::string& path) const;
  static Result<LatencyPredictor> load(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nnlat::predictors
