#include "nnlat/app/predict_encodings.hpp"

#include "nnlat/app/predict.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/predictors/encoding_predictor.hpp"

namespace nnlat::app {
namespace {

// The encodings of the file with their line numbers: surrounding blanks trimmed, blank and
// '#' lines skipped.
void read_encodings(const std::string& text, PredictEncodingsResult& result) {
  size_t line = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view s(text.data() + start, end - start);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    if (!s.empty() && s.front() != '#') {
      result.encodings.emplace_back(s);
      result.lines.push_back(line);
    }
    start = end + 1;
  }
}

}  // namespace

nlohmann::ordered_json PredictEncodingsResult::to_json(size_t index) const {
  const auto& p = predictions[index];
  nlohmann::ordered_json j;
  j["line"] = lines[index];
  j["encoding"] = encodings[index];
  j["space"] = space;
  j["target"] = target;
  j["method"] = method;
  j["latency_ms"] = p.latency_ms;
  j["low_ms"] = p.low_ms;
  j["high_ms"] = p.high_ms;
  return j;
}

Result<PredictEncodingsResult> predict_encodings(const PredictEncodingsRequest& request) {
  // Every encoding space (nb201, nb101, mbv2) is a CNN without attention: a ready core set's
  // CNN-only model (recipe 4).
  NNLAT_ASSIGN_OR_RETURN(const std::string file, predictor_file(request.predictor, request.target, request.ready,
                                                                ReadyNetworkKind::kWithoutAttention));
  NNLAT_ASSIGN_OR_RETURN(auto predictor, predictors::LatencyPredictor::load(file));
  auto fast = predictors::EncodingPredictor::create(predictor, request.space);
  if (!fast.ok()) return fast.error().with_context(file);
  NNLAT_ASSIGN_OR_RETURN(const std::string text, read_file(request.encodings_file));
  PredictEncodingsResult result;
  result.predictor = file;
  result.method = std::string(predictors::method_name(predictor.method()));
  result.target = predictor.target();
  result.space = request.space;
  read_encodings(text, result);
  result.predictions.resize(result.encodings.size());
  size_t failed = 0;
  const Status status = fast->predict_batch(result.encodings, result.predictions, request.threads, &failed);
  if (!status.ok()) {
    if (failed >= result.encodings.size()) return status.error();  // not an encoding's fault (threads < 0)
    // The encoding's own message (the batch's prefixes its index), placed by file and line.
    auto single = fast->predict(result.encodings[failed]);
    const Error error = single.ok() ? status.error() : single.error();
    return error.with_context(request.encodings_file + ":" + std::to_string(result.lines[failed]));
  }
  return result;
}

}  // namespace nnlat::app
