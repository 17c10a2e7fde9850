// A MobileNetV2 / ProxylessNAS / FBNet-style block space with MobileNetV3 options.
//
// Skeleton (fixed): the MobileNetV2 network at 224x224 -- stem 3x3 conv stride 2 to 32
// channels + BN + ReLU6, a fixed first block (3x3 depthwise, expansion 1, to 16 channels),
// then 16 searchable layers in six stages (output channels x layers, first stride):
// 24x2 s2, 32x3 s2, 64x4 s2, 96x3 s1, 160x3 s2, 320x1 s1; head 1x1 conv to 1280 + BN +
// ReLU6, global average pool, fully connected (1000 classes).
//
// Encoding: 16 layer tokens joined by '-', e.g. "k3e6-skip-k5e3se-...". A token is
//   kKeE[se][hs]   inverted residual: 1x1 expand to E x input channels (none for E = 1),
//                  KxK depthwise (stride of the layer), [se: squeeze-excite on the expanded
//                  channels, reduction to make_divisible(expanded / 4, 8), ReLU, hard
//                  sigmoid, as MobileNetV3], 1x1 linear projection; every conv is followed
//                  by BN, the two first by ReLU6, or hard-swish with [hs]; a residual add
//                  when stride is 1 and channels match. K in {3, 5, 7}, E in {1, 3, 6}.
//   skip           identity; only on a layer that is not the first of its stage (stride 1,
//                  same channels).
// Canonical: lowercase tokens with the flags in the order "se" then "hs".
// The encoding of all "k3e6" tokens is MobileNetV2 (1.0, 224) exactly.
#include <array>
#include <unordered_set>

