#include "nnlat/predictors/calibration.hpp"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "nnlat/predictors/predictor.hpp"

namespace nnlat::predictors {

Result<Calibration> calibrate(const std::vector<ReferenceFigure>& trained, const std::vector<ReferenceFigure>& now) {
  if (trained.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the predictor holds no reference-network figures (its store was measured without "
                      "--references, or before they existed): nothing to calibrate against");
  }
  std::map<std::string, double> then;
  for (const auto& r : trained) then[r.hash] = r.median_ms;
  Calibration c;
  double log_sum = 0;
  for (const auto& r : now) {
    const auto it = then.find(r.hash);
    if (it == then.end() || it->second <= 0 || r.median_ms <= 0) continue;
    c.ratios.push_back(r.median_ms / it->second);
    log_sum += std::log(c.ratios.back());
  }
  c.networks = static_cast<int>(c.ratios.size());
  if (c.networks == 0) {
    return make_error(ErrorCode::kNotFound,
                      "no reference network of the predictor's store was measured in the calibration store (profile "
                      "there with the same --references)");
  }
  c.factor = std::exp(log_sum / c.networks);
  return c;
}

void apply_calibration(NetworkPrediction& p, double factor) {
  p.latency_ms *= factor;
  p.low_ms *= factor;
  p.high_ms *= factor;
  p.kernel_sum_ms *= factor;
  for (auto& k : p.kernels) k.latency_ms *= factor;
}

nlohmann::json references_to_json(const std::vector<ReferenceFigure>& references) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& r : references) {
    j.push_back({{"hash", r.hash}, {"name", r.name}, {"median_ms", r.median_ms}, {"measurements", r.measurements}});
  }
  return j;
}

Result<std::vector<ReferenceFigure>> references_from_json(const nlohmann::json& j) {
  const auto fail = [] {
    return make_error(ErrorCode::kParseError,
                      "references must be an array of {hash, name, median_ms > 0, measurements}");
  };
  if (!j.is_array()) return fail();
  std::vector<ReferenceFigure> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("hash") || !e["hash"].is_string() || !e.contains("name") ||
        !e["name"].is_string() || !e.contains("median_ms") || !e["median_ms"].is_number() ||
        !(e["median_ms"].get<double>() > 0) || !std::isfinite(e["median_ms"].get<double>()) ||
        !e.contains("measurements") || !e["measurements"].is_number_integer()) {
      return fail();
    }
    out.push_back({e["hash"].get<std::string>(), e["name"].get<std::string>(), e["median_ms"].get<double>(),
                   e["measurements"].get<int>()});
  }
  return out;
}

}  // namespace nnlat::predictors
