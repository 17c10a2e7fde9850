#include "predictors/kernel_models.hpp"

#include <algorithm>
#include <limits>

#include "nnlat/core/sampling.hpp"
#include "predictors/log_target.hpp"

static_assert(nnlat::predictors::kMaxImplementations == nnlat::predictors::kImplementationSlots,
              "the overhead model keeps one slot per implementation the classifier can name");

namespace nnlat::predictors {
namespace {

using features::KernelFamily;
using features::KernelFeatures;

// Families with fewer kernel rows than this get the ratio fallback instead of a regressor.
constexpr size_t kMinRowsForRegressor = 8;
// ... and fewer than this are fitted with ridge only (no CV between candidates).
constexpr size_t kMinRowsForSelection = 24;

nlohmann::json floats_to_json(const std::vector<float>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (float x : v) a.push_back(x);
  return a;
}

// Fits one family's kernel regressor, choosing among the method's candidates by k-fold CV
// on the family's rows (mean absolute log error ≈ MAPE for small errors).
Status fit_family(FamilyModel& fm, const std::vector<const KernelExample*>& rows, const FamilyFitPlan& plan,
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
  if (plan.learn_implementations && !names.empty() && names.size() <= kMaxImplementations) {
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

  std::vector<RegressorKind> kinds = plan.candidates;
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

}  // namespace

double FamilyModel::prior_ms(const KernelFeatures& f) const {
  const double p = prior[0] + prior[1] * static_cast<double>(f.macs) + prior[2] * bytes_of(f);
  return p > 0 ? p : 1.0;  // 1.0: no prior (log 1 = 0)
}

size_t FamilyModel::implementation_columns() const {
  return classifier && classifier->names().size() > 1 ? classifier->names().size() : 0;
}

Status KernelModels::fit(const TrainingSet& data, std::span<const size_t> kernel_rows, const FamilyFitPlan& plan,
                         const TrainOptions& options) {
  // Family models, and the family ratios every kernel-based method falls back on.
  std::array<std::vector<const KernelExample*>, features::kNumFamilies> by_family;
  std::vector<double> all_ratios;
  for (size_t r : kernel_rows) {
    const auto& ex = data.kernels[r];
    by_family[static_cast<size_t>(ex.features.family)].push_back(&ex);
    if (ex.latency_ms > 0) all_ratios.push_back(ex.latency_ms / bytes_of(ex.features));
  }
  global_ms_per_byte_ = all_ratios.empty() ? 0.0 : median(all_ratios);
  for (size_t f = 0; f < features::kNumFamilies && !plan.candidates.empty(); ++f) {
    const RegressorKind* fixed =
        f < options.family_kinds.size() && options.family_kinds[f] ? &*options.family_kinds[f] : nullptr;
    NNLAT_RETURN_IF_ERROR(fit_family(families_[f], by_family[f], plan, options, fixed));
  }
  return Status::Ok();
}

double KernelModels::fallback_ms(const KernelFeatures& f) const {
  const FamilyModel& fm = families_[static_cast<size_t>(f.family)];
  return (fm.rows > 0 ? fm.ms_per_byte : global_ms_per_byte_) * bytes_of(f);
}

KernelEstimate KernelModels::kernel_ms(const KernelFeatures& f) const {
  const FamilyModel& fm = families_[static_cast<size_t>(f.family)];
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

KernelEstimate KernelModels::cached_kernel_ms(const KernelFeatures& f, PredictionCache* cache) const {
  if (!cache) return kernel_ms(f);
  const uint64_t key = f.fingerprint();
  auto it = cache->kernels.find(key);
  if (it == cache->kernels.end()) it = cache->kernels.emplace(key, kernel_ms(f)).first;
  return it->second;
}

void add_estimate(FamilyTotals& totals, const KernelFeatures& f, const KernelEstimate& e) {
  totals.add(f, e.ms);
  if (e.implementation >= 0) totals.add_implementation(f.family, static_cast<size_t>(e.implementation));
}

FamilyTotals KernelModels::family_totals(const NetworkKernels& network) const {
  FamilyTotals t;
  for (const auto& f : network.features) add_estimate(t, f, kernel_ms(f));
  return t;
}

std::string KernelModels::predicted_implementation(const KernelFeatures& f) const {
  const FamilyModel& fm = families_[static_cast<size_t>(f.family)];
  if (!fm.classifier) return {};
  return fm.classifier->names()[fm.classifier->predict(f.view())];
}

std::vector<std::optional<RegressorKind>> KernelModels::chosen_kinds() const {
  std::vector<std::optional<RegressorKind>> kinds(features::kNumFamilies, std::nullopt);
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    if (families_[f].model) kinds[f] = families_[f].model->kind();
  }
  return kinds;
}

nlohmann::json KernelModels::rows_per_family() const {
  nlohmann::json fam = nlohmann::json::object();
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    if (families_[f].rows > 0)
      fam[std::string(features::family_name(static_cast<KernelFamily>(f)))] = families_[f].rows;
  }
  return fam;
}

const std::vector<std::string>& KernelModels::implementation_names(KernelFamily family) const {
  static const std::vector<std::string> kNone;
  const FamilyModel& fm = families_[static_cast<size_t>(family)];
  return fm.classifier ? fm.classifier->names() : kNone;
}

void KernelModels::write_json(nlohmann::json& j) const {
  nlohmann::json fams = nlohmann::json::object();
  for (size_t f = 0; f < features::kNumFamilies; ++f) {
    const FamilyModel& fm = families_[f];
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
  j["global_ms_per_byte"] = global_ms_per_byte_;
}

Status KernelModels::read_json(const nlohmann::json& j, const features::TargetContext& target,
                               const std::string& source) {
  auto fail = [&](const std::string& what) { return make_error(ErrorCode::kParseError, source + ": " + what); };
  for (const auto& [name, e] : j.at("families").items()) {
    auto fam = features::parse_family(name);
    if (!fam.ok()) return fail(fam.error().message);
    FamilyModel& fm = families_[static_cast<size_t>(*fam)];
    fm.rows = e.at("rows").get<size_t>();
    fm.ms_per_byte = e.at("ms_per_byte").get<double>();
    fm.min = e.at("min").get<std::vector<float>>();
    fm.max = e.at("max").get<std::vector<float>>();
    fm.selection = e.at("selection");
    if (e.contains("prior")) {
      const auto& pr = e.at("prior");
      fm.prior = {pr.at("ms").get<double>(), pr.at("ms_per_mac").get<double>(), pr.at("ms_per_byte").get<double>()};
    }
    if (fm.min.size() != features::feature_names(*fam, target).size() || fm.max.size() != fm.min.size()) {
      return fail("family " + name + ": feature range has the wrong length");
    }
    if (e.contains("implementations")) {
      NNLAT_ASSIGN_OR_RETURN(fm.classifier,
                             ImplementationClassifier::from_json(e.at("implementations"), source + ": family " + name));
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
  global_ms_per_byte_ = j.at("global_ms_per_byte").get<double>();
  return Status::Ok();
}

}  // namespace nnlat::predictors
