// DenseNet-121 (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017),
// Table 1 of the paper: DenseNet-BC with growth rate k = 32, bottleneck width 4k,
// compression 0.5, blocks of 6/12/24/16 layers, a 7x7/2 stem with 2k = 64 channels.
//
// Layers are pre-activation (BN -> ReLU -> conv). Each layer reads the concatenation of all
// earlier feature maps of its block, emitted as one concat per layer over the whole list,
// which is what torchvision (and its ONNX export) does; the concat is real memory traffic
// that a latency model must see.
#include <string>
#include <vector>

#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_densenet121(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("densenet121");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // The width multiplier scales the growth rate (and with it every layer's width).
    const int64_t growth = make_divisible(32.0 * p.width, 4);

    b.push_scope("stem");
    x = b.conv_bn_act(x, 2 * growth, 7, 2, 1, Act::kRelu);
    x = b.max_pool(x, 3, 2, 1);
    b.pop_scope();

    const int64_t blocks[4] = {6, 12, 24, 16};
    for (int block = 0; block < 4; ++block) {
      std::vector<ir::ValueId> features = {x};
      for (int64_t i = 0; i < blocks[block]; ++i) {
        b.push_scope("block" + std::to_string(block + 1) + ".layer" + std::to_string(i + 1));
        features.push_back(dense_layer(b, features, growth));
        b.pop_scope();
      }
      x = b.concat(features);
      if (block < 3) {
        b.push_scope("transition" + std::to_string(block + 1));
        x = dense_transition(b, x, b.channels(x) / 2);  // compression 0.5
        b.pop_scope();
      }
    }

    b.push_scope("head");
    x = b.activation(b.batch_norm(x), Act::kRelu);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
