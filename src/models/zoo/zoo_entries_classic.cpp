// Classic zoo families with the figures their papers (or official releases) publish.
// torchvision's figures come from the weights' metadata ("_ops" in GMACs, which torchvision
// calls GFLOPS, and the exact "num_params"), as listed in the torchvision model docs.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"

namespace nnlat::models {

std::span<const ZooEntry> classic_zoo_entries() {
  static const ZooEntry entries[] = {
      {"resnet18", "ResNet", "residual network, 18 layers of basic blocks", 224, 1814.0, 11.689512,
       "He et al. 2016, Table 1 (1.8e9 FLOPs = multiply-adds); precise figures from torchvision docs, "
       "ResNet18_Weights.IMAGENET1K_V1: 1.814 GFLOPS, 11,689,512 params",
       build_resnet18},
      {"resnet34", "ResNet", "residual network, 34 layers of basic blocks", 224, 3664.0, 21.797672,
       "He et al. 2016, Table 1 (3.6e9 FLOPs = multiply-adds); precise figures from torchvision docs, "
       "ResNet34_Weights.IMAGENET1K_V1: 3.664 GFLOPS, 21,797,672 params",
       build_resnet34},
      {"resnet50", "ResNet", "residual network, 50 layers of bottleneck blocks (torchvision v1.5)", 224, 4089.0,
       25.557032,
       "torchvision docs, ResNet50_Weights.IMAGENET1K_V1: 4.089 GFLOPS, 25,557,032 params (stride on the 3x3 "
       "conv; He et al. 2016 Table 1 gives 3.8e9 for the original stride-on-1x1 variant)",
       build_resnet50},
      {"squeezenet1_1", "SqueezeNet", "fire modules (squeeze 1x1, expand 1x1 + 3x3), v1.1", 224, 349.0, 1.235496,
       "Iandola et al. 2016 with the official DeepScale v1.1 release (2.4x less computation than v1.0); "
       "precise figures from torchvision docs, SqueezeNet1_1_Weights.IMAGENET1K_V1: 0.349 GFLOPS, "
       "1,235,496 params",
       build_squeezenet1_1},
      {"shufflenet_v2", "ShuffleNetV2", "channel split, concat and channel shuffle units, 1.0x", 224, 145.0, 2.278604,
       "Ma et al. 2018, Table 5 (1x: 146M FLOPs = multiply-adds, 2.3M weights); precise figures from "
       "torchvision docs, ShuffleNet_V2_X1_0_Weights.IMAGENET1K_V1: 0.145 GFLOPS, 2,278,604 params",
       build_shufflenet_v2},
      {"regnetx_200mf", "RegNetX", "RegNetX 200MF: d=[1,1,4,7], w=[24,56,152,368], group width 8", 224, 200.0, 2.7,
       "Radosavovic et al. 2020, Appendix model table, and the pycls MODEL_ZOO.md (RegNetX-200MF: 0.2 B flops "
       "= multiply-adds, 2.7M params)",
       build_regnetx_200mf},
      {"regnetx_400mf", "RegNetX", "RegNetX 400MF: d=[1,2,7,12], w=[32,64,160,384], group width 16", 224, 400.0, 5.2,
       "Radosavovic et al. 2020, Appendix model table, and the pycls MODEL_ZOO.md (RegNetX-400MF: 0.4 B flops "
       "= multiply-adds, 5.2M params); torchvision's regnet_x_400mf (5.50M) rounds the last stage to 400",
       build_regnetx_400mf},
      {"densenet121", "DenseNet", "DenseNet-BC-121, growth rate 32", 224, 2834.0, 7.978856,
       "Huang et al. 2017, Table 1 (architecture; no exact figures); torchvision docs, "
       "DenseNet121_Weights.IMAGENET1K_V1: 2.834 GFLOPS, 7,978,856 params",
       build_densenet121},
      {"googlenet", "GoogLeNet", "Inception-v1 as in the paper (5x5 branches, no BN), no auxiliary heads", 224, 1586.0,
       6.999,
       "Szegedy et al. 2015, Table 1: its 'ops' column sums to 1502M, but the conv1 row (34M) is inconsistent "
       "with the stated 7x7/2 3->64 conv at 112x112 (118M); with conv1 recomputed the sum is 1586M (the text "
       "rounds to '1.5 billion multiply-adds'). Params 6.999M: OpenVINO Open Model Zoo googlenet-v1 spec for "
       "the BVLC Caffe reference release (the paper's table sums to the often-quoted 6.8M in units of 1024)",
       build_googlenet},
      {"inception_v3", "InceptionV3", "Inception-v3, 299x299, no auxiliary classifier", 299, 5713.0, 23.834568,
       "Szegedy et al. 2016 (architecture, ~5 billion multiply-adds); torchvision docs, "
       "Inception_V3_Weights.IMAGENET1K_V1: 5.713 GFLOPS and 27,161,264 params including the training-only "
       "AuxLogits head (3,326,696); 23,834,568 without it, as listed by osmr/imgclsmob (pytorchcv)",
       build_inception_v3},
  };
  return entries;
}

}  // namespace nnlat::models
