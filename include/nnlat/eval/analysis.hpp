// The characterisation of targets from their measurements alone, never from predictions
// (issue 17, `nnlat analyze`, docs/analyze.md): how far FLOPs is from latency, where the time
// goes, how threads and core sets scale, which implementation a GPU delegate picks, how two
// frameworks compare on the same networks, and how noisy the measurements are.
//
// The structs are plain data (the report plots them from their JSON, app/analyze.hpp); each
// analysis is a pure function of TargetData, which load_target_data reads from a store. One
// analysis per file: src/eval/analysis_*.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/measure/cpu_clusters.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::eval {

// ---- Data: what the analyses read (analysis_data.cpp) ----

// The class of a kernel for "where the time goes": the feature family, with convolutions split
// by kernel size and grouping, since a 1×1 and a 3×3 convolution run different code:
// conv1x1, convkxk, grouped_conv, depthwise, fc, pool, global_pool, concat, elementwise,
// data_movement, other.
std::string kernel_class(const features::KernelFeatures& f);

// A kernel timed inside a network run, with the shape facts the implementation choice
// depends on (0 where the class has no such fact).
struct TimedKernel {
  std::string kernel_class;
  std::string implementation;  // as the runtime named it; "" when it does not say; "fused": 0 ms
  double latency_ms = 0;
  int64_t kernel_size = 0;  // kernel_h (convolutions, depthwise, pooling)
  int64_t stride = 0;
  int64_t in_channels = 0;  // channels for depthwise and pooling, in_features for fc
  int64_t out_channels = 0;
  int64_t out_size = 0;  // out_h
};

struct AnalysisNetwork {
  std::string name;
  std::string family;
  std::string source;  // "mlbench", "mlbench-torch", "zoo:mobilenet_v2", ...
  std::string hash;
  int64_t macs = 0;
  double latency_ms = 0;           // median over its campaigns' figures
  std::vector<double> repeats_ms;  // one figure per campaign
  double cv = 0;                   // largest run-to-run CV among its measurements
  bool unstable = false;
  size_t kernels = 0;              // under the target's rule set
  std::vector<TimedKernel> timed;  // its per-kernel breakdown, by position; empty when none
};

struct TargetData {
  std::string target;
  measure::TargetName name;
  std::string rules;  // the rule set kernels were detected with
  std::vector<AnalysisNetwork> networks;
};

// The networks measured on each of `targets` (all of the store's when empty), decomposed
// under the target's default rule set (predictors::default_rules_for). kNotFound names an
// unknown target and the store; a breakdown whose kernel count differs from the rule set's is
// an error naming the network.
Result<std::vector<TargetData>> load_target_data(const store::Store& store, const std::vector<std::string>& targets);

// ---- FLOPs vs latency (analysis_flops.cpp) ----

struct Correlation {
  std::string family;  // "" for all networks of the target
  size_t networks = 0;
  double pearson = 0;   // of MACs and latency
  double spearman = 0;  // of their ranks
};

struct MisrankedNetwork {
  std::string name;
  std::string family;
  int64_t macs = 0;
  double latency_ms = 0;
  double macs_rank = 0;  // 1-based average ranks among the target's networks
  double latency_rank = 0;
  double displacement = 0;  // latency_rank - macs_rank: > 0 slower than its MACs rank it
  double ms_per_gmac = 0;
};

struct FlopsAnalysis {
  std::string target;
  Correlation all;
  std::vector<Correlation> families;        // families with 3 networks or more, by name
  std::vector<MisrankedNetwork> misranked;  // the `top` largest |displacement|, largest first
};

FlopsAnalysis analyze_flops(const TargetData& data, size_t top);

// ---- Where the time goes (analysis_breakdown.cpp) ----

struct ClassShare {
  std::string kernel_class;
  size_t kernels = 0;
  double ms = 0;
  double share = 0;  // of the sum of kernel times
};

struct NetworkBreakdown {
  std::string name;
  std::string family;
  double latency_ms = 0;  // end to end
  double kernels_ms = 0;  // the sum of its kernel times
  // (end to end - Σ kernels) / end to end: time no kernel accounts for (dispatch, copies,
  // synchronisation); negative when the kernels sum to more than the end-to-end figure.
  double overhead_share = 0;
  std::vector<ClassShare> classes;  // largest share first
};

struct BreakdownAnalysis {
  std::string target;
  size_t networks = 0;             // with a per-kernel breakdown
  std::vector<ClassShare> pooled;  // over every kernel of those networks, largest first
  double overhead_share_median = 0;
  double overhead_share_pooled = 0;  // 1 - Σ kernels / Σ end to end
  std::vector<NetworkBreakdown> per_network;
};

// nullopt when no network of the target has a per-kernel breakdown.
std::optional<BreakdownAnalysis> analyze_breakdown(const TargetData& data);

// ---- Threads and core sets (analysis_threads.cpp) ----

// A target config read as a framework and a set of CPU cores: "4small" (TFLite), "torch-1large"
// (PyTorch Mobile), "xnnpack-t2" (2 threads, cluster "cpu"), "xnnpack-1large2med". nullopt for
// a config that names no core set ("gpu", "torch-vulkan").
struct CoreSet {
  std::string framework;  // "tflite", "torch", "xnnpack"
  std::string name;       // "1large2med", "t2"
  std::vector<measure::CoreSetPart> parts;
  int threads = 0;
  std::string suffix;  // the config's parts after the core set ("a0.1"), part of the group
};
std::optional<CoreSet> parse_config_core_set(const std::string& config);

