#include "nnlat/predictors/predictor.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_set>

#include "nnlat/core/file_io.hpp"
#include "nnlat/core/sampling.hpp"
#include "predictors/composition.hpp"
#include "predictors/implementation_classifier.hpp"
#include "predictors/network_features.hpp"
#include "predictors/transfer.hpp"

static_assert(nnlat::predictors::kMaxImplementations == nnlat::predictors::kImplementationSlots,
              "the overhead model keeps one slot per implementation the classifier can name");

namespace nnlat::predictors {
namespace {

using features::KernelFamily;
using features::KernelFeatures;

constexpr std::array<std::string_view, 10> kMethodNames = {
    "opwise-gbdt", "opwise-rf", "opwise-linear", "opwise-mlp",      "lut",
    "flops",       "e2e-gbdt",  "e2e-ridge",     "opwise-ensemble", "transfer"};
// The members of opwise-ensemble: the three op-wise learners with the lowest CV error on the
// CPU stores of docs/accuracy.md; their errors are partly independent.
constexpr std::array<Method, 3> kEnsembleMembers = {Method::kOpwiseGbdt, Method::kOpwiseRf, Method::kOpwiseMlp};

// Families with fewer kernel rows than this get the ratio fallback instead of a regressor.
constexpr size_t kMinRowsForRegressor = 8;
// ... and fewer than this are fitted with ridge only (no CV between candidates).
constexpr size_t kMinRowsForSelection = 24;

// The kernel regressors' target space: log latency, so that a 10 µs and a 10 ms kernel
// weigh the same in relative terms. A copy kernel can time at 0 ms (below the clock's
// resolution): clamped to 1 ns so that its log is finite.
double to_target(double ms) { return std::log(std::max(ms, 1e-6)); }
double from_target(double t) { return std::exp(t); }

std::vector<RegressorKind> candidates(Method method) {
  switch (method) {
    case Method::kOpwiseGbdt:
      return {RegressorKind::kGbdt, RegressorKind::kRidgeGbdt, RegressorKind::kRidge};
    case Method::kOpwiseRf:
      return {RegressorKind::kRandomForest, RegressorKind::kRidge};
    case Method::kOpwiseLinear:
      return {RegressorKind::kRidge, RegressorKind::kLinear, RegressorKind::kLasso};
    case Method::kOpwiseMlp:
      return {RegressorKind::kMlp, RegressorKind::kRidge};
    default:
      return {RegressorKind::kRidge};
  }
}

double bytes_of(const KernelFeatures& f) { return static_cast<double>(std::max<int64_t>(f.bytes, 1)); }

// The model of one kernel family.
struct FamilyModel {
  size_t rows = 0;
  std::unique_ptr<Regressor> model;  // null: ratio fallback
  double ms_per_byte = 0;            // median latency / bytes over the family's rows
  std::vector<float> min;            // training range of every feature
  std::vector<float> max;
  nlohmann::json selection = nlohmann::json::object();  // candidate → CV mean |log error|
  // Kernel selection: when the rows name ≥ 2 implementations, a classifier predicts one from
  // the features and the regressor sees it as one-hot columns after the features.
  std::optional<ImplementationClassifier> classifier;
  // Roofline prior: ms ≈ base_ms + per_mac · MACs + per_byte · bytes (relative least
  // squares, non-negative). The regressor learns log(ms / prior), so a kernel larger than any
  // seen scales with its work instead of sticking to the largest one seen (trees are flat
  // outside their data). All zero: no prior (the regressor learns log ms).
  std::array<double, 3> prior{};
  nlohmann::json classifier_accuracy;  // in-sample share right, for the file's readers

