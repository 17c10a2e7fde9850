// What every fuzz target shares: the checks of an accepted input (its invariants) and the
// small predictor that each accepted model goes through, built once per process.
//
// A broken invariant is a crash on purpose (std::abort with a message): libFuzzer keeps the
// input that broke it, and the replay test (fuzz/replay_main.cpp) fails on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::fuzz {

// Ends the process with "fuzz invariant broken: WHAT" on stderr.
[[noreturn]] void fail(const std::string& what);

// A refused input must say why: an error with an empty message is as bad as a crash.
void require_clear_error(const Error& error, std::string_view where);

// The input bytes as text (the formats that are text take any bytes: invalid UTF-8 included).
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A file of this process (one per tag, overwritten by each input) holding `bytes`: for the
// readers that take a path (CSV and mlbench imports, NB101 spec files). Returns its path.
std::string write_scratch_file(std::string_view tag, std::string_view bytes);

// The predictor every accepted model goes through: op-wise GBDT trained once on a small
// synthetic target (predictors/synthetic.hpp), rules "xnnpack".
const predictors::LatencyPredictor& small_predictor();

// The invariants of a prediction that was returned as a success: finite and positive, its
// interval finite and around it, every kernel's estimate finite and not negative.
void check_prediction(const predictors::NetworkPrediction& prediction, std::string_view where);

// The whole path of an accepted model, as `nnlat predict` takes it: the graph verifies, its
// MACs and parameters are not negative (a negative total is an overflow), it decomposes into
// kernels under the predictor's rules with finite features, and the prediction is a finite
// positive latency or a clear error.
void check_accepted_graph(const ir::Graph& graph, std::string_view where);

// What every model reader's target does with its result: a refusal must say why, an accepted
// graph goes through check_accepted_graph.
void check_import(const Result<ir::Graph>& graph, std::string_view where);

}  // namespace nnlat::fuzz
