// ir::has_attention, the rule that routes a network to a ready core set's transformer-trained
// model (docs/ready-predictors.md, recipe 4): every transformer of the zoo has it, no CNN
// does, and a matmul against a weight-like graph input does not count.
#include "nnlat/ir/attention.hpp"

#include <gtest/gtest.h>

#include "nnlat/ir/graph.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat {
namespace {

TEST(Attention, ZooTransformersHaveItAndZooCnnsDoNot) {
  for (const char* name : {"cvt_13", "deit_tiny_distilled_patch16_224", "levit_128s", "mit_b0", "mobilevit_xx_small",
                           "swin_tiny_patch4_window7_224", "vit_base_patch32_224", "efficientformer_l1"}) {
    auto graph = models::load_model(std::string("zoo:") + name);
    ASSERT_TRUE(graph.ok()) << name << ": " << graph.error().message;
    EXPECT_TRUE(ir::has_attention(*graph)) << name;
  }
  for (const char* name : {"densenet121", "efficientnet_b0", "ghostnet", "googlenet", "inception_v3", "mnasnet_a1",
                           "mobilenet_v1", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "regnetx_200mf",
                           "resnet18", "resnet50", "shufflenet_v2", "squeezenet1_1"}) {
    auto graph = models::load_model(std::string("zoo:") + name);
    ASSERT_TRUE(graph.ok()) << name << ": " << graph.error().message;
    EXPECT_FALSE(ir::has_attention(*graph)) << name;
  }
}

TEST(Attention, OnlyAMatmulOfTwoActivationsCounts) {
  ir::Graph against_input;
  const auto x = against_input.add_input("x", {1, 4, 8});
  const auto w = against_input.add_input("w", {1, 8, 4});
  const auto relu = against_input.add_node("relu", ir::OpKind::kRelu, {x}, {}, {"r"});
  const auto r = against_input.node(relu).outputs.at(0);
  const auto mm = against_input.add_node("mm", ir::OpKind::kMatMul, {r, w}, {}, {"y"});
  against_input.mark_output(against_input.node(mm).outputs.at(0));
  EXPECT_FALSE(ir::has_attention(against_input));

  ir::Graph scores = against_input;
  const auto t = scores.add_node("t", ir::OpKind::kRelu, {w}, {}, {"t"});
  const auto mm2 = scores.add_node("qk", ir::OpKind::kMatMul, {r, scores.node(t).outputs.at(0)}, {}, {"s"});
  scores.mark_output(scores.node(mm2).outputs.at(0));
  EXPECT_TRUE(ir::has_attention(scores));
}

}  // namespace
}  // namespace nnlat
