// The mobile-ml-benchmark checkpoint names (tflite_transformer_e2e.csv,
// torch_transformer_e2e.csv) mapped to the zoo references that build what was exported.
#include <array>
#include <string_view>
#include <utility>

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

namespace {

// {checkpoint, zoo reference}. The `-in21k` ViT checkpoints are exported without their head
// (the encoder's last hidden state, 85.8 M / 87.5 M weights by the files' sizes): their
// headless zoo entries. Everything else is exported with its 1000-class head; the
// EfficientFormer checkpoints without the distillation head that their zoo models (and the
// paper's counts) carry, 0.45-0.77 M parameters and under 0.1% of the MACs.
constexpr std::array<std::pair<std::string_view, std::string_view>, 33> kCheckpoints = {{
    {"cvt-13", "cvt_13"},
    {"cvt-13-384", "cvt_13_384"},
    {"cvt-21", "cvt_21"},
    {"cvt-21-384", "cvt_21_384"},
    {"deit-base-distilled-patch16-224", "deit_base_distilled_patch16_224"},
    {"deit-base-distilled-patch16-384", "deit_base_distilled_patch16_384"},
    {"deit-small-distilled-patch16-224", "deit_small_distilled_patch16_224"},
    {"deit-tiny-distilled-patch16-224", "deit_tiny_distilled_patch16_224"},
    {"efficientformer-l1-300", "efficientformer_l1"},
    {"efficientformer-l3-300", "efficientformer_l3"},
    {"efficientformer-l7-300", "efficientformer_l7"},
    {"levit-128", "levit_128"},
    {"levit-128S", "levit_128s"},
    {"levit-192", "levit_192"},
    {"levit-256", "levit_256"},
    {"levit-384", "levit_384"},
    {"mit-b0", "mit_b0"},
    {"mit-b1", "mit_b1"},
    {"mit-b2", "mit_b2"},
    {"mit-b3", "mit_b3"},
    {"mit-b4", "mit_b4"},
    {"mit-b5", "mit_b5"},
    {"mobilevit-small", "mobilevit_small"},
    {"mobilevit-x-small", "mobilevit_x_small"},
    {"mobilevit-xx-small", "mobilevit_xx_small"},
    {"swin-base-patch4-window12-384", "swin_base_patch4_window12_384"},
    {"swin-base-patch4-window7-224", "swin_base_patch4_window7_224"},
    {"swin-small-patch4-window7-224", "swin_small_patch4_window7_224"},
    {"swin-tiny-patch4-window7-224", "swin_tiny_patch4_window7_224"},
    {"vit-base-patch16-224-in21k", "vit_base_patch16_224_in21k"},
    {"vit-base-patch16-384", "vit_base_patch16_384"},
    {"vit-base-patch32-224-in21k", "vit_base_patch32_224_in21k"},
    {"vit-base-patch32-384", "vit_base_patch32_384"},
}};

}  // namespace

std::optional<std::string> zoo_ref_for_checkpoint(std::string_view checkpoint) {
  for (const auto& [name, ref] : kCheckpoints) {
    if (name == checkpoint) return std::string(ref);
  }
  return std::nullopt;
}

}  // namespace nnlat::models
