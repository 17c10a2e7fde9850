#include "nnlat/features/kernel_features.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <unordered_set>
#include <variant>

#include "nnlat/core/hash.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat::features {
namespace {

using ir::OpKind;

constexpr std::array<std::string_view, kNumFamilies> kFamilyNames = {
    "conv", "depthwise", "fc", "pool", "global_pool", "concat", "elementwise", "data_movement", "other"};

// Features every family starts with: what the target knows, the kernel's costs and its
// fused tail (DESIGN.md principle 5: the op table's cost rules are reused as features).
const std::vector<std::string> kCommon = {"threads",           "log2_macs",         "log2_input_bytes",
                                          "log2_weight_bytes", "log2_output_bytes", "arithmetic_intensity",
                                          "tail_ops",          "tail_binary_ops",   "tail_activation"};

std::vector<std::string> with_common(std::vector<std::string> specific) {
  std::vector<std::string> all = kCommon;
  all.insert(all.end(), specific.begin(), specific.end());
  return all;
}

const std::array<std::vector<std::string>, kNumFamilies>& gpu_schema() {
  static const std::array<std::vector<std::string>, kNumFamilies> kSchema = [] {
    std::array<std::vector<std::string>, kNumFamilies> all;
    for (auto& names : all) names = {"repeat"};
    all[static_cast<size_t>(KernelFamily::kConv)] = {"in_channels_alignment", "out_channels_alignment", "repeat"};
    all[static_cast<size_t>(KernelFamily::kFullyConnected)] = {"in_features_alignment", "out_features_alignment",
                                                               "repeat"};
    return all;
  }();
  return kSchema;
}

const std::array<std::vector<std::string>, kNumFamilies>& schema() {
  static const std::array<std::vector<std::string>, kNumFamilies> kSchema = {
      with_common({"in_channels", "out_channels", "in_h", "in_w", "out_h", "out_w", "kernel_h", "kernel_w", "stride",
                   "groups", "dilation"}),
      with_common({"channels", "in_h", "in_w", "out_h", "out_w", "kernel_h", "kernel_w", "stride", "multiplier"}),
      with_common({"in_features", "out_features", "rows"}),
      with_common({"op", "channels", "in_h", "in_w", "out_h", "out_w", "kernel_h", "kernel_w", "stride"}),
      with_common({"op", "channels", "in_h", "in_w"}),
      with_common({"inputs", "out_channels", "h", "w", "min_input_channels"}),
      with_common({"op", "log2_elements", "inputs", "broadcast"}),
      with_common({"op", "log2_in_elements", "log2_out_elements"}),
      with_common({"op", "log2_in_elements", "log2_out_elements"}),
  };
  return kSchema;
}

const std::array<std::vector<std::string>, kNumFamilies>& schema_on_gpu() {
  static const std::array<std::vector<std::string>, kNumFamilies> kSchema = [] {
    std::array<std::vector<std::string>, kNumFamilies> all = schema();
    for (size_t f = 0; f < kNumFamilies; ++f) {
      all[f].insert(all[f].end(), gpu_schema()[f].begin(), gpu_schema()[f].end());
    }
    return all;
  }();
  return kSchema;
}

// The largest power of two dividing a channel count, at most 32 (as its exponent, 0-5).
int64_t alignment_log2(int64_t channels) {
  return std::min<int64_t>(std::countr_zero(static_cast<uint64_t>(std::max<int64_t>(channels, 0))), 5);
}

float log2p(int64_t x) { return static_cast<float>(std::log2(1.0 + static_cast<double>(std::max<int64_t>(x, 0)))); }

// The op table's activation class as a feature value: 0 none, 1 min/max clamp, 2
// piecewise-linear (hard-swish/sigmoid), 3 transcendental.
float activation_code(OpKind op) { return static_cast<float>(ir::activation_class(op)); }

int64_t dim(const ir::Shape& s, size_t i) { return i < s.size() ? s[i] : 1; }

class Writer {
 public:
  explicit Writer(KernelFeatures& f) : f_(f) {}
  void add(double v) { f_.values[f_.count++] = static_cast<float>(v); }
  void add_int(int64_t v) { add(static_cast<double>(v)); }

 private:
  KernelFeatures& f_;
};

}  // namespace

std::string_view family_name(KernelFamily family) { return kFamilyNames[static_cast<size_t>(family)]; }

Result<KernelFamily> parse_family(std::string_view name) {
  for (size_t i = 0; i < kNumFamilies; ++i) {
    if (kFamilyNames[i] == name) return static_cast<KernelFamily>(i);
  }
  return make_error(ErrorCode::kInvalidArgument, "unknown kernel family '" + std::string(name) + "'");
}

