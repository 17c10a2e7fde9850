// Hybrid convolution-transformer zoo families with the figures their papers (or official
// releases) publish. Where a paper rounds, the citation names the more precise source used.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_hybrid_transformer.hpp"

namespace nnlat::models {

std::span<const ZooEntry> hybrid_transformer_zoo_entries() {
  static const ZooEntry entries[] = {
      {"levit_128s", "LeViT", "conv stem, attention on shrinking token grids, BN-linears, hardswish", 224, 305.0, 7.8,
       "Graham et al. 2021 (ICCV), Table 3 (LeViT-128S: 305M FLOPs counted as multiply-adds, 7.8M params, "
       "distillation head included)",
       build_levit_128s},
      {"levit_128", "LeViT", "conv stem, attention on shrinking token grids, BN-linears, hardswish", 224, 406.0, 9.2,
       "Graham et al. 2021 (ICCV), Table 3 (LeViT-128: 406M FLOPs counted as multiply-adds, 9.2M params)",
       build_levit_128},
      {"levit_192", "LeViT", "conv stem, attention on shrinking token grids, BN-linears, hardswish", 224, 658.0, 11.0,
       "Graham et al. 2021 (ICCV), Table 3 (LeViT-192: 658M FLOPs counted as multiply-adds, 11.0M params)",
       build_levit_192},
      {"levit_256", "LeViT", "conv stem, attention on shrinking token grids, BN-linears, hardswish", 224, 1120.0, 18.9,
       "Graham et al. 2021 (ICCV), Table 3 (LeViT-256: 1120M FLOPs counted as multiply-adds, 18.9M params)",
       build_levit_256},
      {"levit_384", "LeViT", "conv stem, attention on shrinking token grids, BN-linears, hardswish", 224, 2353.0, 39.1,
       "Graham et al. 2021 (ICCV), Table 3 (LeViT-384: 2353M FLOPs counted as multiply-adds, 39.1M params)",
       build_levit_384},
      {"efficientformer_l1", "EfficientFormer", "pooling-mixer conv stages, attention blocks at the end", 224, 1300.0,
       12.3, "Li et al. 2022 (NeurIPS), Table 1 (EfficientFormer-L1: 1.3G MACs, 12.3M params)",
       build_efficientformer_l1},
      {"efficientformer_l3", "EfficientFormer", "pooling-mixer conv stages, attention blocks at the end", 224, 3900.0,
       31.3, "Li et al. 2022 (NeurIPS), Table 1 (EfficientFormer-L3: 3.9G MACs, 31.3M params)",
       build_efficientformer_l3},
      {"efficientformer_l7", "EfficientFormer", "pooling-mixer conv stages, attention blocks at the end", 224, 10200.0,
       82.1, "Li et al. 2022 (NeurIPS), Table 1 (EfficientFormer-L7: 10.2G MACs, 82.1M params)",
       build_efficientformer_l7},
      {"mobilevit_xx_small", "MobileViT", "MobileNetV2 blocks and transformers over unfolded patches", 256, 405.252108,
       1.27,
       "params: timm results-imagenet.csv (param_count 1.27M of mobilevit_xxs.cvnets_in1k, the authors' weights;"
       " Mehta & Rastegari 2022 (ICLR), Table 1 rounds to 1.3M); MACs: neither the paper nor a release table "
       "gives them to better than 0.1G, so half the FLOPs that the public mobile benchmark (Li, Paolieri & "
       "Golubchik; torch_transformer_e2e.csv) counts for the released apple/mobilevit-xx-small checkpoint "
       "(810,504,216 FLOPs)",
       build_mobilevit_xx_small},
      {"mobilevit_x_small", "MobileViT", "MobileNetV2 blocks and transformers over unfolded patches", 256, 1023.336972,
       2.32,
       "params: timm results-imagenet.csv (param_count 2.32M of mobilevit_xs.cvnets_in1k, the authors' weights; "
       "Mehta & Rastegari 2022 (ICLR), Table 1 rounds to 2.3M); MACs: neither the paper nor a release table "
       "gives them to better than 0.1G, so half the FLOPs that the public mobile benchmark (Li, Paolieri & "
       "Golubchik; torch_transformer_e2e.csv) counts for the released apple/mobilevit-x-small checkpoint "
       "(2,046,673,944 FLOPs)",
       build_mobilevit_x_small},
      {"mobilevit_small", "MobileViT", "MobileNetV2 blocks and transformers over unfolded patches", 256, 1997.494796,
       5.58,
       "params: timm results-imagenet.csv (param_count 5.58M of mobilevit_s.cvnets_in1k, the authors' weights; "
       "Mehta & Rastegari 2022 (ICLR), Table 1 rounds to 5.6M); MACs: neither the paper nor a release table "
       "gives them to better than 0.1G, so half the FLOPs that the public mobile benchmark (Li, Paolieri & "
       "Golubchik; torch_transformer_e2e.csv) counts for the released apple/mobilevit-small checkpoint "
       "(3,994,989,592 FLOPs)",
       build_mobilevit_small},
  };
  return entries;
}

}  // namespace nnlat::models
