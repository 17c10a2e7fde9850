// Kernel features (DESIGN.md principle 4): pure functions of a kernel (its nodes in a graph)
// and what the target knows, under a named, versioned schema. Every kernel belongs to one
// family; each family has its own fixed list of named features. A predictor file records
// the schema name, version and hash; loading one made under another schema is an error.
//
// The same kernel gives bit-identical features whether it is read inside its network or as
// the standalone kernel graph that profiling stored (tests/kernel_features_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::features {

inline constexpr std::string_view kSchemaName = "nnlat-kernel-features";
// 2: GPU targets' kernels add channel alignment and whether an identical kernel ran before.
inline constexpr int kSchemaVersion = 2;
inline constexpr size_t kMaxFeatures = 24;

// The family is a fact of the anchor op, declared in the op table (ir/op_table.hpp).
using KernelFamily = ir::KernelFamily;
inline constexpr size_t kNumFamilies = ir::kNumKernelFamilies;

std::string_view family_name(KernelFamily family);  // "conv", "depthwise", "fc", ...
Result<KernelFamily> parse_family(std::string_view name);
std::array<KernelFamily, kNumFamilies> all_families();
// The family of a kernel whose anchor (first) op is `anchor` (the op table's kernel_family).
inline KernelFamily family_of(ir::OpKind anchor) { return ir::kernel_family(anchor); }

// What the target contributes to every kernel's features.
struct TargetContext {
  int threads = 1;
  // A GPU target (TFLite's GPU delegate, OpenCL, PyTorch Mobile's Vulkan or Metal): its
  // kernels carry the GPU-only features after the family's own (gpu_feature_names).
  bool gpu = false;
};
// Reads the thread count from a target config such as "xnnpack-t2-a0.1" (1 when absent) and
// whether it names a GPU ("gpu", "opencl…", "torch-vulkan", "torch-metal").
TargetContext target_context_from_config(std::string_view config);

// The names of a family's features, in vector order (the schema): the family's own, then on a
// GPU target the GPU-only ones.
const std::vector<std::string>& feature_names(KernelFamily family);
const std::vector<std::string>& feature_names(KernelFamily family, const TargetContext& target);
// The GPU-only features of a family. Channel alignment (conv and fc: the largest power of two,
// at most 32, dividing the input and the output channels): GPUs pack channels into 4-wide
// texels and threadgroups of 8-32, and PyTorch Mobile's Metal kernels fall off performance
// cliffs between neighbouring channel counts (docs/phones.md). "repeat" (every family): 1 when
// an identical kernel ran earlier in the network, 0 for the first (and a standalone kernel):
// Metal's first 256->256 3x3 convolution of a ResNet stalls 1.4-2x longer than its repeats.
const std::vector<std::string>& gpu_feature_names(KernelFamily family);
// stable_hash_hex over the schema name, version and every family's feature names.
const std::string& schema_hash();

struct KernelFeatures {
  KernelFamily family = KernelFamily::kOther;
  uint8_t count = 0;  // == feature_names(family).size()
  std::array<float, kMaxFeatures> values{};
  // Raw costs, also used by the baselines.
  int64_t macs = 0;
  int64_t bytes = 0;  // activation bytes in + out + weight bytes
  int64_t params = 0;
  int64_t weight_bytes = 0;

  std::span<const float> view() const { return {values.data(), count}; }
  // Hash of family and values, for de-duplicating identical kernels in a batch.
  uint64_t fingerprint() const;
};

// Features of `kernel` (anchor first) in `graph`, whose shapes must be inferred.
KernelFeatures extract_features(const ir::Graph& graph, const fusion::Kernel& kernel, const TargetContext& target);
KernelFeatures extract_features(const ir::Graph& graph, std::span<const ir::NodeId> kernel_nodes,
                                const TargetContext& target);
// Sets the GPU-only "repeat" feature of a network's kernels, listed in execution order: 1 for a
// kernel with the same features as an earlier one. Nothing on a target that is not a GPU.
void mark_repeated_kernels(std::span<KernelFeatures> network_kernels, const TargetContext& target);
// A 64-bit key of everything extract_features reads (ops, attributes, operand shapes and
// dtypes, which operands come from inside the kernel, the target): equal keys mean equal
// features up to a hash collision (~2^-64). Lets a batch extract each distinct kernel once.
uint64_t kernel_structure_key(const ir::Graph& graph, std::span<const ir::NodeId> kernel_nodes,
                              const TargetContext& target);

// Features of a standalone kernel graph (every node belongs to the kernel; the first node in
// topological order is the anchor), as stored by `nnlat profile kernels`.
Result<KernelFeatures> extract_kernel_graph_features(const ir::Graph& kernel_graph, const TargetContext& target);

}  // namespace nnlat::features
