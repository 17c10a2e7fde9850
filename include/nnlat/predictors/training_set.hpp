// What predictors learn from: a target's kernels and networks as the store holds them,
// decomposed into kernels with features (DESIGN.md: graph → kernels → features).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::predictors {

// A network as predictors see it: its kernels in execution order with their features.
struct NetworkKernels {
  std::vector<fusion::Kernel> kernels;             // empty when decomposed without kernels
  std::vector<features::KernelFeatures> features;  // one per kernel
  std::vector<std::string> hashes;                 // kernel hashes, only when asked for
  int64_t macs = 0;
  int64_t params = 0;
  // A NAS network's space and encoding, from the graph's metadata (models::build_space_graph
  // sets them); "" for other networks. Multi-source transfer reads the encoding's own
  // features (models::encoding_features) from them.
  std::string space;
  std::string encoding;
  // Transfer (`--method transfer --from A,B,C`): the network's measured latency on each
  // source target, in the order of TrainingSet::source_targets; 0 where that source did not
  // measure it (the transfer model's source model predicts it). Empty outside transfer (a
  // network to predict that no store holds).
  std::vector<double> sources_ms;
};

// The network's measured latency on source `index`; 0 when not measured (or no sources).
inline double source_latency_ms(const NetworkKernels& network, size_t index) {
  return index < network.sources_ms.size() ? network.sources_ms[index] : 0.0;
}

// Detects the kernels of `graph` under `rules` and extracts their features. Hashes (which
// need each kernel's standalone graph, the slow part) only when `with_hashes`; the kernel
// list (names, types, nodes: what a per-kernel breakdown shows) only when `with_kernels`;
// without both, nothing is allocated per kernel but its features (the NAS scoring path).
Result<NetworkKernels> decompose(const ir::Graph& graph, const fusion::RuleSet& rules,
                                 const features::TargetContext& target, bool with_hashes, bool with_kernels = true);

// A kernel with a latency: either measured standalone (`profile kernels`) or timed inside a
// network run (a per-kernel breakdown: profiler events, a phone dataset's per-op table).
struct KernelExample {
  std::string hash;
  features::KernelFeatures features;
  double latency_ms = 0;  // 0 for a kernel fused into the one before it (see implementation)
  // In-network rows: the index in TrainingSet::networks of the network it was timed in.
  std::optional<size_t> network;
  // The implementation the runtime chose ("convolution_winograd_4x4_6x6", "fused"); "" when
  // the runtime does not say.
  std::string implementation;
};

struct NetworkExample {
  std::string name;
  std::string family;  // "mobilenet", "nb201", ...
  std::string hash;
  NetworkKernels kernels;
  double latency_ms = 0;           // median over its measurements
  std::vector<double> repeats_ms;  // one figure per campaign (median over its rounds); ≥ 2: the noise floor is known
};

// How attach_transfer_source found the source latency of each of the target's networks.
struct TransferMatch {
  size_t by_id = 0;    // the source measured the very same network (same graph)
  size_t by_name = 0;  // the source measured one network of the same name (another framework's graph of it)
  // Neither: the transfer model's source model predicts the source latency. `ambiguous` of
  // them have a name that the source measured under several networks.
  size_t predicted = 0;
  size_t ambiguous = 0;
};

struct TrainingSet {
  std::string target;
  std::string rules;             // as given: a built-in rule-set name or a file path
  std::string rules_definition;  // the rule file's text when `rules` is a file (read once here,
                                 // carried by every predictor trained on this set)
  features::TargetContext context;
  // Standalone kernel measurements first, then the in-network rows of each network's
  // breakdown (one row per kernel, in network order).
  std::vector<KernelExample> kernels;
  std::vector<NetworkExample> networks;
  // Transfer: the source targets whose latencies networks carry (attach_transfer_sources),
  // and how each source's latencies were found, in the same order.
  std::vector<std::string> source_targets;
  std::vector<TransferMatch> source_matches;
  // Subjects whose every measurement was flagged unstable (CV above the protocol's limit).
  // They are kept (their median is still the best estimate there is) and counted.
  size_t unstable = 0;
};

// The rule set that defines a target's kernels when none is given: "torch-vulkan" /
// "torch-metal" for PyTorch Mobile GPU targets (configs of those names), "tflite-gpu" for
// other GPU targets (config "gpu" or starting with "opencl"), "xnnpack" otherwise.
std::string default_rules_for(const std::string& target);

// Loads every kernel and network measured on `target` (median over repeated measurements),
// decomposing networks with the rule set `rules` (a built-in name or a file), and the
// per-kernel breakdowns of network measurements as in-network kernel rows (a breakdown whose
// kernel count differs from the decomposition is an error naming the network). Errors name
// the store. `correct_drift`: every measurement divided by its campaign's drift factor
// (store::Store::campaign_drift), so campaigns measured while the device ran slow or
// fast are put on one footing.
Result<TrainingSet> load_training_set(const store::Store& store, const std::string& target, const std::string& rules,
                                      bool correct_drift = false);

// Appends `source_target` to the training set's sources: sets every network's latency on it
// from its measurements in `store` and records how each network was matched
// (transfer_source.cpp): by identity (the same graph), else by name when the source measured
// exactly one network of that name (the same model imported from another framework's files
// is another graph of the same name), else not at all (0: the transfer model predicts it).
// Errors: the source is the target or already a source, no such target, or no network
// matched.
Status attach_transfer_source(TrainingSet& data, const store::Store& store, const std::string& source_target);

// `spec` as `--from` takes it: one source target, several separated by commas, or "all"
// (kAllSources: every other target of the store that measured networks and shares at least
// one with the target; the others are skipped, where a named source sharing none is an
// error). Attaches each in order.
inline constexpr const char* kAllSources = "all";
Status attach_transfer_sources(TrainingSet& data, const store::Store& store, const std::string& spec);

}  // namespace nnlat::predictors
