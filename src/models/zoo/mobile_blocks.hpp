// Internal: the inverted-residual block (MobileNetV2's MBConv) shared by the searched mobile
// families (MnasNet, ProxylessNAS, MobileNetV3, EfficientNet). They differ only in kernel,
// activation, whether and how squeeze-excite is sized, and when the shortcut is taken, so
// one parametrised helper keeps each family file down to its published table.
#pragma once

#include <cstdint>

#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

struct MBConv {
  int64_t expanded;  // channels after the 1x1 expansion; equal to the input: no expansion conv
  int64_t out;       // channels after the linear 1x1 projection
  int64_t kernel;    // depthwise kernel
  int64_t stride;
  ir::Act act;
  int64_t se_reduced = 0;  // squeeze-excite bottleneck width; 0: no squeeze-excite
  ir::Act se_inner = ir::Act::kRelu;
  ir::Act se_gate = ir::Act::kSigmoid;
  bool skip = true;  // identity shortcut when stride is 1 and channels match ("noskip" disables)
};

// expand 1x1 (conv-bn-act) -> depthwise kxk (conv-bn-act) -> [squeeze-excite] -> project 1x1
// (conv-bn, linear) -> [+ input].
inline ir::ValueId mbconv(ir::GraphBuilder& b, ir::ValueId x, const MBConv& m) {
  const int64_t in = b.channels(x);
  ir::ValueId y = x;
  if (m.expanded != in) y = b.conv_bn_act(y, m.expanded, 1, 1, 1, m.act);
  y = b.conv_bn_act(y, m.expanded, m.kernel, m.stride, m.expanded, m.act);
  if (m.se_reduced > 0) y = b.squeeze_excite(y, m.se_reduced, m.se_inner, m.se_gate);
  y = b.conv_bn_act(y, m.out, 1, 1, 1, ir::Act::kNone);
  return (m.skip && m.stride == 1 && in == m.out) ? b.add(x, y) : y;
}

}  // namespace nnlat::models
