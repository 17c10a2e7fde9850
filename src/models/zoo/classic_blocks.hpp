// Internal: the blocks that single zoo families bring (SqueezeNet's fire module, GoogLeNet's
// inception module, ShuffleNetV2's units, RegNetX's X block, DenseNet's layer and
// transition), written once here so that the zoo files and the block spaces that generate
// training networks from them (src/models/nas/block_space_build.cpp) build the same graphs.
// None pushes a scope: node names stay those of the caller's scope.
#pragma once

#include <cstdint>
#include <vector>

#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

// SqueezeNet fire module: 1x1 squeeze, then parallel 1x1 and 3x3 expands, concatenated;
// convs with bias and ReLU, no batch norm (as the official release).
inline ir::ValueId fire_module(ir::GraphBuilder& b, ir::ValueId x, int64_t squeeze, int64_t expand) {
  auto s = b.activation(b.conv(x, squeeze, 1, 1, 1, /*bias=*/true), ir::Act::kRelu);
  auto e1 = b.activation(b.conv(s, expand, 1, 1, 1, /*bias=*/true), ir::Act::kRelu);
  auto e3 = b.activation(b.conv(s, expand, 3, 1, 1, /*bias=*/true), ir::Act::kRelu);
  return b.concat({e1, e3});
}

// GoogLeNet inception module widths: the columns of the paper's Table 1.
struct InceptionWidths {
  int64_t c1, c3r, c3, c5r, c5, pool_proj;
};

inline ir::ValueId conv_bias_relu(ir::GraphBuilder& b, ir::ValueId x, int64_t out, int64_t kernel, int64_t stride = 1) {
  return b.activation(b.conv(x, out, kernel, stride, 1, /*bias=*/true), ir::Act::kRelu);
}

// Four branches (1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max pool -> 1x1), concatenated.
inline ir::ValueId inception_module(ir::GraphBuilder& b, ir::ValueId x, const InceptionWidths& w) {
  auto br1 = conv_bias_relu(b, x, w.c1, 1);
  auto br3 = conv_bias_relu(b, conv_bias_relu(b, x, w.c3r, 1), w.c3, 3);
  auto br5 = conv_bias_relu(b, conv_bias_relu(b, x, w.c5r, 1), w.c5, 5);
  auto brp = conv_bias_relu(b, b.max_pool(x, 3, 1, 1), w.pool_proj, 1);
  return b.concat({br1, br3, br5, brp});
}

// ShuffleNetV2 unit to `out` channels. Stride 1: channel split into halves, one half
// transformed (1x1, kxk depthwise, 1x1), concatenated with the other. Stride 2: the whole
// input in two branches (kxk/2 depthwise + 1x1; 1x1 + kxk/2 depthwise + 1x1). Both end with a
// channel shuffle of 2 groups.
inline ir::ValueId shuffle_unit(ir::GraphBuilder& b, ir::ValueId x, int64_t out, int64_t stride, int64_t kernel = 3) {
  const int64_t half = out / 2;
  if (stride != 1) {
    const int64_t in = b.channels(x);
    auto l = b.conv_bn_act(x, in, kernel, stride, in, ir::Act::kNone);
    l = b.conv_bn_act(l, half, 1, 1, 1, ir::Act::kRelu);
    auto r = b.conv_bn_act(x, half, 1, 1, 1, ir::Act::kRelu);
    r = b.conv_bn_act(r, half, kernel, stride, half, ir::Act::kNone);
    r = b.conv_bn_act(r, half, 1, 1, 1, ir::Act::kRelu);
    x = b.concat({l, r});
  } else {
    auto parts = b.split(x, {half, half});
    auto r = b.conv_bn_act(parts[1], half, 1, 1, 1, ir::Act::kRelu);
    r = b.conv_bn_act(r, half, kernel, 1, half, ir::Act::kNone);
    r = b.conv_bn_act(r, half, 1, 1, 1, ir::Act::kRelu);
    x = b.concat({parts[0], r});
  }
  return b.channel_shuffle(x, 2);
}

// RegNetX's X block (bottleneck ratio 1): 1x1 -> grouped 3x3 (`groups` groups, the stride on
// it) -> 1x1, a projection shortcut where the shape changes, ReLU after the residual add.
inline ir::ValueId x_block(ir::GraphBuilder& b, ir::ValueId x, int64_t w, int64_t stride, int64_t groups) {
  auto y = b.conv_bn_act(x, w, 1, 1, 1, ir::Act::kRelu);
  y = b.conv_bn_act(y, w, 3, stride, groups, ir::Act::kRelu);
  y = b.conv_bn_act(y, w, 1, 1, 1, ir::Act::kNone);
  ir::ValueId shortcut = x;
  if (stride != 1 || b.channels(x) != w) shortcut = b.conv_bn_act(x, w, 1, stride, 1, ir::Act::kNone);
  return b.activation(b.add(y, shortcut), ir::Act::kRelu);
}

// DenseNet-BC layer: reads the concatenation of all earlier feature maps of its block (one
// concat over the whole list, as torchvision), BN -> ReLU -> 1x1 to 4 x growth -> BN -> ReLU
// -> 3x3 to `growth`. Returns the new feature map (the caller appends it).
inline ir::ValueId dense_layer(ir::GraphBuilder& b, const std::vector<ir::ValueId>& features, int64_t growth) {
  auto y = features.size() == 1 ? features[0] : b.concat(features);
  y = b.activation(b.batch_norm(y), ir::Act::kRelu);
  y = b.conv(y, 4 * growth, 1);
  y = b.activation(b.batch_norm(y), ir::Act::kRelu);
  return b.conv(y, growth, 3);
}

// DenseNet transition: BN -> ReLU -> 1x1 to `out` -> 2x2/2 average pool.
inline ir::ValueId dense_transition(ir::GraphBuilder& b, ir::ValueId x, int64_t out) {
  x = b.activation(b.batch_norm(x), ir::Act::kRelu);
  x = b.conv(x, out, 1);
  return b.avg_pool(x, 2, 2);
}

}  // namespace nnlat::models
