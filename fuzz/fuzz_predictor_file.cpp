// A predictor file (`nnlat predict --predictor FILE`) → load → predict two fixed networks
// (a NAS-Bench-201 cell and a small MobileNetV2): a loaded predictor gives a finite positive
// latency or a clear error, never 0 ms, NaN or infinity.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "nnlat/models/model_ref.hpp"

namespace {

const std::vector<nnlat::ir::Graph>& probe_networks() {
  static const std::vector<nnlat::ir::Graph> graphs = [] {
    std::vector<nnlat::ir::Graph> out;
    for (const char* ref :
         {"nb201:|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|",
          "zoo:mobilenet_v2?width=0.25&res=96"}) {
      auto g = nnlat::models::load_model(ref);
      if (!g.ok()) nnlat::fuzz::fail(std::string(ref) + ": " + g.error().message);
      out.push_back(std::move(*g));
    }
    return out;
  }();
  return graphs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As LatencyPredictor::load reads a file: JSON first, then the predictor.
  const auto json = nlohmann::json::parse(nnlat::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;
  auto predictor = nnlat::predictors::LatencyPredictor::from_json(json, "fuzz-predictor.json");
  if (!predictor.ok()) {
    nnlat::fuzz::require_clear_error(predictor.error(), "predictor file");
    return 0;
  }
  for (const auto& graph : probe_networks()) {
    auto prediction = predictor->predict(graph);
    if (!prediction.ok()) {
      nnlat::fuzz::require_clear_error(prediction.error(), "prediction of " + graph.name);
      continue;
    }
    nnlat::fuzz::check_prediction(*prediction, "predictor file, " + graph.name);
  }
  return 0;
}