  double prior_ms(const KernelFeatures& f) const {
    const double p = prior[0] + prior[1] * static_cast<double>(f.macs) + prior[2] * bytes_of(f);
    return p > 0 ? p : 1.0;  // 1.0: no prior (log 1 = 0)
  }
  size_t implementation_columns() const {
    return classifier && classifier->names().size() > 1 ? classifier->names().size() : 0;
  }
};

struct Interval {
  bool calibrated = false;
  size_t networks = 0;
  double coverage = 0.9;
  double low_log = std::log(0.8);  // uncalibrated default, documented in docs/predictors.md
  double high_log = std::log(1.25);
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

nlohmann::json floats_to_json(const std::vector<float>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (float x : v) a.push_back(x);
  return a;
}

}  // namespace

std::string_view method_name(Method method) { return kMethodNames[static_cast<size_t>(method)]; }

Result<Method> parse_method(std::string_view name) {
  for (size_t i = 0; i < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == name) return static_cast<Method>(i);
  }
  std::string known;
  for (auto n : kMethodNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return make_error(ErrorCode::kInvalidArgument, "unknown method '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<Method> all_methods() {
  std::vector<Method> out;
  for (size_t i = 0; i < kMethodNames.size(); ++i) out.push_back(static_cast<Method>(i));
  return out;
}

bool is_opwise(Method method) {
  return method == Method::kOpwiseGbdt || method == Method::kOpwiseRf || method == Method::kOpwiseLinear ||
         method == Method::kOpwiseMlp || method == Method::kOpwiseEnsemble;
}

std::vector<Method> baseline_methods() { return {Method::kFlops, Method::kLut, Method::kE2eRidge}; }

std::vector<size_t> kernel_rows_excluding(const TrainingSet& data, std::span<const size_t> held_out_networks) {
  // Standalone kernels are excluded by identity (a kernel profiled around a held-out network
  // is that network's kernel wherever it came from); in-network rows by the network they
  // were timed in (a training network's own timing of a kernel is training data).
  std::unordered_set<std::string> excluded;
  std::unordered_set<size_t> held_out(held_out_networks.begin(), held_out_networks.end());
  for (size_t n : held_out_networks) {
    for (const auto& h : data.networks[n].kernels.hashes) excluded.insert(h);
  }
  std::vector<size_t> rows;
  for (size_t i = 0; i < data.kernels.size(); ++i) {
    const KernelExample& k = data.kernels[i];
    if (k.network ? !held_out.contains(*k.network) : !excluded.contains(k.hash)) rows.push_back(i);
  }
  return rows;
}

struct LatencyPredictor::Impl {
  Method method = Method::kOpwiseGbdt;
  std::string target;
  std::string rules;
  std::string rules_definition;  // the rule file's text when `rules` is a file, else empty
  features::TargetContext context;
  std::array<FamilyModel, features::kNumFamilies> families;
  double global_ms_per_byte = 0;
  std::unordered_map<std::string, double> lut;
  OverheadModel overhead;
  double flops_ms_per_mac = 0;
  double flops_constant_ms = 0;
  std::unique_ptr<Regressor> network_model;
  Interval interval;
  std::vector<LatencyPredictor> members;  // opwise-ensemble
  std::optional<TransferModel> transfer;
  nlohmann::json training = nlohmann::json::object();

  // What a kernel without a regressor costs: its family's median ms-per-byte (over all kernels
  // for a family never measured) times its bytes.
  double fallback_ms(const KernelFeatures& f) const {
    const FamilyModel& fm = families[static_cast<size_t>(f.family)];
    return (fm.rows > 0 ? fm.ms_per_byte : global_ms_per_byte) * bytes_of(f);
  }

  // One kernel: latency, extrapolated, and the implementation the classifier chose (-1: the
  // family has no kernel selection).
  KernelEstimate kernel_ms(const KernelFeatures& f) const {
    const FamilyModel& fm = families[static_cast<size_t>(f.family)];
    bool outside = fm.rows == 0;
    for (size_t i = 0; i < fm.min.size() && !outside && i < f.count; ++i) {
      outside = f.values[i] < fm.min[i] || f.values[i] > fm.max[i];
    }
    if (!fm.model) return {fallback_ms(f), true, -1};
    const size_t icols = fm.implementation_columns();
    if (icols == 0) return {fm.prior_ms(f) * from_target(fm.model->predict(f.view())), outside, -1};
    const size_t impl = fm.classifier->predict(f.view());
    const int chosen = static_cast<int>(impl);
    if (fm.classifier->names()[impl] == kFusedImplementation) return {0.0, outside, chosen};
    std::array<float, features::kMaxFeatures + kMaxImplementations> row{};
    std::copy(f.values.begin(), f.values.begin() + f.count, row.begin());
    row[f.count + impl] = 1.0f;
    return {fm.prior_ms(f) * from_target(fm.model->predict({row.data(), f.count + icols})), outside, chosen};
  }

  // kernel_ms through the batch's cache when there is one.
  KernelEstimate cached_kernel_ms(const KernelFeatures& f, PredictionCache* cache) const {
    if (!cache) return kernel_ms(f);
    const uint64_t key = f.fingerprint();
    auto it = cache->kernels.find(key);
    if (it == cache->kernels.end()) it = cache->kernels.emplace(key, kernel_ms(f)).first;
    return it->second;
  }

  static void add_to(FamilyTotals& t, const KernelFeatures& f, const KernelEstimate& e) {
    t.add(f, e.ms);
    if (e.implementation >= 0) t.add_implementation(f.family, static_cast<size_t>(e.implementation));
  }

  // Kernel predictions of a network summed per family (op-wise methods).
  FamilyTotals family_totals(const NetworkKernels& network) const {
    FamilyTotals t;
    for (const auto& f : network.features) add_to(t, f, kernel_ms(f));
    return t;
  }

  double lut_kernel_ms(const KernelFeatures& f, const std::string& hash, bool& missing) const {
    auto it = lut.find(hash);
    missing = it == lut.end();
    // Declared fallback for kernels the table lacks.
    return missing ? fallback_ms(f) : it->second;
  }
};

LatencyPredictor::LatencyPredictor() : impl_(std::make_unique<Impl>()) {}
LatencyPredictor::LatencyPredictor(LatencyPredictor&&) noexcept = default;
LatencyPredictor& LatencyPredictor::operator=(LatencyPredictor&&) noexcept = default;
LatencyPredictor::~LatencyPredictor() = default;

Method LatencyPredictor::method() const { return impl_->method; }
const std::string& LatencyPredictor::target() const { return impl_->target; }
const std::string& LatencyPredictor::rules() const { return impl_->rules; }
const features::TargetContext& LatencyPredictor::context() const { return impl_->context; }
Result<fusion::RuleSet> LatencyPredictor::rule_set() const {
  if (impl_->rules_definition.empty()) return fusion::load_rule_set(impl_->rules);
  return fusion::parse_rule_set(impl_->rules_definition, impl_->rules + " (as stored in the predictor)");
}
bool LatencyPredictor::needs_hashes() const { return impl_->method == Method::kLut; }

namespace {

// Fits one family's kernel regressor, choosing among the method's candidates by k-fold CV
// on the family's rows (mean absolute log error ≈ MAPE for small errors).
Status fit_family(FamilyModel& fm, const std::vector<const KernelExample*>& rows, Method method,
                  const TrainOptions& options, const RegressorKind* fixed_kind) {
  fm.rows = rows.size();
  if (rows.empty()) return Status::Ok();
  const size_t cols = rows.front()->features.count;
  fm.min.assign(cols, std::numeric_limits<float>::infinity());
  fm.max.assign(cols, -std::numeric_limits<float>::infinity());
  for (const KernelExample* r : rows) {
    for (size_t c = 0; c < cols; ++c) {
      fm.min[c] = std::min(fm.min[c], r->features.values[c]);
      fm.max[c] = std::max(fm.max[c], r->features.values[c]);
    }
  }

  // Kernel selection, learned from the rows that name their implementation.
  std::vector<std::string> names;
  std::vector<size_t> label(rows.size(), SIZE_MAX);
  FeatureMatrix labelled;
  std::vector<size_t> labels;
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::string& impl = rows[r]->implementation;
    if (impl.empty()) continue;
    auto it = std::find(names.begin(), names.end(), impl);
    label[r] = static_cast<size_t>(it - names.begin());
    if (it == names.end()) names.push_back(impl);
    labelled.append_row(rows[r]->features.view());
    labels.push_back(label[r]);
  }
  // Only op-wise methods predict kernels, so only they learn the selection.
  if (is_opwise(method) && !names.empty() && names.size() <= kMaxImplementations) {
    NNLAT_ASSIGN_OR_RETURN(fm.classifier, ImplementationClassifier::fit(labelled, labels, names, options.regressor));
    size_t right = 0;
    for (size_t i = 0; i < labels.size(); ++i) right += fm.classifier->predict(labelled.row(i)) == labels[i] ? 1 : 0;
    fm.classifier_accuracy = {{"rows", labels.size()},
                              {"in_sample_accuracy", static_cast<double>(right) / static_cast<double>(labels.size())}};
  }
  const size_t icols = fm.implementation_columns();

  // Regression rows: a kernel fused into another has no time of its own.
  FeatureMatrix x;
  std::vector<double> y;
  std::vector<double> ratios;
  std::vector<const KernelExample*> timed;  // the rows behind x and y, in order
  std::vector<float> row(cols + icols);
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r]->latency_ms <= 0 && rows[r]->implementation == kFusedImplementation) continue;
    timed.push_back(rows[r]);
    const auto f = rows[r]->features.view();
    std::fill(row.begin(), row.end(), 0.0f);
    std::copy(f.begin(), f.end(), row.begin());
    if (icols > 0) row[cols + (label[r] != SIZE_MAX ? label[r] : fm.classifier->predict(f))] = 1.0f;
    x.append_row(row);
    y.push_back(to_target(rows[r]->latency_ms));
    ratios.push_back(rows[r]->latency_ms / bytes_of(rows[r]->features));
  }
  fm.ms_per_byte = ratios.empty() ? 0.0 : median(ratios);
  if (y.size() < kMinRowsForRegressor) return Status::Ok();
  {
    std::vector<double> ones;
    std::vector<double> macs;
    std::vector<double> bytes;
    std::vector<double> ms;
    std::vector<double> w;
    for (const KernelExample* r : timed) {
      if (r->latency_ms <= 0) continue;  // a 0 ms copy kernel carries no weight in relative terms
      ones.push_back(1.0);
      macs.push_back(static_cast<double>(r->features.macs));
      bytes.push_back(bytes_of(r->features));
      ms.push_back(r->latency_ms);
      w.push_back(1.0 / (r->latency_ms * r->latency_ms));
    }
    const auto c = fit_nonnegative_least_squares({ones, macs, bytes}, ms, w);
    if (c[0] > 0 || c[1] > 0 || c[2] > 0) {
      fm.prior = {c[0], c[1], c[2]};
      for (size_t i = 0; i < timed.size(); ++i) y[i] -= std::log(fm.prior_ms(timed[i]->features));
    }
  }

