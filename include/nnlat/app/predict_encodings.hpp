// `nnlat predict --encodings FILE --space SPACE` as a library call: the latency of every NAS
// encoding of a file (one a line) through the encoding fast path
// (predictors/encoding_predictor.hpp), on worker threads.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/ready_predictors.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {

struct PredictEncodingsRequest {
  std::string predictor;       // file written by `nnlat train`, or:
  std::string target;          // a ready target (exactly one of the two)
  ReadyOptions ready;          // where a ready target's data and cache are
  std::string encodings_file;  // one encoding a line; blank lines and lines starting with '#' skipped
  std::string space;           // nb201, nb101 or mbv2
  int threads = 1;             // 0: one per core
};

struct PredictEncodingsResult {
  std::string predictor;  // the file used (a ready target's: its cache file)
  std::string method;
  std::string target;
  std::string space;
  std::vector<std::string> encodings;                      // in file order
  std::vector<size_t> lines;                               // each encoding's line in the file (from 1)
  std::vector<predictors::NetworkPrediction> predictions;  // one per encoding

  // One JSON object per encoding (the `predict --encodings --json` line).
  nlohmann::ordered_json to_json(size_t index) const;
};

// An error names the file, and the line of a malformed encoding.
Result<PredictEncodingsResult> predict_encodings(const PredictEncodingsRequest& request);

}  // namespace nnlat::app
