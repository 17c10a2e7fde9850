#include "nnlat/app/evaluate.hpp"

#include <fmt/core.h>

#include <charconv>
#include <fstream>
#include <optional>

#include "nnlat/app/training_data.hpp"
#include "nnlat/eval/opwise_transfer_eval.hpp"
#include "nnlat/predictors/reference_networks.hpp"

namespace nnlat::app {
namespace {

Result<std::vector<predictors::Method>> parse_baselines(const std::vector<std::string>& names,
                                                        predictors::Method chosen) {
  std::vector<predictors::Method> baselines;
  for (const auto& b : names) {
    if (b == "none") continue;
    auto m = predictors::parse_method(b);
    if (!m.ok()) return m.error().with_context("--baselines");
    if (*m != chosen) baselines.push_back(*m);
  }
  return baselines;
}

Status write_csv(const std::string& path, const std::vector<eval::MethodReport>& reports) {
  std::ofstream out(path);
  // The two kernel sums are empty cells where they do not apply (a whole-network method; a
  // network without per-kernel timings), never a 0 that reads like a measurement.
  auto optional_ms = [](double ms) { return ms > 0 ? fmt::format("{}", ms) : std::string(); };
  out << "method,split,model,family,measured_ms,predicted_ms,low_ms,high_ms,kernel_sum_ms,measured_kernel_sum_ms\n";
  for (const auto& r : reports) {
    for (const auto& n : r.results) {
      out << predictors::method_name(r.method) << ',' << n.repeat << ',' << n.name << ',' << n.family << ','
          << fmt::format("{},{},{},{}", n.measured_ms, n.predicted_ms, n.low_ms, n.high_ms) << ','
          << optional_ms(n.kernel_sum_ms) << ',' << optional_ms(n.measured_kernel_sum_ms) << '\n';
    }
  }
  if (!out) return make_error(ErrorCode::kIoError, path + ": cannot write");
  return Status::Ok();
}

// --cv: "family", or the number of folds of the k-fold CV by network.
Result<int> parse_folds(const std::string& cv) {
  int k = 0;
  const auto [ptr, ec] = std::from_chars(cv.data(), cv.data() + cv.size(), k);
  if (cv.empty() || ec != std::errc() || ptr != cv.data() + cv.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--cv must be a number of folds (an integer >= 2) or 'family' (leave one network family out), "
                      "got '" +
                          cv + "'");
  }
  return k;
}

// The splits that --cv / --train-size ask for, and the protocol in words.
Result<std::vector<eval::Split>> make_splits(const EvalRequest& request, const predictors::TrainingSet& data,
                                             EvalResult& result) {
  const size_t n = data.networks.size();
  if (request.cv == "family") {
    if (request.train_size > 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--cv family and --train-size split the networks in two different ways: give one of them");
    }
    std::vector<std::string> families;
    for (const auto& net : data.networks) families.push_back(net.family);
    NNLAT_ASSIGN_OR_RETURN(auto splits, eval::family_splits(families));
    result.cv = "family";
    result.protocol = fmt::format(
        "leave-one-family-out: each of {} network families held out in turn, trained on the others", splits.size());
    return splits;
  }
  NNLAT_ASSIGN_OR_RETURN(const int folds, parse_folds(request.cv));
  if (request.reference_networks > 0 && request.train_size == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--reference-networks places networks in every draw of --train-size: give --train-size too");
  }
  if (request.train_size > 0) {
    std::vector<size_t> references;
    if (request.reference_networks > 0) {
      NNLAT_ASSIGN_OR_RETURN(references, predictors::choose_reference_networks(data, request.reference_networks));
      for (size_t r : references) result.reference_networks.push_back(data.networks[r].name);
    }
    result.cv = "train-size";
    result.protocol = fmt::format(
        "{} random draws of {} training networks{}, the others held out", request.repeats, request.train_size,
        references.empty() ? std::string() : fmt::format(" ({} of them the reference networks)", references.size()));
    return eval::train_size_splits(n, request.train_size, request.repeats, request.training.seed, references);
  }
  result.cv = "kfold";
  result.protocol = fmt::format("{}-fold cross-validation by network", folds);
  return eval::kfold_splits(n, folds, request.training.seed);
}

// The chosen method and the baselines, each trained and tested on the same splits.
Status evaluate_on_splits(const EvalRequest& request, const predictors::TrainingSet& data,
                          const predictors::TrainOptions& options, const std::vector<predictors::Method>& baselines,
                          EvalResult& result) {
  const bool repeated = request.train_size > 0;
  auto splits = make_splits(request, data, result);
  if (!splits.ok()) return splits.error().with_context(request.target);
  result.splits = splits->size();
  std::vector<predictors::Method> methods = {options.method};
  methods.insert(methods.end(), baselines.begin(), baselines.end());
  for (size_t i = 0; i < methods.size(); ++i) {
    const bool needs_kernels = predictors::method_traits(methods[i]).needs_kernels;
    if (i > 0 && needs_kernels && data.kernels.empty()) continue;  // a kernel baseline without kernels
    auto r = eval::evaluate_splits(data, *splits, with_method(options, methods[i]), repeated);
    if (!r.ok()) return r.error().with_context(request.target);
    result.reports.push_back(std::move(*r));
  }
  return Status::Ok();
}

// --opwise-from: the op-wise transfer from that source on the draws the chosen method saw.
Status evaluate_opwise_transfer(const EvalRequest& request, const predictors::TrainingSet& data,
                                const predictors::TrainOptions& options, EvalResult& result) {
  if (request.train_size == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--opwise-from needs --train-size (the K target networks)");
  }
  NNLAT_ASSIGN_OR_RETURN(
      auto source, load_training_set_from(request.db, request.opwise_from, "", "", request.training.correct_drift));
  EvalResult scratch;  // the same splits again (make_splits is deterministic in the seed)
  NNLAT_ASSIGN_OR_RETURN(auto splits, make_splits(request, data, scratch));
  auto r =
      eval::evaluate_opwise_transfer(source, data, splits, with_method(options, predictors::Method::kOpwiseGbdt), true);
  if (!r.ok()) return r.error().with_context(request.target);
  result.opwise_transfer = std::move(*r);
  result.opwise_source = request.opwise_from;
  return Status::Ok();
}

}  // namespace

