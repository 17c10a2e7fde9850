#include "nnlat/predictors/predictor.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <unordered_set>

#include "nnlat/core/file_io.hpp"
#include "nnlat/core/sampling.hpp"
#include "predictors/method_model.hpp"
#include "predictors/overhead_json.hpp"

namespace nnlat::predictors {
namespace {

struct Interval {
  bool calibrated = false;
  size_t networks = 0;
  double coverage = 0.9;
  double low_log = std::log(0.8);  // uncalibrated default, documented in docs/predictors.md
  double high_log = std::log(1.25);
};

// The sections a version-1 file carries whatever its method (empty where another method owns
// them): files written before the method registry have them all, and readers may rely on it.
constexpr std::array<const char*, 5> kVersion1Sections = {"lut", "overhead", "flops", "network_model", "members"};

// What to run when this nnlat refuses a file (another format version or feature schema): the
// file's own target and method, so the command can be pasted. A ready predictor is rebuilt
// from the shipped phone data; any other from the store it was trained on.
std::string rebuild_advice(const nlohmann::json& j) {
  auto field = [&](const char* key, const char* otherwise) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(otherwise);
  };
  const std::string target = field("target", "TARGET");
  if (j.contains(std::string(kReadySection))) {
    return "it is a ready predictor: use `nnlat predict --target " + target + "`, which rebuilds it in the cache, or " +
           "build it ahead with `nnlat predictors --build " + target + "` (`nnlat predictors --json` gives its path)";
  }
  return "retrain it with this nnlat: `nnlat train --db STORE --target " + target + " --method " +
         field("method", "METHOD") + " -o FILE` on the store it was trained from";
}

// The calibrated interval around a prediction (every path applies it here).
void apply_interval(const Interval& interval, NetworkPrediction& out) {
  out.low_ms = out.latency_ms * std::exp(std::min(interval.low_log, 0.0));
  out.high_ms = out.latency_ms * std::exp(std::max(interval.high_log, 0.0));
}

}  // namespace

