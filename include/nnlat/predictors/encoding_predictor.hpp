// Latency of NAS encodings at search-loop speed (issue 15, "fast paths for NAS"): a loaded
// LatencyPredictor and a space (nb201, nb101, mbv2), predicting straight from encodings.
//
// Memos make a repeated architecture or kernel cheap:
// - the plan of an encoding: the kernels its network decomposes into (the space's builder,
//   then the predictor's fusion rules and features, as the generic path does), in execution
//   order, as pointers into the kernel table; built once per distinct encoding (for mbv2
//   from the plans of its segments, each built once: a new encoding costs lookups);
// - the kernel table: one entry per distinct kernel (by feature fingerprint) with its
//   features and, for kernel-wise methods, its estimate (LatencyPredictor::estimate_kernel).
// A prediction then adds the plan's estimates through the same code as the generic path and
// calls the predictor's compose: the figure equals LatencyPredictor::predict on the built
// graph bit for bit. Whole-network methods (e2e, flops, transfer, the ensemble) get the
// plan's features as a NetworkKernels and their own predict; lut, which needs each kernel's
// hash, takes the generic path per encoding. Slower, same figures.
//
// Thread safety: predict and predict_batch may run concurrently (the memos are shared behind
// a reader-writer lock and entries never move); clear_cache may not run during them.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::predictors {

// The spaces the fast path serves and the encodings they take (models/nas.hpp):
//   nb201: the benchmark's cell string '|nor_conv_3x3~0|+|...|'
//   nb101: 'ops=in,c3,...,out;adj=0110,...' or a JSON spec {"matrix": [[...]], "ops": [...]}
//   mbv2:  16 layer tokens joined by '-', e.g. 'k3e6-skip-k5e3se-...'
std::vector<std::string> encoding_space_names();

class EncodingPredictor {
 public:
  // `predictor` must outlive the EncodingPredictor. An unknown space or a predictor whose
  // rule set cannot be read is an error.
  static Result<EncodingPredictor> create(const LatencyPredictor& predictor, std::string_view space);

  EncodingPredictor(EncodingPredictor&&) noexcept;
  EncodingPredictor& operator=(EncodingPredictor&&) noexcept;
  ~EncodingPredictor();

  const std::string& space() const;
  const LatencyPredictor& predictor() const;
  // Whether encodings are assembled from memoised segments (mbv2: stem, layers, head; see
  // models::space_segments) instead of built whole. Decided at creation: the space has
  // segments and, on sampled networks, the predictor's fusion rules fuse nothing across
  // their borders.
  bool splices_segments() const;
  // Whether new encodings are planned from op skeletons (nb201: models::space_has_skeleton)
  // rather than built graphs. False from the moment a graph built for a kernel's first sight
  // disagreed with its skeleton (a bug: the plans are then built from graphs).
  bool uses_skeletons() const;
  // Of the skeleton plans built so far, how many needed the whole skeleton because the
  // abridged one's repeated cells could not be shown to run the same kernels
  // (ir::OpSkeleton::repeats); the rest built three cells a stage instead of five.
  size_t whole_skeletons() const;

  // One encoding's latency and interval (no per-kernel breakdown). A malformed encoding is an
  // error naming what is wrong with it.
  Result<NetworkPrediction> predict(std::string_view encoding) const;

  // out[i] = prediction of encodings[i] on `threads` workers (0: one per core), each with its
  // own scratch. Same figures whatever the thread count. The error names the first malformed
  // encoding by index ("encoding 12: ..."), which `failed_index` receives when given;
  // `out` is then partly written.
  Status predict_batch(std::span<const std::string> encodings, std::span<NetworkPrediction> out, int threads = 1,
                       size_t* failed_index = nullptr) const;
  // The latencies only (ms).
  Status predict_batch(std::span<const std::string> encodings, std::span<double> out_ms, int threads = 1,
                       size_t* failed_index = nullptr) const;
  // The same on views of encodings held elsewhere (the Python module's str objects): no copies.
  Status predict_batch(std::span<const std::string_view> encodings, std::span<NetworkPrediction> out, int threads = 1,
                       size_t* failed_index = nullptr) const;
  Status predict_batch(std::span<const std::string_view> encodings, std::span<double> out_ms, int threads = 1,
                       size_t* failed_index = nullptr) const;

  // What the memos hold: distinct kernels and encodings seen.
  size_t cached_kernels() const;
  size_t cached_encodings() const;
  // Forgets both memos (the next prediction of each kernel is a first sight). Not while a
  // prediction runs.
  void clear_cache();

 private:
  struct Impl;
  explicit EncodingPredictor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nnlat::predictors