std::array<KernelFamily, kNumFamilies> all_families() {
  std::array<KernelFamily, kNumFamilies> out{};
  for (size_t i = 0; i < kNumFamilies; ++i) out[i] = static_cast<KernelFamily>(i);
  return out;
}

const std::vector<std::string>& feature_names(KernelFamily family) { return schema()[static_cast<size_t>(family)]; }

const std::vector<std::string>& feature_names(KernelFamily family, const TargetContext& target) {
  return (target.gpu ? schema_on_gpu() : schema())[static_cast<size_t>(family)];
}

const std::vector<std::string>& gpu_feature_names(KernelFamily family) {
  return gpu_schema()[static_cast<size_t>(family)];
}

const std::string& schema_hash() {
  static const std::string kHash = [] {
    std::string text = std::string(kSchemaName) + "/" + std::to_string(kSchemaVersion);
    for (auto f : all_families()) {
      text += "|" + std::string(family_name(f)) + ":";
      for (const auto& n : feature_names(f)) text += n + ",";
      text += "gpu:";
      for (const auto& n : gpu_feature_names(f)) text += n + ",";
    }
    // Op codes are feature values: the op table's order is part of the schema.
    text += "|ops:";
    for (const auto& info : ir::all_ops()) text += std::string(info.name) + ",";
    return stable_hash_hex(text);
  }();
  return kHash;
}