  std::vector<RegressorKind> kinds = candidates(method);
  if (y.size() < kMinRowsForSelection) kinds = {RegressorKind::kRidge};
  if (fixed_kind) kinds = {*fixed_kind};
  RegressorKind best = kinds.front();
  if (kinds.size() > 1) {
    const int k = std::min<int>(options.selection_folds, static_cast<int>(y.size()));
    NNLAT_ASSIGN_OR_RETURN(auto folds, nnlat::kfold_assignment(y.size(), k, options.seed));
    double best_score = std::numeric_limits<double>::infinity();
    for (RegressorKind kind : kinds) {
      double abs_err = 0;
      for (int f = 0; f < k; ++f) {
        std::vector<size_t> train_idx;
        std::vector<size_t> test_idx;
        for (size_t r = 0; r < y.size(); ++r) (folds[r] == f ? test_idx : train_idx).push_back(r);
        const FeatureMatrix xt = x.select_rows(train_idx);
        std::vector<double> yt;
        for (size_t r : train_idx) yt.push_back(y[r]);
        NNLAT_ASSIGN_OR_RETURN(auto reg, make_regressor(kind, options.regressor));
        NNLAT_RETURN_IF_ERROR(reg->fit(xt, yt));
        for (size_t r : test_idx) abs_err += std::abs(reg->predict(x.row(r)) - y[r]);
      }
      const double score = abs_err / static_cast<double>(y.size());
      fm.selection[std::string(regressor_kind_name(kind))] = score;
      if (score < best_score) {
        best_score = score;
        best = kind;
      }
    }
  }
  NNLAT_ASSIGN_OR_RETURN(fm.model, make_regressor(best, options.regressor));
  return fm.model->fit(x, y);
}