struct FamilySpeedup {
  std::string family;
  size_t networks = 0;
  double speedup = 0;
};

struct ScalingPoint {
  std::string target;
  std::string core_set;
  std::string cluster;  // the cluster of its first part: its baseline is one core of it
  int threads = 0;
  bool single_cluster = true;
  std::string baseline;   // the target measured on one core of `cluster`
  size_t networks = 0;    // measured on both
  double speedup = 0;     // geometric mean over those networks of baseline / this
  double efficiency = 0;  // speedup / threads
  std::vector<FamilySpeedup> families;
};

struct ClusterScaling {
  std::string cluster;
  std::vector<int> threads;  // the single-cluster sets measured, ascending (1 included)
  std::vector<double> speedups;
  // The thread count after which one more step brings less than 10% (speed-up ratio < 1.1):
  // where adding threads stops helping. 0 when every measured step still helps.
  int saturates_at = 0;
};

struct ThreadsAnalysis {
  std::string device;
  std::string framework;
  std::string precision;
  std::string suffix;
  std::vector<ScalingPoint> points;  // by cluster, then threads
  std::vector<ClusterScaling> clusters;
};

// One entry per (device, framework, precision, suffix) group with a baseline and at least one
// other core set.
std::vector<ThreadsAnalysis> analyze_threads(const std::vector<TargetData>& data);

// ---- GPU implementation choice (analysis_implementations.cpp) ----

struct ImplementationShare {
  std::string implementation;
  size_t kernels = 0;
  double share = 0;
};

// Kernels of one class and shape bucket: kernel size, stride and power-of-two ranges of input
// channels and output size ([min, max]).
struct ShapeBucket {
  int64_t kernel_size = 0;
  int64_t stride = 0;
  int64_t in_channels_min = 0, in_channels_max = 0;
  int64_t out_size_min = 0, out_size_max = 0;
  size_t kernels = 0;
  std::vector<ImplementationShare> implementations;  // most kernels first
};

struct ClassImplementations {
  std::string kernel_class;
  size_t kernels = 0;
  std::vector<ImplementationShare> implementations;  // over the class, most kernels first
  std::vector<ShapeBucket> buckets;
};

struct ImplementationAnalysis {
  std::string target;
  std::vector<ClassImplementations> classes;  // classes whose kernels name an implementation
};

// nullopt when no timed kernel of the target names an implementation.
std::optional<ImplementationAnalysis> analyze_implementations(const TargetData& data);

struct ImplementationPair {
  std::string a;
  std::string b;
  size_t kernels = 0;
};

struct ClassDisagreement {
  std::string kernel_class;
  size_t shared = 0;                      // kernels timed on both targets
  size_t differing = 0;                   // of those, with another implementation
  std::vector<ImplementationPair> pairs;  // the differing (a, b) pairs, most kernels first
};

// Two targets of one config on different devices (pixel4:gpu vs s10:gpu), over the kernels of
// the networks both timed (same network, same position).
struct Disagreement {
  std::string target_a;
  std::string target_b;
  size_t networks = 0;
  size_t shared = 0;
  size_t differing = 0;
  std::vector<ClassDisagreement> classes;
};

std::vector<Disagreement> analyze_disagreements(const std::vector<TargetData>& data);

// ---- Frameworks (analysis_frameworks.cpp) ----

struct FrameworkFamily {
  std::string family;
  size_t networks = 0;
  double latency_ratio = 0;  // geometric mean of b / a
  double kernels_a = 0;      // mean timed kernels per network (0 without breakdowns)
  double kernels_b = 0;
};

// The same networks (by name) under TFLite (`target_a`: CONFIG or gpu) and PyTorch Mobile
// (`target_b`: torch-CONFIG, or torch-vulkan / torch-metal for gpu) on one device.
struct FrameworkComparison {
  std::string target_a;
  std::string target_b;
  bool timed_kernels = false;  // both targets have breakdowns: kernel counts are measured
  FrameworkFamily all;         // family ""
  std::vector<FrameworkFamily> families;
};

std::vector<FrameworkComparison> analyze_frameworks(const std::vector<TargetData>& data);

// ---- Noise (analysis_noise.cpp) ----

struct NoisyNetwork {
  std::string name;
  double cv = 0;
  bool unstable = false;
};

struct NoiseAnalysis {
  std::string target;
  size_t networks = 0;
  double median_cv = 0;  // run-to-run CV of a measurement, over the networks
  double p90_cv = 0;
  double max_cv = 0;
  size_t unstable = 0;  // networks whose every measurement was flagged unstable
  size_t repeated = 0;  // networks measured in two campaigns or more
  // Over those: median of (max / min - 1) of their campaign figures; 0 when none.
  double campaign_spread_median = 0;
  std::vector<NoisyNetwork> noisiest;  // the `top` largest CVs
};

NoiseAnalysis analyze_noise(const TargetData& data, size_t top);

// ---- Helpers shared by the analyses ----

// exp(mean(log(x))) over positive values; 0 for none.
double geometric_mean(const std::vector<double>& values);

}  // namespace nnlat::eval