TargetContext target_context_from_config(std::string_view config) {
  TargetContext ctx;
  // Config parts are dash-separated: "xnnpack-t2-a0.1", "opencl-pocl", "4small".
  size_t pos = 0;
  while (pos <= config.size()) {
    const size_t end = std::min(config.find('-', pos), config.size());
    const std::string_view part = config.substr(pos, end - pos);
    if (part.size() > 1 && part[0] == 't' &&
        std::all_of(part.begin() + 1, part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ctx.threads = std::stoi(std::string(part.substr(1)));
    }
    pos = end + 1;
  }
  ctx.gpu = config == "gpu" || config.starts_with("opencl") || config == "torch-vulkan" || config == "torch-metal";
  return ctx;
}

uint64_t KernelFeatures::fingerprint() const {
  // Word-wise mixing (splitmix64 finaliser) over the family and the raw float bits: identical
  // kernels give identical bits, and a batch hashes hundreds of kernels per network.
  const auto mix = splitmix64_mix;
  uint64_t h = mix(static_cast<uint64_t>(family) + kSplitmix64Increment * (count + 1));
  for (size_t i = 0; i < count; i += 2) {
    uint32_t a = 0;
    uint32_t b = 0;
    std::memcpy(&a, &values[i], sizeof a);
    if (i + 1 < count) std::memcpy(&b, &values[i + 1], sizeof b);
    h = mix(h ^ ((static_cast<uint64_t>(a) << 32) | b));
  }
  return h;
}

KernelFeatures extract_features(const ir::Graph& graph, const fusion::Kernel& kernel, const TargetContext& target) {
  return extract_features(graph, kernel.nodes, target);
}

KernelFeatures extract_features(const ir::Graph& graph, std::span<const ir::NodeId> nodes,
                                const TargetContext& target) {
  KernelFeatures f;
  const ir::Node& anchor = graph.node(nodes.front());
  f.family = family_of(anchor.op);

  // Kernel-level costs: MACs and weights summed over the fused ops; activations read are the
  // anchor's inputs plus tensors the tail reads from outside the kernel (a residual add's
  // other operand); written is only the last op's output (intermediates stay in registers).
  int64_t macs = 0;
  int64_t weight_bytes = 0;
  int64_t input_bytes = 0;
  int tail_binary = 0;
  float tail_activation = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node& node = graph.node(nodes[i]);
    const ir::OpCost c = ir::node_cost(graph, nodes[i]);
    macs += c.macs;
    weight_bytes += c.weight_bytes;
    f.params += c.params;
    for (ir::ValueId v : node.inputs) {
      const auto& value = graph.value(v);
      const bool internal = i > 0 && value.producer &&
                            std::find(nodes.begin(), nodes.begin() + static_cast<long>(i), *value.producer) !=
                                nodes.begin() + static_cast<long>(i);
      if (!internal) input_bytes += ir::num_elements(value.shape) * ir::dtype_size(value.dtype);
    }
    if (i > 0) {
      if (ir::has_trait(node.op, ir::OpTrait::kBinary)) ++tail_binary;
      const float code = activation_code(node.op);
      if (code > 0) tail_activation = code;
    }
  }
  const ir::Node& last = graph.node(nodes.back());
  int64_t output_bytes = 0;
  for (ir::ValueId v : last.outputs) {
    output_bytes += ir::num_elements(graph.value(v).shape) * ir::dtype_size(graph.value(v).dtype);
  }
  f.macs = macs;
  f.bytes = input_bytes + output_bytes + weight_bytes;
  f.weight_bytes = weight_bytes;

  Writer w(f);
  w.add_int(target.threads);
  w.add(log2p(macs));
  w.add(log2p(input_bytes));
  w.add(log2p(weight_bytes));
  w.add(log2p(output_bytes));
  w.add(f.bytes > 0 ? static_cast<double>(macs) / static_cast<double>(f.bytes) : 0.0);
  w.add_int(static_cast<int64_t>(nodes.size()) - 1);
  w.add_int(tail_binary);
  w.add(tail_activation);

  const ir::Shape& in = graph.value(anchor.inputs.front()).shape;
  const ir::Shape& out = graph.value(anchor.outputs.front()).shape;
  // Window sizes read in place (kernel, stride, dilation; the padding is already in the
  // output shape): resolve_window would also parse the padding, on the hot path of NAS scoring.
  struct Window {
    int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, dilation_h = 1;
  };
  const auto window = [&]() {
    auto first_two = [&](const char* name, int64_t& a, int64_t* b) {
      const auto* v = ir::find_ints(anchor.attrs, name);
      if (!v || v->empty()) return;
      a = (*v)[0];
      if (b) *b = v->size() > 1 ? (*v)[1] : (*v)[0];
    };
    Window win;
    first_two("kernel", win.kernel_h, &win.kernel_w);
    first_two("stride", win.stride_h, nullptr);
    first_two("dilation", win.dilation_h, nullptr);
    return win;
  };

  const int64_t in_elements = ir::num_elements(in);
  const int64_t out_elements = ir::num_elements(out);
  switch (f.family) {
    case KernelFamily::kConv: {
      const auto win = window();
      w.add_int(dim(in, 1));
      w.add_int(dim(out, 1));
      w.add_int(dim(in, 2));
      w.add_int(dim(in, 3));
      w.add_int(dim(out, 2));
      w.add_int(dim(out, 3));
      w.add_int(win.kernel_h);
      w.add_int(win.kernel_w);
      w.add_int(win.stride_h);
      w.add_int(anchor.attr_int("groups"));
      w.add_int(win.dilation_h);
      if (target.gpu) {
        w.add_int(alignment_log2(dim(in, 1)));
        w.add_int(alignment_log2(dim(out, 1)));
      }
      break;
    }
    case KernelFamily::kDepthwise: {
      const auto win = window();
      w.add_int(dim(in, 1));
      w.add_int(dim(in, 2));
      w.add_int(dim(in, 3));
      w.add_int(dim(out, 2));
      w.add_int(dim(out, 3));
      w.add_int(win.kernel_h);
      w.add_int(win.kernel_w);
      w.add_int(win.stride_h);
      w.add_int(anchor.attr_int("multiplier"));
      break;
    }
    case KernelFamily::kFullyConnected: {
      const int64_t k = in.empty() ? 1 : in.back();
      const int64_t n = out.empty() ? 1 : out.back();
      w.add_int(k);
      w.add_int(n);
      w.add_int(k > 0 ? in_elements / k : 0);
      if (target.gpu) {
        w.add_int(alignment_log2(k));
        w.add_int(alignment_log2(n));
      }
      break;
    }
    case KernelFamily::kPool: {
      const auto win = window();
      w.add_int(static_cast<int64_t>(anchor.op));
      w.add_int(dim(in, 1));
      w.add_int(dim(in, 2));
      w.add_int(dim(in, 3));
      w.add_int(dim(out, 2));
      w.add_int(dim(out, 3));
      w.add_int(win.kernel_h);
      w.add_int(win.kernel_w);
      w.add_int(win.stride_h);
      break;
    }
    case KernelFamily::kGlobalPool:
      w.add_int(static_cast<int64_t>(anchor.op));
      w.add_int(dim(in, 1));
      w.add_int(dim(in, 2));
      w.add_int(dim(in, 3));
      break;
    case KernelFamily::kConcat: {
      int64_t min_channels = dim(out, 1);
      for (ir::ValueId v : anchor.inputs) min_channels = std::min(min_channels, dim(graph.value(v).shape, 1));
      w.add_int(static_cast<int64_t>(anchor.inputs.size()));
      w.add_int(dim(out, 1));
      w.add_int(dim(out, 2));
      w.add_int(dim(out, 3));
      w.add_int(min_channels);
      break;
    }
    case KernelFamily::kElementwise: {
      bool broadcast = false;
      for (ir::ValueId v : anchor.inputs) broadcast |= ir::num_elements(graph.value(v).shape) != out_elements;
      w.add_int(static_cast<int64_t>(anchor.op));
      w.add(log2p(out_elements));
      w.add_int(static_cast<int64_t>(anchor.inputs.size()));
      w.add_int(broadcast ? 1 : 0);
      break;
    }
    case KernelFamily::kDataMovement:
    case KernelFamily::kOther:
      w.add_int(static_cast<int64_t>(anchor.op));
      w.add(log2p(in_elements));
      w.add(log2p(out_elements));
      break;
  }
  if (target.gpu) w.add_int(0);  // "repeat": set by mark_repeated_kernels, which sees the network
  return f;
}

