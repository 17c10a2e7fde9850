// The graph of a block-space network (block_space.hpp), from the zoo's own block builders
// (classic_blocks.hpp, mobile_blocks.hpp) so that a generated shuffle unit or fire module is
// the very subgraph its zoo family runs.
#include <algorithm>
#include <string>

#include "models/nas/block_space.hpp"
#include "models/nas/nas_internal.hpp"
#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/mobile_blocks.hpp"

namespace nnlat::models::nas {
namespace {

using ir::Act;

// Block `i` of a stage; i == 0 halves the resolution.
ir::ValueId block(ir::GraphBuilder& b, ir::ValueId x, const BlockStage& s, int64_t i) {
  const int64_t stride = i == 0 ? 2 : 1;
  const int64_t c = s.channels;
  switch (s.kind) {
    case BlockKind::kShuffle:
      return shuffle_unit(b, x, c, stride, s.kernel);
    case BlockKind::kGrouped:
      return x_block(b, x, c, stride, s.groups);
    case BlockKind::kFire:
      if (i == 0) x = b.max_pool(x, 3, 2, 1);
      return fire_module(b, x, c / s.squeeze, c / 2);
    case BlockKind::kInception:
      // The proportions of GoogLeNet's inception 3a (64, 96, 128, 16, 32, 32 of 256).
      if (i == 0) x = b.max_pool(x, 3, 2, 1);
      return inception_module(b, x, {c / 4, 3 * c / 8, c / 2, c / 16, c / 8, c / 8});
    case BlockKind::kSe:
    case BlockKind::kLargeDw: {
      MBConv m{b.channels(x) * s.expansion, c, s.kernel, stride, s.act};
      if (s.kind == BlockKind::kSe) {
        // The gates of the families that use each activation: MobileNetV3 (hard-swish, hard
        // sigmoid gate), EfficientNet (swish inside, sigmoid gate), MnasNet (ReLU, sigmoid).
        m.se_reduced = std::max<int64_t>(1, m.expanded / s.reduction);
        m.se_inner = s.act == Act::kSwish ? Act::kSwish : Act::kRelu;
        m.se_gate = s.act == Act::kHardSwish ? Act::kHardSigmoid : Act::kSigmoid;
      }
      return mbconv(b, x, m);
    }
    case BlockKind::kDense:
      break;  // a dense stage is built as a whole (dense_stage)
  }
  throw ir::BuildError("block space: unexpected block kind");
}

// Transition (1x1 to c, 2x2/2 average pool), then `depth` layers each reading the
// concatenation of all earlier maps, then that concatenation.
ir::ValueId dense_stage(ir::GraphBuilder& b, ir::ValueId x, const BlockStage& s) {
  x = dense_transition(b, x, s.channels);
  std::vector<ir::ValueId> features = {x};
  for (int64_t i = 0; i < s.depth; ++i) features.push_back(dense_layer(b, features, s.growth));
  return b.concat(features);
}

}  // namespace

Result<ir::Graph> blocks_build(std::string_view space, const std::string& canonical, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(const BlockNet net, parse_block_net(space, canonical));
  const int64_t res = options.resolution > 0 ? options.resolution : net.resolution;
  const int64_t classes = options.num_classes > 0 ? options.num_classes : 1000;
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b{std::string(space)};
    ir::ValueId x = b.input({1, 3, res, res});
    b.push_scope("stem");
    x = b.conv_bn_act(x, net.stem, 3, 2, 1, Act::kRelu);
    b.pop_scope();
    for (size_t st = 0; st < net.stages.size(); ++st) {
      const BlockStage& s = net.stages[st];
      const std::string stage = "stage" + std::to_string(st + 1) + "." + std::string(block_kind_name(s.kind));
      if (s.kind == BlockKind::kDense) {
        b.push_scope(stage);
        x = dense_stage(b, x, s);
        b.pop_scope();
        continue;
      }
      for (int64_t i = 0; i < s.depth; ++i) {
        b.push_scope(stage + std::to_string(i));
        x = block(b, x, s, i);
        b.pop_scope();
      }
    }
    b.push_scope("head");
    if (net.head > 0) x = b.conv_bn_act(x, net.head, 1, 1, 1, Act::kRelu);
    x = b.classifier(x, classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models::nas
