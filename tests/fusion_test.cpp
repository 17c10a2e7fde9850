// Each fusion rule tested the way XNNPACK tests its fusions: a minimal graph, the kernel
// count before (rule set "none") and after, and what the kernel is made of.
#include "nnlat/fusion/fusion.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "nnlat/ir/builder.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::fusion {
namespace {

using ir::Act;
using ir::GraphBuilder;

RuleSet rules(const std::string& name) {
  auto r = load_rule_set(name);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return *r;
}

size_t count(const ir::Graph& g, const std::string& rule_set) {
  auto k = detect_kernels(g, rules(rule_set));
  EXPECT_TRUE(k.ok());
  return k->size();
}

std::vector<std::string> ops_of(const ir::Graph& g, const Kernel& k) {
  std::vector<std::string> ops;
  for (auto id : k.nodes) ops.emplace_back(ir::op_name(g.node(id).op));
  return ops;
}

TEST(FusionRules, BuiltinSetsLoad) {
  for (const auto& name : builtin_rule_set_names()) EXPECT_TRUE(load_rule_set(name).ok()) << name;
  EXPECT_EQ(builtin_rule_set_names().size(), 5u);
  EXPECT_FALSE(load_rule_set("no-such-rules").ok());
}

// The matcher's table lookups answer what the rule lists say, for every op of the table.
TEST(FusionRules, RuleIndexAnswersAsTheRuleLists) {
  for (const auto& name : builtin_rule_set_names()) {
    const RuleSet set = rules(name);
    const RuleIndex index(set);
    for (const auto& info : ir::all_ops()) {
      const ir::OpKind op = info.kind;
      EXPECT_EQ(index.elided(op), std::find(set.elide.begin(), set.elide.end(), op) != set.elide.end())
          << name << " " << info.name;
      int expected_rule = -1;
      for (size_t r = 0; r < set.rules.size() && expected_rule < 0; ++r) {
        const auto& anchors = set.rules[r].anchors;
        if (std::find(anchors.begin(), anchors.end(), op) != anchors.end()) expected_rule = static_cast<int>(r);
      }
      EXPECT_EQ(index.rule_of(op), expected_rule) << name << " " << info.name;
      for (size_t r = 0; r < set.rules.size(); ++r) {
        const auto& absorb = set.rules[r].absorb;
        EXPECT_EQ(index.absorbs(static_cast<int>(r), op), std::find(absorb.begin(), absorb.end(), op) != absorb.end())
            << name << " rule " << set.rules[r].name << " " << info.name;
        EXPECT_EQ(index.max_absorb(static_cast<int>(r)), set.rules[r].max_absorb);
      }
    }
  }
}

TEST(FusionRules, InvalidFilesAreRejectedWithTheReason) {
  const std::string head = R"({"format": "nnlat-fusion-rules", "version": 1, "name": "x", )";
  struct Case {
    std::string text;
    std::string expect;
  } cases[] = {
      {head + R"("rules": [{"name": "r", "anchors": ["conv"]}]})", "unknown op 'conv'"},
      {head + R"("rules": [{"name": "r", "anchors": []}]})", "no anchors"},
      {head + R"("rules": [{"name": "a", "anchors": ["add"]}, {"name": "b", "anchors": ["add"]}]})", "already anchors"},
      {head + R"("elide": ["add"], "rules": [{"name": "a", "anchors": ["add"]}]})", "also elided"},
      {head + R"("rules": [{"name": "r", "anchors": ["add"], "absorb": ["relu"], "max_absorb": -1}]})", "max_absorb"},
      {R"({"format": "other", "version": 1})", "not a fusion rule file"},
      {"{", "not a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = parse_rule_set(c.text, "r.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("r.json: ", 0), 0u);
  }
}

TEST(XnnpackRules, ConvBatchNormReluIsOneKernel) {
  GraphBuilder b("t");
  auto x = b.input({1, 3, 8, 8});
  ir::Graph g = b.finish({b.conv_bn_act(x, 8, 3, 1, 1, Act::kRelu6)});
  EXPECT_EQ(count(g, "none"), 3u);
  auto k = detect_kernels(g, rules("xnnpack"));
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ(ops_of(g, (*k)[0]), (std::vector<std::string>{"conv2d", "batch_norm", "relu6"}));
  EXPECT_EQ((*k)[0].type, "conv2d");
}

TEST(XnnpackRules, HardSwishIsNotFusedIntoConv) {
  GraphBuilder b("t");
  auto x = b.input({1, 3, 8, 8});
  ir::Graph g = b.finish({b.conv_bn_act(x, 8, 3, 1, 1, Act::kHardSwish)});
  EXPECT_EQ(count(g, "none"), 3u);
  EXPECT_EQ(count(g, "xnnpack"), 2u);
}

TEST(XnnpackRules, AddWithReluIsOneKernel) {
  GraphBuilder b("t");
  auto x = b.input({1, 4, 8, 8});
  auto y = b.input({1, 4, 8, 8}, "y");
  ir::Graph g = b.finish({b.activation(b.add(x, y), Act::kRelu)});
  EXPECT_EQ(count(g, "none"), 2u);
  EXPECT_EQ(count(g, "xnnpack"), 1u);
}

TEST(XnnpackRules, SharedOutputIsNotFused) {
  GraphBuilder b("t");
  auto x = b.input({1, 4, 8, 8});
  auto c = b.conv(x, 4, 1);
  auto r = b.activation(c, Act::kRelu);
  ir::Graph g = b.finish({b.add(c, r)});  // conv output read twice: relu cannot be fused
  EXPECT_EQ(count(g, "xnnpack"), 3u);
}

TEST(XnnpackRules, PoolWithClampIsOneKernel) {
  GraphBuilder b("t");
  auto x = b.input({1, 4, 8, 8});
  ir::Graph g = b.finish({b.activation(b.max_pool(x, 2, 2), Act::kRelu6)});
  EXPECT_EQ(count(g, "none"), 2u);
  auto k = detect_kernels(g, rules("xnnpack"));
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ(ops_of(g, (*k)[0]), (std::vector<std::string>{"max_pool2d", "relu6"}));
  EXPECT_EQ(count(g, "tflite-gpu"), 1u);
}

TEST(XnnpackRules, AtMostTwoOpsJoinAConv) {
  // conv + batch_norm + relu + relu: max_absorb 2 leaves the second relu a kernel of its own.
  GraphBuilder b("t");
  auto x = b.input({1, 4, 8, 8});
  ir::Graph g = b.finish({b.activation(b.conv_bn_act(x, 4, 1, 1, 1, Act::kRelu), Act::kRelu)});
  EXPECT_EQ(count(g, "none"), 4u);
  EXPECT_EQ(count(g, "xnnpack"), 2u);
}

TEST(TfliteGpuRules, ReshapesAreElidedAndActivationsLinkedIntoPools) {
  GraphBuilder b("t");
  auto x = b.input({1, 8, 4, 4});
  auto p = b.activation(b.global_avg_pool(x), Act::kHardSigmoid);
  ir::Graph g = b.finish({b.fully_connected(b.flatten(p), 10)});
  EXPECT_EQ(count(g, "none"), 4u);
  auto k = detect_kernels(g, rules("tflite-gpu"));
  ASSERT_EQ(k->size(), 2u);  // gap+hardsigmoid, fully_connected; flatten costs nothing
  EXPECT_EQ(ops_of(g, (*k)[0]), (std::vector<std::string>{"global_avg_pool", "hardsigmoid"}));
}

TEST(Rules, FlattenIsACopyOnXnnpackAndFreeOnTheGpu) {
  GraphBuilder b("t");
  auto x = b.input({1, 4, 1, 1});
  ir::Graph g = b.finish({b.fully_connected(b.flatten(x), 10)});
  EXPECT_EQ(count(g, "none"), 2u);
  EXPECT_EQ(count(g, "xnnpack"), 2u);  // xnn_define_static_reshape is a copy operator
  EXPECT_EQ(count(g, "tflite-gpu"), 1u);
}

TEST(TfliteGpuRules, ElementwiseTailIsLinkedIntoTheConv) {
  GraphBuilder b("t");
  auto x = b.input({1, 8, 8, 8});
  auto c = b.conv_bn_act(x, 8, 3, 1, 1, Act::kHardSwish);
  ir::Graph g = b.finish({b.add(c, x)});  // conv + bn + hardswish + residual add
  EXPECT_EQ(count(g, "none"), 4u);
  EXPECT_EQ(count(g, "xnnpack"), 3u);
  auto k = detect_kernels(g, rules("tflite-gpu"));
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ(ops_of(g, (*k)[0]), (std::vector<std::string>{"conv2d", "batch_norm", "hardswish", "add"}));
}

// PyTorch Mobile's GPU backends (both rule files): what the public per-op data shows.
TEST(TorchGpuRules, ConvFoldsBatchNormAndReluButElementwiseOpsAreKernels) {
  for (const char* set : {"torch-vulkan", "torch-metal"}) {
    GraphBuilder b("t");
    auto x = b.input({1, 8, 8, 8});
    auto c = b.conv_bn_act(x, 8, 3, 1, 1, Act::kRelu);
    ir::Graph g = b.finish({b.activation(b.add(c, x), Act::kRelu)});  // a ResNet block's tail
    EXPECT_EQ(count(g, "none"), 5u) << set;
    auto k = detect_kernels(g, rules(set));
    ASSERT_EQ(k->size(), 3u) << set;
    EXPECT_EQ(ops_of(g, (*k)[0]), (std::vector<std::string>{"conv2d", "batch_norm", "relu"})) << set;
    EXPECT_EQ(ops_of(g, (*k)[1]), std::vector<std::string>{"add"}) << set;
    EXPECT_EQ(ops_of(g, (*k)[2]), std::vector<std::string>{"relu"}) << set;
  }
}

TEST(TorchGpuRules, HardSwishAfterAConvAndAStandaloneBatchNormAreKernels) {
  GraphBuilder b("t");
  auto x = b.input({1, 8, 8, 8});
  auto bn = b.op(ir::OpKind::kBatchNorm, {x});  // pre-activation: BN → ReLU → conv
  auto c = b.conv_bn_act(b.activation(bn, Act::kRelu), 8, 3, 1, 1, Act::kHardSwish);
  ir::Graph g = b.finish({c});
  EXPECT_EQ(count(g, "none"), 5u);
  EXPECT_EQ(count(g, "torch-vulkan"), 4u);  // bn, relu, conv+bn, hardswish
}

TEST(KernelGraph, EqualKernelsHashEqual) {
  auto g = models::build_zoo_model("mobilenet_v2", {});
  ASSERT_TRUE(g.ok());
  auto ks = detect_kernels(*g, rules("xnnpack"));
  ASSERT_TRUE(ks.ok());
  std::map<std::string, int> by_hash;
  for (const auto& k : *ks) {
    auto kg = kernel_graph(*g, k);
    ASSERT_TRUE(kg.ok()) << kg.error().message;
    ++by_hash[kernel_hash(*kg)];
  }
  // MobileNetV2 repeats blocks with identical shapes, so distinct kernels < kernels.
  EXPECT_LT(by_hash.size(), ks->size());
  EXPECT_GT(by_hash.size(), 10u);
}

}  // namespace
}  // namespace nnlat::fusion