void mark_repeated_kernels(std::span<KernelFeatures> network_kernels, const TargetContext& target) {
  if (!target.gpu) return;
  // Every kernel's "repeat" is still 0 here, so equal fingerprints mean equal features.
  std::unordered_set<uint64_t> seen;
  for (KernelFeatures& f : network_kernels) {
    const bool repeat = !seen.insert(f.fingerprint()).second;
    f.values[f.count - 1] = repeat ? 1.0f : 0.0f;
  }
}

namespace {

struct KeyHasher {
  // One xor-multiply per 64-bit word (FNV-style) and a single avalanche at the end: the key is
  // computed for every kernel of every network in a batch, so per-word cost is what counts.
  uint64_t h = 0xcbf29ce484222325ull;
  void mix(uint64_t v) { h = (h ^ v) * 0x100000001b3ull; }
  void mix_bytes(std::string_view bytes) {
    mix(bytes.size());
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, bytes.data() + i, 8);
      mix(word);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    mix(tail);
  }
  void mix_shape(const ir::Shape& shape) {
    mix(shape.size());
    for (int64_t d : shape) mix(static_cast<uint64_t>(d));
  }
  uint64_t finish() const { return splitmix64_mix(h); }
};

}  // namespace

uint64_t kernel_structure_key(const ir::Graph& graph, std::span<const ir::NodeId> nodes, const TargetContext& target) {
  KeyHasher k;
  k.mix(static_cast<uint64_t>(target.threads));
  k.mix(target.gpu ? 1 : 0);
  k.mix(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node& node = graph.node(nodes[i]);
    k.mix(static_cast<uint64_t>(node.op));
    k.mix(node.attrs.size());
    for (const auto& [name, value] : node.attrs) {
      k.mix_bytes(name);
      k.mix(value.index());
      std::visit(
          [&k](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) {
              k.mix(static_cast<uint64_t>(v));
            } else if constexpr (std::is_same_v<T, double>) {
              uint64_t bits = 0;
              std::memcpy(&bits, &v, sizeof bits);
              k.mix(bits);
            } else if constexpr (std::is_same_v<T, std::string>) {
              k.mix_bytes(v);
            } else {
              k.mix(v.size());
              for (const auto& x : v) {
                uint64_t bits = 0;
                std::memcpy(&bits, &x, sizeof bits);
                k.mix(bits);
              }
            }
          },
          value);
    }
    for (ir::ValueId v : node.inputs) {
      const ir::Value& value = graph.value(v);
      // Which earlier kernel node produced it (0: outside the kernel).
      uint64_t inside = 0;
      for (size_t j = 0; j < i; ++j) {
        if (value.producer && *value.producer == nodes[j]) inside = j + 1;
      }
      k.mix(inside);
      k.mix(static_cast<uint64_t>(value.dtype));
      k.mix_shape(value.shape);
    }
    for (ir::ValueId v : node.outputs) {
      k.mix(static_cast<uint64_t>(graph.value(v).dtype));
      k.mix_shape(graph.value(v).shape);
    }
  }
  return k.finish();
}

Result<KernelFeatures> extract_kernel_graph_features(const ir::Graph& kernel_graph, const TargetContext& target) {
  NNLAT_ASSIGN_OR_RETURN(auto order, kernel_graph.topological_order());
  if (order.empty()) return make_error(ErrorCode::kGraphError, "kernel graph '" + kernel_graph.name + "' is empty");
  fusion::Kernel kernel;
  kernel.name = kernel_graph.node(order.front()).name;
  kernel.type = std::string(ir::op_name(kernel_graph.node(order.front()).op));
  kernel.nodes = std::move(order);
  return extract_features(kernel_graph, kernel, target);
}

}  // namespace nnlat::features