RegressorOptions network_regressor_options(const RegressorOptions& base) {
  // Whole-network regressions see tens of rows: shallow trees, strong shrinkage.
  RegressorOptions o = base;
  o.gbdt_rounds = 200;
  o.gbdt_max_depth = 3;
  o.gbdt_learning_rate = 0.05;
  o.ridge_lambda = 1.0;
  return o;
}

}  // namespace

Result<LatencyPredictor> LatencyPredictor::train(const TrainingSet& data, const TrainOptions& options) {
  std::vector<size_t> k(data.kernels.size());
  std::vector<size_t> n(data.networks.size());
  for (size_t i = 0; i < k.size(); ++i) k[i] = i;
  for (size_t i = 0; i < n.size(); ++i) n[i] = i;
  return train(data, k, n, options);
}

Result<LatencyPredictor> LatencyPredictor::train(const TrainingSet& data, std::span<const size_t> kernel_rows,
                                                 std::span<const size_t> network_rows, const TrainOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  LatencyPredictor p;
  Impl& im = *p.impl_;
  im.method = options.method;
  im.target = data.target;
  im.rules = data.rules;
  im.rules_definition = data.rules_definition;  // a rule file travels inside the predictor
  im.context = data.context;
  const bool kernel_based = is_opwise(options.method) || options.method == Method::kLut;
  if (kernel_based && kernel_rows.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "method " + std::string(method_name(options.method)) +
                                                       " needs kernel measurements on " + data.target +
                                                       " (run `nnlat profile kernels`)");
  }
  if (!kernel_based && network_rows.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "method " + std::string(method_name(options.method)) +
                                                       " needs network measurements on " + data.target +
                                                       " (run `nnlat profile networks`)");
  }

  if (options.method == Method::kOpwiseEnsemble) {
    for (Method m : kEnsembleMembers) {
      TrainOptions member = options;
      member.method = m;
      member.calibrate = false;  // the ensemble calibrates its own interval below
      member.family_kinds.clear();
      NNLAT_ASSIGN_OR_RETURN(auto trained, train(data, kernel_rows, network_rows, member));
      im.members.push_back(std::move(trained));
    }
  }

  // Family models (op-wise) and the family ratios every kernel-based method falls back on.
  std::array<std::vector<const KernelExample*>, features::kNumFamilies> by_family;
  std::vector<double> all_ratios;
  std::unordered_map<std::string, std::vector<double>> lut_rows;  // a kernel timed in several networks
  for (size_t r : kernel_rows) {
    const auto& ex = data.kernels[r];
    by_family[static_cast<size_t>(ex.features.family)].push_back(&ex);
    if (ex.latency_ms > 0) all_ratios.push_back(ex.latency_ms / bytes_of(ex.features));
    if (options.method == Method::kLut) lut_rows[ex.hash].push_back(ex.latency_ms);
  }
  for (auto& [hash, ms] : lut_rows) im.lut[hash] = median(ms);
  im.global_ms_per_byte = all_ratios.empty() ? 0.0 : median(all_ratios);
  const Method family_method = is_opwise(options.method) ? options.method : Method::kLut;
  for (size_t f = 0; f < features::kNumFamilies && options.method != Method::kOpwiseEnsemble; ++f) {
    const RegressorKind* fixed =
        f < options.family_kinds.size() && options.family_kinds[f] ? &*options.family_kinds[f] : nullptr;
    NNLAT_RETURN_IF_ERROR(fit_family(im.families[f], by_family[f], family_method, options, fixed));
  }

  std::vector<double> measured;
  for (size_t n : network_rows) measured.push_back(data.networks[n].latency_ms);
  if (is_opwise(options.method) && options.method != Method::kOpwiseEnsemble) {
    std::vector<FamilyTotals> totals;
    for (size_t n : network_rows) totals.push_back(p.impl_->family_totals(data.networks[n].kernels));
    im.overhead = fit_overhead(totals, measured);
  } else if (options.method == Method::kFlops) {
    std::vector<double> macs;
    std::vector<double> w;
    for (size_t i = 0; i < network_rows.size(); ++i) {
      macs.push_back(static_cast<double>(data.networks[network_rows[i]].kernels.macs));
      w.push_back(1.0 / (measured[i] * measured[i]));
    }
    const auto c = fit_nonnegative_least_squares({macs, std::vector<double>(macs.size(), 1.0)}, measured, w);
    im.flops_ms_per_mac = c[0];
    im.flops_constant_ms = c[1];
  } else if (options.method == Method::kTransfer) {
    NNLAT_ASSIGN_OR_RETURN(im.transfer, TransferModel::fit(data, network_rows, options.regressor));
  } else if (options.method == Method::kE2eGbdt || options.method == Method::kE2eRidge) {
    FeatureMatrix x(network_rows.size(), network_feature_names().size());
    std::vector<double> y;
    for (size_t i = 0; i < network_rows.size(); ++i) {
      const auto row = network_features(data.networks[network_rows[i]].kernels);
      std::copy(row.begin(), row.end(), x.row(i).begin());
      y.push_back(to_target(measured[i]));
    }
    const auto kind = options.method == Method::kE2eGbdt ? RegressorKind::kGbdt : RegressorKind::kRidge;
    NNLAT_ASSIGN_OR_RETURN(im.network_model, make_regressor(kind, network_regressor_options(options.regressor)));
    NNLAT_RETURN_IF_ERROR(im.network_model->fit(x, y));
  }

  // Interval: split-free conformal calibration on out-of-fold predictions of the training
  // networks (each fold's model never saw the held-out networks or their kernels).
  im.interval.coverage = options.coverage;
  const size_t nn = network_rows.size();
  if (options.calibrate && nn >= 5) {
    const int k = std::min<int>(options.calibration_folds, static_cast<int>(nn));
    NNLAT_ASSIGN_OR_RETURN(auto folds, nnlat::kfold_assignment(nn, k, options.seed + 1));
    TrainOptions inner = options;
    inner.calibrate = false;
    // The folds refit the models chosen above instead of choosing again: the interval is
    // about this predictor's error, and selection would multiply the training time.
    inner.family_kinds.assign(features::kNumFamilies, std::nullopt);
    for (size_t f = 0; f < features::kNumFamilies; ++f) {
      if (im.families[f].model) inner.family_kinds[f] = im.families[f].model->kind();
    }
    std::vector<double> residuals;
    for (int f = 0; f < k; ++f) {
      std::vector<size_t> train_n;
      std::vector<size_t> test_n;
      for (size_t i = 0; i < nn; ++i) (folds[i] == f ? test_n : train_n).push_back(network_rows[i]);
      std::vector<size_t> allowed = kernel_rows_excluding(data, test_n);
      std::vector<size_t> train_k;
      std::set_intersection(allowed.begin(), allowed.end(), kernel_rows.begin(), kernel_rows.end(),
                            std::back_inserter(train_k));
      if (kernel_based && train_k.empty()) continue;
      NNLAT_ASSIGN_OR_RETURN(auto fold_model, train(data, train_k, train_n, inner));
      for (size_t n : test_n) {
        const auto pred = fold_model.predict(data.networks[n].kernels, false);
        residuals.push_back(std::log(data.networks[n].latency_ms / pred.latency_ms));
      }
    }
    if (residuals.size() >= 5) {
      const double tail = (1.0 - options.coverage) / 2.0;
      im.interval.calibrated = true;
      im.interval.networks = residuals.size();
      im.interval.low_log = nnlat::quantile(residuals, tail);
      im.interval.high_log = nnlat::quantile(residuals, 1.0 - tail);
    }
  }

  // What the predictor learned from, for the file's readers.
  nlohmann::json fam = nlohmann::json::object();
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    if (im.families[f].rows > 0)
      fam[std::string(features::family_name(static_cast<KernelFamily>(f)))] = im.families[f].rows;
  }
  nlohmann::json nets = nlohmann::json::object();
  for (size_t n : network_rows) {
    const std::string& family = data.networks[n].family.empty() ? std::string("other") : data.networks[n].family;
    nets[family] = nets.value(family, 0) + 1;
  }
  im.training = {{"kernels", kernel_rows.size()},
                 {"networks", network_rows.size()},
                 {"kernel_families", fam},
                 {"network_families", nets},
                 {"train_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  return p;
}

NetworkPrediction LatencyPredictor::predict(const NetworkKernels& network, bool with_breakdown,
                                            PredictionCache* cache) const {
  const Impl& im = *impl_;
  NetworkPrediction out;
  const size_t n = network.features.size();
  if (im.method == Method::kOpwiseEnsemble) {
    // Geometric mean of the members' network latencies; the breakdown averages their kernels.
    double log_sum = 0;
    for (size_t m = 0; m < im.members.size(); ++m) {
      const auto p = im.members[m].predict(network, with_breakdown, nullptr);
      log_sum += std::log(p.latency_ms);
      out.kernel_sum_ms += p.kernel_sum_ms / static_cast<double>(im.members.size());
      if (m == 0) {
        out.kernels = p.kernels;
        out.extrapolated_kernels = p.extrapolated_kernels;
      } else {
        for (size_t k = 0; k < out.kernels.size() && k < p.kernels.size(); ++k)
          out.kernels[k].latency_ms += p.kernels[k].latency_ms;
      }
    }
    for (auto& k : out.kernels) k.latency_ms /= static_cast<double>(im.members.size());
    out.latency_ms = std::exp(log_sum / static_cast<double>(im.members.size()));
  } else if (is_opwise(im.method) || im.method == Method::kLut) {
    FamilyTotals totals;
    with_breakdown = with_breakdown && network.kernels.size() == n;  // decomposed with kernels
    if (with_breakdown) out.kernels.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const KernelFeatures& f = network.features[i];
      KernelEstimate e;
      if (im.method == Method::kLut) {
        const std::string& hash = i < network.hashes.size() ? network.hashes[i] : std::string();
        e.ms = im.lut_kernel_ms(f, hash, e.extrapolated);
      } else {
        e = im.cached_kernel_ms(f, cache);
      }
      const double ms = e.ms;
      const bool extrapolated = e.extrapolated;
      out.kernel_sum_ms += ms;
      Impl::add_to(totals, f, e);
      out.extrapolated_kernels += extrapolated ? 1 : 0;
      if (with_breakdown) {
        const auto& k = network.kernels[i];
        out.kernels.push_back({k.name, k.type, std::string(features::family_name(f.family)), ms, extrapolated});
      }
    }
    out.latency_ms = im.method == Method::kLut ? out.kernel_sum_ms : im.overhead.apply(totals);
  } else if (im.method == Method::kTransfer) {
    out.latency_ms = im.transfer->predict_ms(network);
  } else if (im.method == Method::kFlops) {
    out.latency_ms = im.flops_ms_per_mac * static_cast<double>(network.macs) + im.flops_constant_ms;
  } else {
    const auto row = network_features(network);
    out.latency_ms = from_target(im.network_model->predict(row));
  }
  out.low_ms = out.latency_ms * std::exp(std::min(im.interval.low_log, 0.0));
  out.high_ms = out.latency_ms * std::exp(std::max(im.interval.high_log, 0.0));
  return out;
}

