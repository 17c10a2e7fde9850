// Internal: the block spaces — random small networks built from the blocks that single zoo
// families bring, so that a predictor meets those blocks in training even when the family
// that brings them is held out (leave-one-family-out). Shared by the encoding
// (block_space_encoding.cpp), the graph (block_space_build.cpp) and the sampler
// (block_space_sample.cpp).
//
// Skeleton: input RxR, a 3x3/2 conv-BN-ReLU stem, one to eight stages that each halve the
// resolution at their start, then [1x1 conv-BN-ReLU to the head width] and a classifier.
// A stage is `depth` blocks of one kind:
//   shuffle    ShuffleNetV2 units (channel split, concat, channel shuffle), kxk depthwise
//   grouped    RegNetX X blocks with a grouped 3x3 of g groups
//   fire       SqueezeNet fire modules (squeeze c/q, expands c/2 + c/2) after a 3x3/2 max pool
//   dense      DenseNet transition (1x1 to c, 2x2/2 average pool) then layers of growth gr
//   inception  GoogLeNet modules (branch widths in the proportions of inception 3a) after
//              a 3x3/2 max pool
//   se         inverted residuals with squeeze-excite (reduction ratio r), kxk depthwise
//   largedw    inverted residuals without squeeze-excite, large kxk depthwise
//
// Encoding: "r160-s24-STAGE-...-STAGE-h1024" (resolution, stem width, stages, head width; h0:
// no head conv). A stage is its kind and its fields joined by '.', e.g. "shuffle.c116.d4.k3",
// "grouped.c96.d2.g12", "fire.c128.d2.q8", "dense.c64.d4.gr16", "inception.c128.d2",
// "se.c48.d3.k5.e4.r8.hswish", "largedw.c64.d2.k9.e3.relu". Every field of the kind is
// required, once, in any order; the canonical form lists them in the order above.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models::nas {

enum class BlockKind { kShuffle, kGrouped, kFire, kDense, kInception, kSe, kLargeDw };
inline constexpr int kBlockKinds = 7;

std::string_view block_kind_name(BlockKind kind);
// The one kind a single-kind space holds; nullopt for "mixed" (and non-block spaces).
std::optional<BlockKind> block_space_kind(std::string_view space);

struct BlockStage {
  BlockKind kind = BlockKind::kShuffle;
  int64_t channels = 0;          // c: the stage's width (dense: the transition's)
  int64_t depth = 0;             // d: blocks (dense: layers)
  int64_t kernel = 0;            // k: depthwise kernel (shuffle, se, largedw)
  int64_t expansion = 0;         // e: inverted-residual expansion (se, largedw)
  int64_t groups = 0;            // g: groups of the 3x3 (grouped)
  int64_t squeeze = 0;           // q: fire squeeze ratio, squeeze width c/q (fire)
  int64_t growth = 0;            // gr: dense growth rate (dense)
  int64_t reduction = 0;         // r: squeeze-excite reduction ratio (se)
  ir::Act act = ir::Act::kNone;  // relu | hswish | swish (se, largedw)
};

struct BlockNet {
  int64_t resolution = 0;
  int64_t stem = 0;
  int64_t head = 0;
  std::vector<BlockStage> stages;
};

// The canonical encoding.
std::string block_net_to_string(const BlockNet& net);
// Parses and checks an encoding for `space` (a single-kind space admits only its kind).
Result<BlockNet> parse_block_net(std::string_view space, std::string_view encoding);

}  // namespace nnlat::models::nas