#include "models/nas/nas_internal.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models::nas {
namespace {

struct Stage {
  int64_t channels, layers, stride;
};
constexpr std::array<Stage, 6> kStages = {{{24, 2, 2}, {32, 3, 2}, {64, 4, 2}, {96, 3, 1}, {160, 3, 2}, {320, 1, 1}}};
constexpr int kNumLayers = 16;

struct LayerSlot {
  int stage;
  int64_t channels;
  int64_t stride;
  bool skippable;
};

std::array<LayerSlot, kNumLayers> layer_slots() {
  std::array<LayerSlot, kNumLayers> slots{};
  int i = 0;
  for (int s = 0; s < static_cast<int>(kStages.size()); ++s) {
    for (int64_t l = 0; l < kStages[s].layers; ++l) {
      slots[i++] = {s, kStages[s].channels, l == 0 ? kStages[s].stride : 1, l > 0};
    }
  }
  return slots;
}

struct Layer {
  bool skip = false;
  int64_t kernel = 3;
  int64_t expansion = 6;
  bool se = false;
  bool hswish = false;
};

std::string to_string(const Layer& l) {
  if (l.skip) return "skip";
  std::string s = "k";
  s += static_cast<char>('0' + l.kernel);
  s += 'e';
  s += static_cast<char>('0' + l.expansion);
  if (l.se) s.append("se");
  if (l.hswish) s.append("hs");
  return s;
}

std::string to_string(const std::array<Layer, kNumLayers>& layers) {
  std::string s;
  for (int i = 0; i < kNumLayers; ++i) {
    if (i) s.push_back('-');
    s.append(to_string(layers[i]));
  }
  return s;
}

Result<Layer> parse_token(std::string_view t, const LayerSlot& slot, int index) {
  const std::string where = "layer " + std::to_string(index) + " (stage " + std::to_string(slot.stage) + ", " +
                            std::to_string(slot.channels) + " channels, stride " + std::to_string(slot.stride) + ") '" +
                            std::string(t) + "'";
  Layer l;
  if (t == "skip") {
    if (!slot.skippable) {
      return invalid(where +
                     ": 'skip' is allowed only on a stride-1 layer whose input and output channels match "
                     "(not the first layer of a stage)");
    }
    l.skip = true;
    return l;
  }
  if (t.size() < 4 || t[0] != 'k' || t[2] != 'e') {
    return invalid(where + ": expected 'skip' or 'k<3|5|7>e<1|3|6>[se][hs]'");
  }
  if (t[1] != '3' && t[1] != '5' && t[1] != '7') return invalid(where + ": kernel must be 3, 5 or 7");
  if (t[3] != '1' && t[3] != '3' && t[3] != '6') return invalid(where + ": expansion must be 1, 3 or 6");
  l.kernel = t[1] - '0';
  l.expansion = t[3] - '0';
  std::string_view rest = t.substr(4);
  while (!rest.empty()) {
    const std::string_view flag = rest.substr(0, 2);
    if (flag == "se" && !l.se) {
      l.se = true;
    } else if (flag == "hs" && !l.hswish) {
      l.hswish = true;
    } else {
      return invalid(where + ": unknown or repeated flag '" + std::string(rest) + "' (se, hs)");
    }
    rest = rest.substr(flag.size());
  }
  return l;
}

Result<std::array<Layer, kNumLayers>> parse(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  for (;;) {
    const size_t dash = text.find('-', start);
    tokens.push_back(text.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (static_cast<int>(tokens.size()) != kNumLayers) {
    return invalid("expected " + std::to_string(kNumLayers) + " layer tokens joined by '-', got " +
                   std::to_string(tokens.size()) + " (e.g. 'k3e6-skip-k5e3se-...')");
  }
  const auto slots = layer_slots();
  std::array<Layer, kNumLayers> layers;
  for (int i = 0; i < kNumLayers; ++i) {
    NNLAT_ASSIGN_OR_RETURN(layers[i], parse_token(tokens[i], slots[i], i));
  }
  return layers;
}

ir::ValueId inverted_residual(ir::GraphBuilder& b, ir::ValueId x, const Layer& l, int64_t out, int64_t stride) {
  const ir::Act act = l.hswish ? ir::Act::kHardSwish : ir::Act::kRelu6;
  const int64_t in = b.channels(x);
  ir::ValueId y = x;
  if (l.expansion != 1) y = b.conv_bn_act(y, in * l.expansion, 1, 1, 1, act);
  const int64_t mid = b.channels(y);
  y = b.conv_bn_act(y, mid, l.kernel, stride, mid, act);
  if (l.se) {
    y = b.squeeze_excite(y, make_divisible(static_cast<double>(mid / 4), 8), ir::Act::kRelu, ir::Act::kHardSigmoid);
  }
  y = b.conv_bn_act(y, out, 1, 1, 1, ir::Act::kNone);
  return (stride == 1 && in == out) ? b.add(x, y) : y;
}

// The fixed stem (3×3 conv, stride 2) and first block, in scopes "stem" and "first": one
// definition for the whole network and for the segment the fast path splices it from.
ir::ValueId stem_and_first_block(ir::GraphBuilder& b, ir::ValueId x) {
  b.push_scope("stem");
  x = b.conv_bn_act(x, 32, 3, 2, 1, ir::Act::kRelu6);
  b.pop_scope();
  b.push_scope("first");
  x = inverted_residual(b, x, Layer{false, 3, 1, false, false}, 16, 1);
  b.pop_scope();
  return x;
}

}  // namespace

Result<std::string> mbv2_canonicalize(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(auto layers, parse(encoding));
  return to_string(layers);
}

Result<ir::Graph> mbv2_build(const std::string& canonical, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(auto layers, parse(canonical));
  const int64_t res = options.resolution > 0 ? options.resolution : 224;
  const int64_t classes = options.num_classes > 0 ? options.num_classes : 1000;
  const auto slots = layer_slots();
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("mbv2");
    ir::ValueId x = stem_and_first_block(b, b.input({1, 3, res, res}));
    for (int i = 0; i < kNumLayers; ++i) {
      if (layers[i].skip) continue;
      b.push_scope("layer" + std::to_string(i));
      x = inverted_residual(b, x, layers[i], slots[i].channels, slots[i].stride);
      b.pop_scope();
    }
    b.push_scope("head");
    x = b.conv_bn_act(x, 1280, 1, 1, 1, ir::Act::kRelu6);
    x = b.classifier(x, classes);
    b.pop_scope();
    return b.finish({x});
  });
}