std::string LatencyPredictor::predicted_implementation(const KernelFeatures& f) const {
  if (impl_->method == Method::kOpwiseEnsemble && !impl_->members.empty())
    return impl_->members.front().predicted_implementation(f);
  const FamilyModel& fm = impl_->families[static_cast<size_t>(f.family)];
  if (!fm.classifier) return {};
  return fm.classifier->names()[fm.classifier->predict(f.view())];
}

Result<NetworkPrediction> LatencyPredictor::predict(const ir::Graph& graph) const {
  NNLAT_ASSIGN_OR_RETURN(auto rules, rule_set());
  NNLAT_ASSIGN_OR_RETURN(auto network, decompose(graph, rules, impl_->context, needs_hashes()));
  return predict(network);
}

nlohmann::json LatencyPredictor::to_json() const {
  const Impl& im = *impl_;
  nlohmann::ordered_json j;
  j["format"] = kPredictorFormat;
  j["version"] = kPredictorVersion;
  j["method"] = method_name(im.method);
  j["target"] = im.target;
  j["rules"] = im.rules;
  j["rules_definition"] = im.rules_definition;
  j["feature_schema"] = {
      {"name", features::kSchemaName}, {"version", features::kSchemaVersion}, {"hash", features::schema_hash()}};
  j["threads"] = im.context.threads;
  j["target_space"] = "log_ms";
  nlohmann::json fams = nlohmann::json::object();
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    const FamilyModel& fm = im.families[f];
    if (fm.rows == 0) continue;
    nlohmann::json e = {{"rows", fm.rows},
                        {"ms_per_byte", fm.ms_per_byte},
                        {"min", floats_to_json(fm.min)},
                        {"max", floats_to_json(fm.max)},
                        {"selection", fm.selection},
                        {"prior", {{"ms", fm.prior[0]}, {"ms_per_mac", fm.prior[1]}, {"ms_per_byte", fm.prior[2]}}}};
    e["model"] = fm.model ? fm.model->to_json() : nlohmann::json(nullptr);
    if (fm.classifier) {
      e["implementations"] = fm.classifier->to_json();
      e["implementations"]["training"] = fm.classifier_accuracy;
    }
    fams[std::string(features::family_name(static_cast<KernelFamily>(f)))] = e;
  }
  j["families"] = fams;
  j["global_ms_per_byte"] = im.global_ms_per_byte;
  nlohmann::json lut = nlohmann::json::object();
  for (const auto& [h, ms] : im.lut) lut[h] = ms;
  j["lut"] = lut;
  j["lut_fallback"] = "family median ms per byte times the kernel's bytes";
  nlohmann::json per_kernel = nlohmann::json::object();
  nlohmann::json scale = nlohmann::json::object();
  for (auto f : features::all_families()) {
    per_kernel[std::string(features::family_name(f))] = im.overhead.per_kernel_ms[static_cast<size_t>(f)];
    scale[std::string(features::family_name(f))] = im.overhead.scale[static_cast<size_t>(f)];
  }
  j["overhead"] = {{"constant_ms", im.overhead.constant_ms},
                   {"per_kernel_ms", per_kernel},
                   {"scale", scale},
                   {"per_weight_mb_ms", im.overhead.per_weight_mb_ms},
                   {"per_activation_mb_ms", im.overhead.per_activation_mb_ms},
                   {"per_family", im.overhead.per_family},
                   {"networks", im.overhead.networks}};
  // Per-implementation costs, named by family and implementation (the classifier's names).
  nlohmann::json per_implementation = nlohmann::json::array();
  for (size_t slot = 0; slot < im.overhead.per_implementation_ms.size(); ++slot) {
    const double ms = im.overhead.per_implementation_ms[slot];
    const FamilyModel& fm = im.families[slot / kImplementationSlots];
    const size_t index = slot % kImplementationSlots;
    if (ms == 0 || !fm.classifier || index >= fm.classifier->names().size()) continue;
    per_implementation.push_back(
        {{"family", features::family_name(static_cast<KernelFamily>(slot / kImplementationSlots))},
         {"implementation", fm.classifier->names()[index]},
         {"ms", ms}});
  }
  j["overhead"]["per_implementation_ms"] = per_implementation;
  j["flops"] = {{"ms_per_mac", im.flops_ms_per_mac}, {"constant_ms", im.flops_constant_ms}};
  j["network_model"] = im.network_model ? im.network_model->to_json() : nlohmann::json(nullptr);
  if (im.transfer) j["transfer"] = im.transfer->to_json();
  j["interval"] = {{"calibrated", im.interval.calibrated},
                   {"networks", im.interval.networks},
                   {"coverage", im.interval.coverage},
                   {"low_log_ratio", im.interval.low_log},
                   {"high_log_ratio", im.interval.high_log}};
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : im.members) members.push_back(m.to_json());
  j["members"] = members;
  j["training"] = im.training;
  return j;
}

