#include "nnlat/app/predict.hpp"

#include <map>

#include "nnlat/ir/attention.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {

nlohmann::ordered_json PredictResult::to_json(const ModelPrediction& model) const {
  const auto& pred = model.prediction;
  nlohmann::ordered_json j;
  j["model"] = model.reference;
  j["name"] = model.name;
  j["predictor"] = model.predictor;
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

namespace {

Status exactly_one_predictor_source(const std::string& predictor, const std::string& target) {
  if (predictor.empty() == target.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "give either a predictor file (--predictor) or a ready target (--target; `nnlat predictors` "
                      "lists them), not both and not neither");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> predictor_file(const std::string& predictor, const std::string& target, const ReadyOptions& ready,
                                   ReadyNetworkKind kind) {
  NNLAT_RETURN_IF_ERROR(exactly_one_predictor_source(predictor, target));
  if (!target.empty()) return ready_predictor_path(target, ready, kind);
  return predictor;
}

namespace {

// A predictor file loaded once, with its fusion rules, (with --calibrate) its calibration and
// its kernel estimates memoised across the networks it predicts.
struct Loaded {
  std::string file;
  predictors::LatencyPredictor predictor;
  fusion::RuleSet rules;
  std::optional<predictors::Calibration> calibration;
  predictors::PredictionCache cache;
};

Result<Loaded> load_predictor(const std::string& file, const std::string& calibrate_db) {
  NNLAT_ASSIGN_OR_RETURN(auto predictor, predictors::LatencyPredictor::load(file));
  auto rules = predictor.rule_set();
  if (!rules.ok()) return rules.error().with_context(file);
  Loaded l{file, std::move(predictor), std::move(*rules), std::nullopt, {}};
  if (!calibrate_db.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(calibrate_db));
    NNLAT_ASSIGN_OR_RETURN(auto now, store.reference_figures(l.predictor.target()));
    auto calibration = predictors::calibrate(l.predictor.references(), now);
    if (!calibration.ok()) return calibration.error().with_context(calibrate_db);
    l.calibration = *calibration;
  }
  return l;
}

}  // namespace

Result<PredictResult> predict(const PredictRequest& request) {
  // A ready target routes each network (recipe 4): with attention to the main file, without to
  // the CNN-only model where the target has one (the same file elsewhere). Both paths come from
  // one validation; each file is loaded on its first network.
  NNLAT_RETURN_IF_ERROR(exactly_one_predictor_source(request.predictor, request.target));
  ReadyPredictorPaths paths{request.predictor, request.predictor};
  if (!request.target.empty()) {
    NNLAT_ASSIGN_OR_RETURN(paths, ready_predictor_paths(request.target, request.ready));
  }
  const std::string& file = paths.with_attention;
  std::map<std::string, Loaded> loaded;
  NNLAT_ASSIGN_OR_RETURN(auto main, load_predictor(file, request.calibrate_db));
  PredictResult result;
  result.predictor = file;
  result.method = std::string(predictors::method_name(main.predictor.method()));
  result.target = main.predictor.target();
  result.breakdown = request.breakdown;
  result.calibration = main.calibration;
  loaded.emplace(file, std::move(main));
  NNLAT_ASSIGN_OR_RETURN(auto refs, models::expand_model_references(request.models));
  for (const auto& ref : refs) {
    auto graph = models::load_model(ref);
    if (!graph.ok()) {
      result.failure = graph.error();
      break;
    }
    const std::string& routed = paths.routes() && !ir::has_attention(*graph) ? paths.without_attention : file;
    if (!loaded.contains(routed)) {
      NNLAT_ASSIGN_OR_RETURN(auto other, load_predictor(routed, request.calibrate_db));
      loaded.emplace(routed, std::move(other));
    }
    Loaded& use = loaded.at(routed);
    // Without a breakdown the kernel list is not needed: the allocation-free, memoised path.
    auto network = predictors::decompose(*graph, use.rules, use.predictor.context(), use.predictor.needs_hashes(),
                                         request.breakdown);
    if (!network.ok()) {
      result.failure = network.error().with_context(ref);
      break;
    }
    auto prediction = use.predictor.predict(*network, /*with_breakdown=*/true, &use.cache);
    if (auto finite = predictors::require_finite(prediction, ref); !finite.ok()) {
      result.failure = finite.error();
      break;
    }
    if (use.calibration) predictors::apply_calibration(prediction, use.calibration->factor);
    result.models.push_back({ref, graph->name, network->features.size(), std::move(prediction), routed});
  }
  return result;
}

}  // namespace nnlat::app
