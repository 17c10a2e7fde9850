// Op skeletons (ir/skeleton.hpp) of NAS-Bench-201 networks against their graphs: the same ops
// in the same order reading the same operands, and the fusion matcher finding the same
// kernels on both under every built-in rule set. The encoding predictor relies on this to
// plan networks without building them.
#include <gtest/gtest.h>

#include <vector>

#include "nnlat/fusion/chain_matcher.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/skeleton.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat {
namespace {

std::vector<std::vector<uint32_t>> kernels_of(const ir::Graph& g, const fusion::RuleSet& rules) {
  std::vector<std::vector<uint32_t>> out;
  EXPECT_TRUE(fusion::for_each_kernel(g, rules, [&](std::span<const ir::NodeId> nodes) {
                std::vector<uint32_t> k;
                for (auto n : nodes) k.push_back(n.index);
                out.push_back(k);
              }).ok());
  return out;
}

std::vector<std::vector<uint32_t>> kernels_of(const ir::OpSkeleton& s, const fusion::RuleSet& rules) {
  std::vector<std::vector<uint32_t>> out;
  fusion::for_each_kernel(s, fusion::RuleIndex(rules), [&](std::span<const ir::NodeId> nodes) {
    std::vector<uint32_t> k;
    for (auto n : nodes) k.push_back(n.index);
    out.push_back(k);
  });
  return out;
}

TEST(NasSkeleton, Nb201SkeletonsAreTheirGraphsOps) {
  auto encodings = models::sample_space("nb201", 300, 11);
  ASSERT_TRUE(encodings.ok());
  encodings->push_back("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  encodings->push_back("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|");
  std::vector<fusion::RuleSet> rule_sets;
  for (const auto& name : fusion::builtin_rule_set_names()) rule_sets.push_back(*fusion::load_rule_set(name));
  ir::OpSkeleton skeleton;
  for (const auto& e : *encodings) {
    auto g = models::build_space_graph("nb201", e, {});
    ASSERT_TRUE(g.ok()) << g.error().message;
    ASSERT_TRUE(models::build_space_skeleton("nb201", e, skeleton).ok()) << e;
    ASSERT_EQ(skeleton.nodes.size(), g->nodes().size()) << e;
    for (size_t i = 0; i < skeleton.nodes.size(); ++i) {
      const auto& node = g->nodes()[i];
      const auto& sn = skeleton.nodes[i];
      ASSERT_EQ(sn.op, node.op) << e << " node " << node.name;
      ASSERT_EQ(sn.input_count, node.inputs.size()) << e << " node " << node.name;
      // Operands: the same producers (a network input has none), the same shapes.
      for (uint32_t j = 0; j < sn.input_count; ++j) {
        const ir::ValueId sv = skeleton.node_inputs[sn.first_input + j];
        const auto& gv = g->value(node.inputs[j]);
        EXPECT_EQ(skeleton.producers[sv.index], gv.producer ? static_cast<int64_t>(gv.producer->index) : -1)
            << e << " node " << node.name;
        const auto& shape = skeleton.shapes[sv.index];
        for (size_t d = 0; d < gv.shape.size(); ++d) EXPECT_EQ(shape[d], gv.shape[d]) << e << " node " << node.name;
      }
    }
    ASSERT_EQ(skeleton.outputs.size(), g->outputs().size());
    for (const auto& rules : rule_sets) EXPECT_EQ(kernels_of(skeleton, rules), kernels_of(*g, rules)) << rules.name;
  }
}

TEST(NasSkeleton, KeysSeparateWhatDiffers) {
  // The 3x3 convolutions of the three stages differ in shape: different keys; the cells of
  // one stage repeat: equal keys.
  ir::OpSkeleton s;
  ASSERT_TRUE(models::build_space_skeleton("nb201", "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|", s).ok());
  std::vector<uint64_t> conv_keys;
  for (const auto& n : s.nodes) {
    if (n.op == ir::OpKind::kConv2d) conv_keys.push_back(n.key);
  }
  // stem, 5 cells, reduction (3 convs), 5 cells, reduction, 5 cells.
  ASSERT_EQ(conv_keys.size(), 1u + 5 + 3 + 5 + 3 + 5);
  EXPECT_EQ(conv_keys[1], conv_keys[5]);
  EXPECT_NE(conv_keys[1], conv_keys[9]);
  EXPECT_NE(conv_keys[0], conv_keys[1]);  // the stem reads 3 channels
}

// SkeletonBuilder::repeat_cell (which NB201 skeletons use for a stage's later cells) gives the
// ops, operands, shapes and keys that building the cell again gives; a cell repeated on an
// input of another shape is an error.
TEST(NasSkeleton, RepeatedCellEqualsTheCellBuiltAgain) {
  auto cell = [](ir::SkeletonBuilder& b, ir::ValueId x) {
    const ir::ValueId y = b.batch_norm(b.conv(b.activation(x, ir::Act::kRelu), 8, 3));
    return b.add(b.avg_pool(x, 3, 1, 1), y);
  };
  ir::OpSkeleton built, copied;
  {
    ir::SkeletonBuilder b(built);
    const ir::ValueId x = b.input({1, 8, 16, 16});
    b.finish({cell(b, cell(b, x))});
  }
  {
    ir::SkeletonBuilder b(copied);
    const ir::ValueId in = b.input({1, 8, 16, 16});
    const uint32_t first = b.node_count();
    const ir::ValueId out = cell(b, in);
    b.finish({b.repeat_cell(first, b.node_count() - first, in, out, out)});
  }
  ASSERT_EQ(copied.nodes.size(), built.nodes.size());
  for (size_t i = 0; i < built.nodes.size(); ++i) {
    EXPECT_EQ(copied.nodes[i].op, built.nodes[i].op) << i;
    EXPECT_EQ(copied.nodes[i].key, built.nodes[i].key) << i;
    EXPECT_EQ(copied.nodes[i].output, built.nodes[i].output) << i;
    EXPECT_EQ(copied.nodes[i].input_count, built.nodes[i].input_count) << i;
  }
  EXPECT_EQ(copied.node_inputs, built.node_inputs);
  EXPECT_EQ(copied.producers, built.producers);
  EXPECT_EQ(copied.shapes, built.shapes);
  EXPECT_EQ(copied.outputs, built.outputs);

  ir::OpSkeleton other;
  ir::SkeletonBuilder b(other);
  const ir::ValueId in = b.input({1, 8, 16, 16});
  const ir::ValueId narrow = b.input({1, 4, 16, 16});
  const uint32_t first = b.node_count();
  const ir::ValueId out = cell(b, in);
  EXPECT_THROW(b.repeat_cell(first, b.node_count() - first, in, out, narrow), ir::BuildError);
}

TEST(NasSkeleton, BadEncodingsAndSpacesAreErrors) {
  ir::OpSkeleton s;
  auto st = models::build_space_skeleton("nb201", "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|", s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("bogus"), std::string::npos) << st.error().message;
  EXPECT_FALSE(models::build_space_skeleton("mbv2", "k3e6", s).ok());
  EXPECT_FALSE(models::space_has_skeleton("nb101"));
  EXPECT_TRUE(models::space_has_skeleton("nb201"));
}

}  // namespace
}  // namespace nnlat