double noise_floor_ratio(const eval::MethodReport& report, const eval::Metrics& noise_floor) {
  const double mape = report.per_repeat.empty() ? report.overall.mape : report.repeat_mean.mape;
  return noise_floor.n > 0 && noise_floor.mape > 0 ? mape / noise_floor.mape : 0.0;
}

nlohmann::json EvalResult::to_json() const {
  // Each method's MAPE as a multiple of the noise floor's, only where a floor was measured.
  auto with_ratio = [&](nlohmann::json j, const eval::MethodReport& r) {
    if (noise_floor.n > 0) j["noise_floor_ratio"] = noise_floor_ratio(r, noise_floor);
    return j;
  };
  nlohmann::json j = with_ratio(eval::method_report_to_json(reports.front(), /*with_results=*/true), reports.front());
  j["noise_floor"] = eval::metrics_to_json(noise_floor);
  const auto& top = reports.front().per_repeat.empty() ? j : j["repeat_mean"];
  for (const char* key : {"mape", "rmspe", "rmse_ms", "acc5", "acc10", "bias", "kendall_tau", "spearman"}) {
    j[key] = top[key];
  }
  if (calibration) j["calibration"] = {{"factor", calibration->factor}, {"reference_networks", calibration->networks}};
  j["target"] = target;
  j["protocol"] = protocol;
  j["cv"] = cv;
  j["splits"] = splits;
  j["kernels_measured"] = kernels_measured;
  j["networks_measured"] = networks_measured;
  if (!transfer_sources.empty()) j["transfer"] = transfer_match_json(transfer_sources, transfer_matches);
  if (!reference_networks.empty()) j["reference_networks"] = reference_networks;
  nlohmann::json b = nlohmann::json::object();
  for (size_t i = 1; i < reports.size(); ++i) {
    b[std::string(predictors::method_name(reports[i].method))] =
        with_ratio(eval::method_report_to_json(reports[i], /*with_results=*/false), reports[i]);
  }
  j["baselines"] = b;
  if (opwise_transfer) {
    nlohmann::json o = eval::method_report_to_json(*opwise_transfer, /*with_results=*/false);
    o["method"] = "opwise-transfer";
    o["source"] = opwise_source;
    j["opwise_transfer"] = o;
  }
  return j;
}

Result<EvalResult> evaluate(const EvalRequest& request_in) {
  EvalRequest request = request_in;
  std::optional<predictors::LatencyPredictor> predictor;
  if (!request.predictor.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto p, predictors::LatencyPredictor::load(request.predictor));
    if (request.target.empty()) request.target = p.target();
    if (request.rules.empty()) request.rules = p.rules();
    predictor = std::move(p);
  }
  if (request.target.empty()) return make_error(ErrorCode::kInvalidArgument, "--target is required (or --predictor)");
  if (request.calibrate_drift && !predictor) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--calibrate needs --predictor (a predictor trained on another store)");
  }
  NNLAT_ASSIGN_OR_RETURN(const auto options, make_train_options(request.training));
  NNLAT_ASSIGN_OR_RETURN(const auto baselines, parse_baselines(request.baselines, options.method));
  NNLAT_ASSIGN_OR_RETURN(auto data, load_training_set_from(request.db, request.target, request.rules,
                                                           request.transfer_from, request.training.correct_drift));

  EvalResult result;
  result.target = request.target;
  result.kernels_measured = data.kernels.size();
  result.networks_measured = data.networks.size();
  result.transfer_sources = data.source_targets;
  result.transfer_matches = data.source_matches;
  // Without calibration the interval is the uncalibrated default: its coverage means nothing.
  result.intervals_calibrated = request.training.calibrate || predictor.has_value();
  if (predictor) {
    double factor = 1;
    if (request.calibrate_drift) {
      NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
      NNLAT_ASSIGN_OR_RETURN(auto now, store.reference_figures(request.target));
      auto calibration = predictors::calibrate(predictor->references(), now);
      if (!calibration.ok()) return calibration.error().with_context(request.db);
      factor = calibration->factor;
      result.calibration = *calibration;
    }
    NNLAT_ASSIGN_OR_RETURN(auto r, eval::evaluate_predictor(*predictor, data, factor));
    result.reports.push_back(std::move(r));
    result.protocol =
        "predictor " + request.predictor + " on every network of the store (not held out unless you made it so)";
    result.cv = "none";
    result.splits = 1;
  } else {
    NNLAT_RETURN_IF_ERROR(evaluate_on_splits(request, data, options, baselines, result));
    if (!request.opwise_from.empty()) NNLAT_RETURN_IF_ERROR(evaluate_opwise_transfer(request, data, options, result));
  }
  if (!request.csv.empty()) NNLAT_RETURN_IF_ERROR(write_csv(request.csv, result.reports));
  NNLAT_ASSIGN_OR_RETURN(result.noise_floor, eval::noise_floor(data));
  result.repeated = !result.reports.front().per_repeat.empty();
  return result;
}

}  // namespace nnlat::app
