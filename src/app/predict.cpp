#include "nnlat/app/predict.hpp"

#include "nnlat/models/model_ref.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {

nlohmann::ordered_json PredictResult::to_json(const ModelPrediction& model) const {
  const auto& pred = model.prediction;
  nlohmann::ordered_json j;
  j["model"] = model.reference;
  j["name"] = model.name;
  j["target"] = target;
  j["method"] = method;
  j["latency_ms"] = pred.latency_ms;
  j["low_ms"] = pred.low_ms;
  j["high_ms"] = pred.high_ms;
  j["kernel_sum_ms"] = pred.kernel_sum_ms;
  if (calibration) j["calibration"] = {{"factor", calibration->factor}, {"reference_networks", calibration->networks}};
  j["extrapolated_kernels"] = pred.extrapolated_kernels;
  nlohmann::ordered_json ks = nlohmann::ordered_json::array();
  if (breakdown) {
    for (const auto& k : pred.kernels) {
      ks.push_back({{"name", k.name},
                    {"type", k.type},
                    {"family", k.family},
                    {"latency_ms", k.latency_ms},
                    {"extrapolated", k.extrapolated}});
    }
  }
  j["kernels"] = ks;
  return j;
}

Result<std::string> predictor_file(const std::string& predictor, const std::string& target, const ReadyOptions& ready) {
  if (predictor.empty() == target.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "give either a predictor file (--predictor) or a ready target (--target; `nnlat predictors` "
                      "lists them), not both and not neither");
  }
  if (!target.empty()) return ready_predictor_path(target, ready);
  return predictor;
}

Result<PredictResult> predict(const PredictRequest& request) {
  NNLAT_ASSIGN_OR_RETURN(const std::string file, predictor_file(request.predictor, request.target, request.ready));
  NNLAT_ASSIGN_OR_RETURN(auto predictor, predictors::LatencyPredictor::load(file));
  auto rules = predictor.rule_set();
  if (!rules.ok()) return rules.error().with_context(file);
  NNLAT_ASSIGN_OR_RETURN(auto refs, models::expand_model_references(request.models));
  PredictResult result;
  result.predictor = file;
  result.method = std::string(predictors::method_name(predictor.method()));
  result.target = predictor.target();
  result.breakdown = request.breakdown;
  if (!request.calibrate_db.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.calibrate_db));
    NNLAT_ASSIGN_OR_RETURN(auto now, store.reference_figures(predictor.target()));
    auto calibration = predictors::calibrate(predictor.references(), now);
    if (!calibration.ok()) return calibration.error().with_context(request.calibrate_db);
    result.calibration = *calibration;
  }
  predictors::PredictionCache cache;
  for (const auto& ref : refs) {
    auto graph = models::load_model(ref);
    if (!graph.ok()) {
      result.failure = graph.error();
      break;
    }
    // Without a breakdown the kernel list is not needed: the allocation-free, memoised path.
    auto network =
        predictors::decompose(*graph, *rules, predictor.context(), predictor.needs_hashes(), request.breakdown);
    if (!network.ok()) {
      result.failure = network.error().with_context(ref);
      break;
    }
    auto prediction = predictor.predict(*network, /*with_breakdown=*/true, &cache);
    if (auto finite = predictors::require_finite(prediction, ref); !finite.ok()) {
      result.failure = finite.error();
      break;
    }
    if (result.calibration) predictors::apply_calibration(prediction, result.calibration->factor);
    result.models.push_back({ref, graph->name, network->features.size(), std::move(prediction)});
  }
  return result;
}

}  // namespace nnlat::app
