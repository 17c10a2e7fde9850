#include <gtest/gtest.h>

#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/ir/passes.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::ir {
namespace {

int count_op(const Graph& g, OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node.op == op;
  return n;
}

TEST(FoldBatchNorm, ConvBnBecomesConvWithBias) {
  GraphBuilder b("t");
  auto x = b.input({1, 3, 8, 8});
  auto y = b.batch_norm(b.conv(x, 4, 3));
  Graph g = b.finish({b.activation(y, Act::kRelu)});
  auto folded = fold_batch_norm(g);
  ASSERT_TRUE(folded.ok()) << folded.error().message;
  EXPECT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(folded->nodes().size(), 2u);
  EXPECT_EQ(get_int(folded->nodes()[0].attrs, "bias", 0), 1);
  EXPECT_EQ(graph_cost(*folded).total.macs, graph_cost(g).total.macs);
}

TEST(FoldBatchNorm, BnAfterSharedOrNonConvOutputStays) {
  GraphBuilder b("t");
  auto x = b.input({1, 4, 8, 8});
  auto c = b.conv(x, 4, 1);
  auto bn1 = b.batch_norm(c);  // conv output also feeds the add: cannot fold
  auto s = b.add(c, bn1);
  auto bn2 = b.batch_norm(s);  // follows an add: cannot fold
  Graph g = b.finish({bn2});
  auto folded = fold_batch_norm(g);
  ASSERT_TRUE(folded.ok()) << folded.error().message;
  EXPECT_EQ(count_op(*folded, OpKind::kBatchNorm), 2);
}

TEST(FoldBatchNorm, ZooNetworkHasNoFoldableBatchNormLeft) {
  auto g = models::build_zoo_model("mobilenet_v2", {});
  ASSERT_TRUE(g.ok());
  auto folded = fold_batch_norm(*g);
  ASSERT_TRUE(folded.ok()) << folded.error().message;
  EXPECT_GT(count_op(*g, OpKind::kBatchNorm), 0);
  EXPECT_EQ(count_op(*folded, OpKind::kBatchNorm), 0);
  EXPECT_EQ(graph_cost(*folded).total.macs, graph_cost(*g).total.macs);
}

}  // namespace
}  // namespace nnlat::ir
