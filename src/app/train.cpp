#include "nnlat/app/train.hpp"

#include <algorithm>
#include <cmath>

#include "nnlat/app/training_data.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {
namespace {

// The summary reads the saved file's sections: what the file says is what was learned.
TrainResult summarise(const nlohmann::json& j) {
  TrainResult r;
  r.method = j["method"].get<std::string>();
  r.target = j["target"].get<std::string>();
  r.rules = j["rules"].get<std::string>();
  r.overhead_section = j["overhead"];
  r.interval_section = j["interval"];
  r.training_section = j["training"];
  r.kernels = r.training_section["kernels"].get<size_t>();
  r.networks = r.training_section["networks"].get<size_t>();
  r.train_seconds = r.training_section["train_seconds"].get<double>();
  const auto& ov = r.overhead_section;
  r.overhead = {ov["per_family"].get<bool>(), ov["networks"].get<size_t>(), ov["constant_ms"].get<double>(),
                ov["per_weight_mb_ms"].get<double>(), ov["per_activation_mb_ms"].get<double>()};
  for (const auto& [name, fam] : j["families"].items()) {
    r.families.push_back(
        {name, fam["rows"].get<size_t>(),
         fam["model"].is_null() ? std::string("ratio-fallback") : fam["model"]["kind"].get<std::string>(),
         fam["selection"], ov["per_kernel_ms"][name].get<double>(), ov["scale"][name].get<double>()});
  }
  const auto& iv = r.interval_section;
  r.interval = {iv["calibrated"].get<bool>(), iv["networks"].get<size_t>(), iv["coverage"].get<double>(),
                std::exp(std::min(0.0, iv["low_log_ratio"].get<double>())),
                std::exp(std::max(0.0, iv["high_log_ratio"].get<double>()))};
  return r;
}

}  // namespace

nlohmann::json TrainResult::to_json() const {
  nlohmann::json summary = {{"predictor", predictor},
                            {"method", method},
                            {"target", target},
                            {"rules", rules},
                            {"overhead", overhead_section},
                            {"interval", interval_section},
                            {"training", training_section},
                            {"families", nlohmann::json::object()}};
  for (const auto& f : families) {
    summary["families"][f.name] = {{"rows", f.rows}, {"model", f.model}, {"selection", f.selection}};
  }
  if (!transfer_sources.empty()) summary["transfer"] = transfer_match_json(transfer_sources, transfer_matches);
  return summary;
}

Result<TrainResult> train(const TrainRequest& request) {
  NNLAT_ASSIGN_OR_RETURN(auto options, make_train_options(request.training));
  NNLAT_ASSIGN_OR_RETURN(auto data, load_training_set_from(request.db, request.target, request.rules,
                                                           request.transfer_from, request.training.correct_drift));
  auto predictor = predictors::LatencyPredictor::train(data, options);
  if (!predictor.ok()) return predictor.error().with_context(request.target);
  {  // the reference networks' figures now, for calibrating against a later store
    NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
    NNLAT_ASSIGN_OR_RETURN(auto references, store.reference_figures(request.target));
    predictor->set_references(std::move(references));
  }
  NNLAT_RETURN_IF_ERROR(predictor->save(request.output));
  TrainResult result = summarise(predictor->to_json());
  result.predictor = request.output;
  result.traits = predictors::method_traits(options.method);
  result.unstable = data.unstable;
  result.transfer_sources = data.source_targets;
  result.transfer_matches = data.source_matches;
  return result;
}

}  // namespace nnlat::app