std::vector<size_t> kernel_rows_excluding(const TrainingSet& data, std::span<const size_t> held_out_networks) {
  // Standalone kernels are excluded by identity (a kernel profiled around a held-out network
  // is that network's kernel wherever it came from); in-network rows by the network they
  // were timed in (a training network's own timing of a kernel is training data).
  if (data.kernels.empty()) return {};  // a network-level dataset: skip indexing its held-out kernels
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

// What every method shares; the method's own state is behind `model`.
struct LatencyPredictor::Impl {
  Method method = Method::kOpwiseGbdt;
  std::string target;
  std::string rules;
  std::string rules_definition;  // the rule file's text when `rules` is a file, else empty
  features::TargetContext context;
  KernelModels kernels;
  std::unique_ptr<MethodModel> model;
  Interval interval;
  nlohmann::json training = nlohmann::json::object();
  std::vector<ReferenceFigure> references;
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
const std::vector<ReferenceFigure>& LatencyPredictor::references() const { return impl_->references; }
void LatencyPredictor::set_references(std::vector<ReferenceFigure> references) {
  impl_->references = std::move(references);
}
bool LatencyPredictor::needs_hashes() const { return impl_->model && impl_->model->traits().needs_hashes; }

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
  im.model = make_method_model(options.method);
  const bool kernel_based = im.model->traits().needs_kernels;
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

  NNLAT_RETURN_IF_ERROR(im.kernels.fit(data, kernel_rows, im.model->family_plan(), options));
  NNLAT_RETURN_IF_ERROR(im.model->fit({data, kernel_rows, network_rows, options, im.kernels}));

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
    inner.family_kinds = im.kernels.chosen_kinds();
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
  nlohmann::json nets = nlohmann::json::object();
  for (size_t n : network_rows) {
    const std::string& family = data.networks[n].family.empty() ? std::string("other") : data.networks[n].family;
    nets[family] = nets.value(family, 0) + 1;
  }
  im.training = {{"kernels", kernel_rows.size()},
                 {"networks", network_rows.size()},
                 {"kernel_families", im.kernels.rows_per_family()},
                 {"network_families", nets},
                 {"train_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};
  return p;
}

NetworkPrediction LatencyPredictor::predict(const NetworkKernels& network, bool with_breakdown,
                                            PredictionCache* cache) const {
  const Impl& im = *impl_;
  NetworkPrediction out = im.model->predict(network, im.kernels, with_breakdown, cache);
  apply_interval(im.interval, out);
  return out;
}

bool LatencyPredictor::kernel_wise() const { return impl_->model->kernel_wise(); }

KernelEstimate LatencyPredictor::estimate_kernel(const features::KernelFeatures& f) const {
  return impl_->model->estimate_kernel(f, impl_->kernels);
}

NetworkPrediction LatencyPredictor::compose(NetworkPrediction sums, const FamilyTotals& totals) const {
  sums.latency_ms = impl_->model->compose(totals);
  apply_interval(impl_->interval, sums);
  return sums;
}

std::string LatencyPredictor::predicted_implementation(const features::KernelFeatures& f) const {
  return impl_->model->predicted_implementation(impl_->kernels, f);
}

Result<NetworkPrediction> LatencyPredictor::predict(const ir::Graph& graph) const {
  NNLAT_ASSIGN_OR_RETURN(auto rules, rule_set());
  NNLAT_ASSIGN_OR_RETURN(auto network, decompose(graph, rules, impl_->context, needs_hashes()));
  NetworkPrediction out = predict(network);
  NNLAT_RETURN_IF_ERROR(require_finite(out, graph.name));
  return out;
}

Status require_finite(const NetworkPrediction& prediction, const std::string& model) {
  if (std::isfinite(prediction.latency_ms)) return Status::Ok();
  std::string culprit;
  for (const auto& k : prediction.kernels) {
    if (!std::isfinite(k.latency_ms)) {
      culprit = " kernel '" + k.name + "' (" + k.type + ") is estimated at " + std::to_string(k.latency_ms) + " ms" +
                (k.extrapolated ? ", a feature outside its family's training range" : "") + ";";
      break;
    }
  }
  return make_error(ErrorCode::kUnsupported,
                    (model.empty() ? "" : model + ": ") + "the prediction is not a finite number:" + culprit +
                        " the predictor was trained on no kernels like this model's (train it on a store that "
                        "measured similar kernels, or use a whole-network method)");
}

nlohmann::json LatencyPredictor::to_json() const {
  const Impl& im = *impl_;
  nlohmann::json j;
  j["format"] = kPredictorFormat;
  j["version"] = kPredictorVersion;
  j["method"] = method_name(im.method);
  j["target"] = im.target;
  j["rules"] = im.rules;
  j["rules_definition"] = im.rules_definition;
  j["feature_schema"] = {
      {"name", features::kSchemaName}, {"version", features::kSchemaVersion}, {"hash", features::schema_hash()}};
  j["threads"] = im.context.threads;
  j["gpu_features"] = im.context.gpu;
  j["target_space"] = "log_ms";
  im.kernels.write_json(j);
  // Version-1 files carry every method's section; a method overwrites the ones it owns.
  j["lut"] = nlohmann::json::object();
  j["lut_fallback"] = "family median ms per byte times the kernel's bytes";
  j["overhead"] = overhead_to_json(OverheadModel{}, im.kernels);
  j["flops"] = {{"ms_per_mac", 0.0}, {"constant_ms", 0.0}};
  j["network_model"] = nullptr;
  j["members"] = nlohmann::json::array();
  im.model->write_json(j, im.kernels);
  j["interval"] = {{"calibrated", im.interval.calibrated},
                   {"networks", im.interval.networks},
                   {"coverage", im.interval.coverage},
                   {"low_log_ratio", im.interval.low_log},
                   {"high_log_ratio", im.interval.high_log}};
  j["training"] = im.training;
  if (!im.references.empty()) j["references"] = references_to_json(im.references);  // absent: none (older files)
  return j;
}

Result<LatencyPredictor> LatencyPredictor::from_json(const nlohmann::json& j, const std::string& source) {
  auto fail = [&](const std::string& what) { return make_error(ErrorCode::kParseError, source + ": " + what); };
  try {
    if (!j.is_object() || j.value("format", "") != kPredictorFormat) return fail("not an nnlat predictor file");
    if (j.at("version").get<int>() != kPredictorVersion) {
      return fail("predictor format version " + std::to_string(j.at("version").get<int>()) + " (this nnlat reads " +
                  std::to_string(kPredictorVersion) + "); " + rebuild_advice(j));
    }
    const auto& schema = j.at("feature_schema");
    if (schema.at("hash").get<std::string>() != features::schema_hash() ||
        schema.at("version").get<int>() != features::kSchemaVersion) {
      return fail("trained under feature schema " + schema.at("name").get<std::string>() + " v" +
                  std::to_string(schema.at("version").get<int>()) + " (" + schema.at("hash").get<std::string>() +
                  "), but this nnlat uses v" + std::to_string(features::kSchemaVersion) + " (" +
                  features::schema_hash() + "); " + rebuild_advice(j));
    }
    LatencyPredictor p;
    Impl& im = *p.impl_;
    NNLAT_ASSIGN_OR_RETURN(im.method, parse_method(j.at("method").get<std::string>()));
    im.target = j.at("target").get<std::string>();
    im.rules = j.at("rules").get<std::string>();
    im.rules_definition = j.value("rules_definition", std::string());
    im.context.threads = j.at("threads").get<int>();
    im.context.gpu = j.at("gpu_features").get<bool>();
    NNLAT_RETURN_IF_ERROR(im.kernels.read_json(j, im.context, source));
    // Every version-1 file carries every method's section, owned or not (see to_json).
    for (const char* section : kVersion1Sections) {
      if (!j.contains(section)) return fail(std::string("malformed predictor: no '") + section + "' section");
    }
    im.model = make_method_model(im.method);
    NNLAT_RETURN_IF_ERROR(im.model->read_json(j, im.kernels, source));
    const auto& iv = j.at("interval");
    im.interval.calibrated = iv.at("calibrated").get<bool>();
    im.interval.networks = iv.at("networks").get<size_t>();
    im.interval.coverage = iv.at("coverage").get<double>();
    im.interval.low_log = iv.at("low_log_ratio").get<double>();
    im.interval.high_log = iv.at("high_log_ratio").get<double>();
    im.training = j.value("training", nlohmann::json::object());
    if (j.contains("references")) {
      auto refs = references_from_json(j.at("references"));
      if (!refs.ok()) return fail(refs.error().message);
      im.references = std::move(*refs);
    }
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
