#include "nnlat/app/evaluate.hpp"

#include <fmt/core.h>

#include <fstream>
#include <optional>

#include "nnlat/app/training_data.hpp"

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
  out << "method,split,model,family,measured_ms,predicted_ms,low_ms,high_ms\n";
  for (const auto& r : reports) {
    for (const auto& n : r.results) {
      out << predictors::method_name(r.method) << ',' << n.repeat << ',' << n.name << ',' << n.family << ','
          << fmt::format("{},{},{},{}", n.measured_ms, n.predicted_ms, n.low_ms, n.high_ms) << '\n';
    }
  }
  if (!out) return make_error(ErrorCode::kIoError, path + ": cannot write");
  return Status::Ok();
}

// The chosen method and the baselines, each trained and tested on the same splits.
Status evaluate_on_splits(const EvalRequest& request, const predictors::TrainingSet& data,
                          const predictors::TrainOptions& options, const std::vector<predictors::Method>& baselines,
                          EvalResult& result) {
  const bool repeated = request.train_size > 0;
  auto splits = repeated ? eval::train_size_splits(data.networks.size(), request.train_size, request.repeats,
                                                   request.training.seed)
                         : eval::kfold_splits(data.networks.size(), request.cv, request.training.seed);
  if (!splits.ok()) return splits.error().with_context(request.target);
  result.protocol = repeated ? fmt::format("{} random draws of {} training networks, the others held out",
                                           request.repeats, request.train_size)
                             : fmt::format("{}-fold cross-validation by network", request.cv);
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

}  // namespace

nlohmann::json EvalResult::to_json() const {
  nlohmann::json j = eval::method_report_to_json(reports.front(), /*with_results=*/true);
  j["noise_floor"] = eval::metrics_to_json(noise_floor);
  const auto& top = reports.front().per_repeat.empty() ? j : j["repeat_mean"];
  for (const char* key : {"mape", "rmspe", "rmse_ms", "acc5", "acc10", "kendall_tau", "spearman"}) j[key] = top[key];
  j["target"] = target;
  j["protocol"] = protocol;
  j["kernels_measured"] = kernels_measured;
  j["networks_measured"] = networks_measured;
  nlohmann::json b = nlohmann::json::object();
  for (size_t i = 1; i < reports.size(); ++i) {
    b[std::string(predictors::method_name(reports[i].method))] =
        eval::method_report_to_json(reports[i], /*with_results=*/false);
  }
  j["baselines"] = b;
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
  NNLAT_ASSIGN_OR_RETURN(const auto options, make_train_options(request.training));
  NNLAT_ASSIGN_OR_RETURN(const auto baselines, parse_baselines(request.baselines, options.method));
  NNLAT_ASSIGN_OR_RETURN(auto data, load_training_set_from(request.db, request.target, request.rules,
                                                           request.transfer_from, request.training.correct_drift));

  EvalResult result;
  result.target = request.target;
  result.kernels_measured = data.kernels.size();
  result.networks_measured = data.networks.size();
  // Without calibration the interval is the uncalibrated default: its coverage means nothing.
  result.intervals_calibrated = request.training.calibrate || predictor.has_value();
  if (predictor) {
    NNLAT_ASSIGN_OR_RETURN(auto r, eval::evaluate_predictor(*predictor, data));
    result.reports.push_back(std::move(r));
    result.protocol =
        "predictor " + request.predictor + " on every network of the store (not held out unless you made it so)";
  } else {
    NNLAT_RETURN_IF_ERROR(evaluate_on_splits(request, data, options, baselines, result));
  }
  if (!request.csv.empty()) NNLAT_RETURN_IF_ERROR(write_csv(request.csv, result.reports));
  NNLAT_ASSIGN_OR_RETURN(result.noise_floor, eval::noise_floor(data));
  result.repeated = !result.reports.front().per_repeat.empty();
  return result;
}

}  // namespace nnlat::app
