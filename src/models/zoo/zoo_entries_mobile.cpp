// Mobile-oriented zoo families with the figures their papers publish. Where a paper rounds
// or truncates, the citation names the more precise source used instead.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_mobile.hpp"

namespace nnlat::models {

std::span<const ZooEntry> mobile_zoo_entries() {
  static const ZooEntry entries[] = {
      {"mobilenet_v1", "MobileNetV1", "depthwise-separable convolutions", 224, 569.0, 4.2,
       "Howard et al. 2017 (arXiv:1704.04861), Table 8 (1.0 MobileNet-224: 569M mult-adds, 4.2M parameters; "
       "same as the 1.0 row of Table 6)",
       build_mobilenet_v1},
      {"mobilenet_v2", "MobileNetV2", "inverted residuals with linear bottlenecks", 224, 300.0, 3.47,
       "Sandler et al. 2018, Table 4 (300M MAdds); params 3.47M from the official TF-slim release table "
       "(the paper rounds to 3.4M)",
       build_mobilenet_v2},
      {"mobilenet_v3_large", "MobileNetV3", "searched inverted residuals with squeeze-excite and hard-swish", 224,
       219.0, 5.483032,
       "Howard et al. 2019 (ICCV), Table 3 (Large 1.0: 219M MAdds); params 5,483,032 from torchvision's "
       "mobilenet_v3_large documentation (the paper truncates to 5.4M)",
       build_mobilenet_v3_large},
      {"mobilenet_v3_small", "MobileNetV3", "searched inverted residuals with squeeze-excite and hard-swish", 224, 56.0,
       2.542856,
       "Howard et al. 2019 (ICCV), Table 3 (Small 1.0: 56M MAdds); params 2,542,856 from torchvision's "
       "mobilenet_v3_small documentation (the paper truncates to 2.5M)",
       build_mobilenet_v3_small},
      {"mnasnet_a1", "MnasNet", "platform-aware searched MBConv network with squeeze-excite", 224, 312.0, 3.9,
       "Tan et al. 2019 (CVPR), Table 1 (MnasNet-A1: 312M multiply-adds, 3.9M parameters)", build_mnasnet_a1},
      {"proxylessnas_mobile", "ProxylessNAS", "MBConv network searched directly for mobile latency", 224, 320.0,
       4.080512,
       "MACs: Cai et al. 2020 (Once-for-All, ICLR), Table 1 (ProxylessNAS: 320M MACs; the ProxylessNAS paper "
       "lists none); params 4,080,512: the official proxyless_mobile.config as counted in the imgclsmob "
       "(pytorchcv) model zoo",
       build_proxylessnas_mobile},
      {"efficientnet_b0", "EfficientNet", "compound-scaling baseline: MBConv with squeeze-excite and swish", 224, 390.0,
       5.3, "Tan & Le 2019 (ICML), Table 2 (EfficientNet-B0: 5.3M params, 0.39B FLOPs counted as multiply-adds)",
       build_efficientnet_b0},
      {"efficientnet_lite0", "EfficientNet-Lite", "EfficientNet-B0 without squeeze-excite, ReLU6, fixed stem/head", 224,
       385.0, 4.7,
       "params 4.7M: official TF release table (tensorflow/tpu models/official/efficientnet/lite/README.md); "
       "MACs 385M: conv/fc multiply-adds of that architecture as listed by d-li14/efficientnet-lite.pytorch "
       "(0.385 GFLOPs), because the release table's 407M MAdds counts more than conv/fc MACs (it exceeds "
       "B0's 0.39B though Lite0 is B0 minus squeeze-excite)",
       build_efficientnet_lite0},
      {"ghostnet", "GhostNet", "Ghost modules: half the features from cheap depthwise ops", 224, 141.0, 5.2,
       "Han et al. 2020 (CVPR), Table 7 (GhostNet 1.0x: 141M FLOPs counted as multiply-adds, 5.2M params)",
       build_ghostnet},
  };
  return entries;
}

}  // namespace nnlat::models