Result<LatencyPredictor> LatencyPredictor::from_json(const nlohmann::json& j, const std::string& source) {
  auto fail = [&](const std::string& what) { return make_error(ErrorCode::kParseError, source + ": " + what); };
  try {
    if (!j.is_object() || j.value("format", "") != kPredictorFormat) return fail("not an nnlat predictor file");
    if (j.at("version").get<int>() != kPredictorVersion) {
      return fail("predictor format version " + std::to_string(j.at("version").get<int>()) + " (this nnlat reads " +
                  std::to_string(kPredictorVersion) + ")");
    }
    const auto& schema = j.at("feature_schema");
    if (schema.at("hash").get<std::string>() != features::schema_hash() ||
        schema.at("version").get<int>() != features::kSchemaVersion) {
      return fail("trained under feature schema " + schema.at("name").get<std::string>() + " v" +
                  std::to_string(schema.at("version").get<int>()) + " (" + schema.at("hash").get<std::string>() +
                  "), but this nnlat uses v" + std::to_string(features::kSchemaVersion) + " (" +
                  features::schema_hash() + "); retrain the predictor");
    }
    LatencyPredictor p;
    Impl& im = *p.impl_;
    NNLAT_ASSIGN_OR_RETURN(im.method, parse_method(j.at("method").get<std::string>()));
    im.target = j.at("target").get<std::string>();
    im.rules = j.at("rules").get<std::string>();
    im.rules_definition = j.value("rules_definition", std::string());
    im.context.threads = j.at("threads").get<int>();
    for (const auto& [name, e] : j.at("families").items()) {
      auto fam = features::parse_family(name);
      if (!fam.ok()) return fail(fam.error().message);
      FamilyModel& fm = im.families[static_cast<size_t>(*fam)];
      fm.rows = e.at("rows").get<size_t>();
      fm.ms_per_byte = e.at("ms_per_byte").get<double>();
      fm.min = e.at("min").get<std::vector<float>>();
      fm.max = e.at("max").get<std::vector<float>>();
      fm.selection = e.at("selection");
      if (e.contains("prior")) {
        const auto& pr = e.at("prior");
        fm.prior = {pr.at("ms").get<double>(), pr.at("ms_per_mac").get<double>(), pr.at("ms_per_byte").get<double>()};
      }
      if (fm.min.size() != features::feature_names(*fam).size() || fm.max.size() != fm.min.size()) {
        return fail("family " + name + ": feature range has the wrong length");
      }
      if (e.contains("implementations")) {
        NNLAT_ASSIGN_OR_RETURN(
            fm.classifier, ImplementationClassifier::from_json(e.at("implementations"), source + ": family " + name));
        fm.classifier_accuracy = e.at("implementations").value("training", nlohmann::json());
        if (fm.classifier->names().size() > kMaxImplementations)
          return fail("family " + name + ": too many implementations");
      }
      if (!e.at("model").is_null()) {
        NNLAT_ASSIGN_OR_RETURN(fm.model, regressor_from_json(e.at("model"), source + ": family " + name));
        if (fm.model->num_features() != fm.min.size() + fm.implementation_columns())
          return fail("family " + name + ": model has the wrong width");
      }
    }
    im.global_ms_per_byte = j.at("global_ms_per_byte").get<double>();
    for (const auto& [h, ms] : j.at("lut").items()) im.lut[h] = ms.get<double>();
    const auto& o = j.at("overhead");
    im.overhead.constant_ms = o.at("constant_ms").get<double>();
    for (auto f : features::all_families()) {
      const std::string name(features::family_name(f));
      im.overhead.per_kernel_ms[static_cast<size_t>(f)] = o.at("per_kernel_ms").at(name).get<double>();
      im.overhead.scale[static_cast<size_t>(f)] = o.at("scale").at(name).get<double>();
    }
    im.overhead.per_family = o.at("per_family").get<bool>();
    im.overhead.per_weight_mb_ms = o.at("per_weight_mb_ms").get<double>();
    im.overhead.per_activation_mb_ms = o.at("per_activation_mb_ms").get<double>();
    for (const auto& e : o.value("per_implementation_ms", nlohmann::json::array())) {
      auto fam = features::parse_family(e.at("family").get<std::string>());
      if (!fam.ok()) return fail(fam.error().message);
      const FamilyModel& fm = im.families[static_cast<size_t>(*fam)];
      const auto name = e.at("implementation").get<std::string>();
      const auto& names = fm.classifier ? fm.classifier->names() : std::vector<std::string>{};
      const auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) return fail("overhead names implementation '" + name + "' that its family does not know");
      const size_t slot = static_cast<size_t>(*fam) * kImplementationSlots + static_cast<size_t>(it - names.begin());
      im.overhead.per_implementation_ms[slot] = e.at("ms").get<double>();
    }
    im.overhead.networks = o.at("networks").get<size_t>();
    im.flops_ms_per_mac = j.at("flops").at("ms_per_mac").get<double>();
    im.flops_constant_ms = j.at("flops").at("constant_ms").get<double>();
    if (!j.at("network_model").is_null()) {
      NNLAT_ASSIGN_OR_RETURN(im.network_model, regressor_from_json(j.at("network_model"), source + ": network_model"));
      if (im.network_model->num_features() != network_feature_names().size()) {
        return fail("network_model takes " + std::to_string(im.network_model->num_features()) +
                    " whole-network features, this nnlat computes " + std::to_string(network_feature_names().size()) +
                    "; retrain the predictor");
      }
    }
    if (j.contains("transfer")) {
      NNLAT_ASSIGN_OR_RETURN(im.transfer, TransferModel::from_json(j.at("transfer"), source));
    }
    if (im.method == Method::kTransfer && !im.transfer) return fail("method transfer without a transfer model");
    if ((im.method == Method::kE2eGbdt || im.method == Method::kE2eRidge) && !im.network_model) {
      return fail("method " + std::string(method_name(im.method)) + " without a network_model");
    }
    const auto& iv = j.at("interval");
    im.interval.calibrated = iv.at("calibrated").get<bool>();
    im.interval.networks = iv.at("networks").get<size_t>();
    im.interval.coverage = iv.at("coverage").get<double>();
    im.interval.low_log = iv.at("low_log_ratio").get<double>();
    im.interval.high_log = iv.at("high_log_ratio").get<double>();
    for (const auto& m : j.at("members")) {
      NNLAT_ASSIGN_OR_RETURN(auto member, from_json(m, source + ": ensemble member"));
      im.members.push_back(std::move(member));
    }
    if (im.method == Method::kOpwiseEnsemble && im.members.empty()) return fail("opwise-ensemble without members");
    im.training = j.value("training", nlohmann::json::object());
    return p;
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("malformed predictor: ") + e.what());
  }
}

Status LatencyPredictor::save(const std::string& path) const {
  return write_file_atomic(path, to_json().dump(1) + "\n");
}

Result<LatencyPredictor> LatencyPredictor::load(const std::string& path) {
  NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::kParseError, path + ": not valid JSON");
  return from_json(j, path);
}

}  // namespace nnlat::predictors