Result<std::vector<std::string>> mbv2_segments(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(auto layers, parse(encoding));
  std::vector<std::string> keys;
  keys.reserve(kNumLayers + 2);
  keys.emplace_back("stem");
  for (int i = 0; i < kNumLayers; ++i) {
    if (!layers[i].skip) keys.push_back(std::to_string(i) + ":" + to_string(layers[i]));
  }
  keys.emplace_back("head");
  return keys;
}

Result<ir::Graph> mbv2_build_segment(std::string_view segment) {
  // The input each part sees inside the default network (224x224): the stem halves the
  // resolution, every layer's stride divides it, and a skipped layer keeps the shape.
  const auto slots = layer_slots();
  int64_t channels = 16;
  int64_t size = 224 / 2;
  int index = kNumLayers;  // "head": after every layer
  Layer layer;
  if (segment != "stem" && segment != "head") {
    const size_t colon = segment.find(':');
    int parsed = -1;
    if (colon != std::string_view::npos && colon > 0 && colon <= 2) {
      parsed = 0;
      for (char c : segment.substr(0, colon)) parsed = c >= '0' && c <= '9' ? parsed * 10 + (c - '0') : -1000;
    }
    if (parsed < 0 || parsed >= kNumLayers) return invalid("expected stem, head or INDEX:TOKEN");
    index = parsed;
    NNLAT_ASSIGN_OR_RETURN(layer, parse_token(segment.substr(colon + 1), slots[index], index));
    if (layer.skip) return invalid("a skipped layer has no graph");
  }
  for (int i = 0; i < index; ++i) {
    size /= slots[i].stride;
    channels = slots[i].channels;
  }
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("mbv2-segment");
    if (segment == "stem") {
      return b.finish({stem_and_first_block(b, b.input({1, 3, 224, 224}))});
    }
    ir::ValueId x = b.input({1, channels, size, size});
    if (segment == "head") {
      b.push_scope("head");
      x = b.conv_bn_act(x, 1280, 1, 1, 1, ir::Act::kRelu6);
      x = b.classifier(x, 1000);
      b.pop_scope();
      return b.finish({x});
    }
    b.push_scope("layer" + std::to_string(index));
    x = inverted_residual(b, x, layer, slots[index].channels, slots[index].stride);
    b.pop_scope();
    return b.finish({x});
  });
}

Result<std::vector<std::string>> mbv2_sample(int64_t n, uint64_t seed) {
  // Each layer uniform over its choices: 36 blocks (3 kernels x 3 expansions x se x hs),
  // plus 'skip' where allowed. 36^6 * 37^10 architectures, so n never exhausts the space.
  std::mt19937_64 rng(seed);
  const auto slots = layer_slots();
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  const int64_t max_draws = 100 * n + 1000;
  for (int64_t draw = 0; draw < max_draws && static_cast<int64_t>(out.size()) < n; ++draw) {
    std::array<Layer, kNumLayers> layers;
    for (int i = 0; i < kNumLayers; ++i) {
      const uint64_t choice = uniform_below(rng, slots[i].skippable ? 37 : 36);
      Layer& l = layers[i];
      if (choice == 36) {
        l.skip = true;
        continue;
      }
      constexpr int64_t kKernels[] = {3, 5, 7};
      constexpr int64_t kExpansions[] = {1, 3, 6};
      l.kernel = kKernels[choice % 3];
      l.expansion = kExpansions[(choice / 3) % 3];
      l.se = (choice / 9) % 2 == 1;
      l.hswish = choice / 18 == 1;
    }
    std::string enc = to_string(layers);
    if (seen.insert(enc).second) out.push_back(std::move(enc));
  }
  if (static_cast<int64_t>(out.size()) < n) {
    return make_error(ErrorCode::kInternal, "mbv2: sampler found too few distinct architectures");
  }
  return out;
}

}  // namespace nnlat::models::nas
