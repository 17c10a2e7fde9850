// The same network written as ONNX by nnlat and as TFLite by nnlat's writer imports to the
// identical IR graph through the two independent importers.
#include <gtest/gtest.h>

#include "nnlat/formats/onnx.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/compare.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/ir/passes.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat {
namespace {

struct Imported {
  ir::Graph from_onnx;
  ir::Graph from_tflite;
};

Imported import_both(const ir::Graph& g) {
  auto onnx_bytes = formats::export_onnx_bytes(g, 7);
  auto tflite_bytes = formats::export_tflite_bytes(g, 7);
  EXPECT_TRUE(onnx_bytes.ok()) << onnx_bytes.error().message;
  EXPECT_TRUE(tflite_bytes.ok()) << tflite_bytes.error().message;
  if (!onnx_bytes.ok() || !tflite_bytes.ok()) return {};
  auto from_onnx = formats::import_onnx_bytes(*onnx_bytes, "g.onnx");
  auto from_tflite = formats::import_tflite_bytes(*tflite_bytes, "g.tflite");
  EXPECT_TRUE(from_onnx.ok()) << from_onnx.error().message;
  EXPECT_TRUE(from_tflite.ok()) << from_tflite.error().message;
  if (!from_onnx.ok() || !from_tflite.ok()) return {};
  return {std::move(*from_onnx), std::move(*from_tflite)};
}

int count_op(const ir::Graph& g, ir::OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node.op == op;
  return n;
}

TEST(ImportAgreement, HandBuiltGraph) {
  ir::GraphBuilder b("agree");
  auto x = b.input({1, 3, 32, 32});
  // Stride 1 with symmetric pads equals TFLite's SAME padding, so both formats express the
  // network exactly (a stride-2 3x3 conv with pads 1,1,1,1 needs an explicit PAD in TFLite).
  auto c = b.activation(b.conv(x, 16, 3, 1, 1, true), ir::Act::kRelu6);
  auto d = b.activation(b.depthwise(c, 3, 1, true), ir::Act::kRelu);
  auto s = b.add(c, d);
  auto p = b.max_pool(s, 2, 2);
  ir::Graph g = b.finish(
      {b.op(ir::OpKind::kSoftmax, {b.fully_connected(b.flatten(b.global_avg_pool(p)), 10)}, {{"axis", int64_t{1}}})});
  const Imported both = import_both(g);
  EXPECT_EQ(ir::structural_difference(both.from_onnx, both.from_tflite), "");
  EXPECT_EQ(ir::structural_difference(g, both.from_onnx), "");
  EXPECT_EQ(ir::graph_cost(both.from_onnx).total.macs, ir::graph_cost(both.from_tflite).total.macs);
  EXPECT_EQ(ir::graph_cost(both.from_onnx).total.params, ir::graph_cost(both.from_tflite).total.params);
}

TEST(ImportAgreement, ZooNetworkDiffersOnlyByTheExplicitPadsTfliteNeeds) {
  auto g = models::build_zoo_model("mobilenet_v2", {});
  ASSERT_TRUE(g.ok());
  auto folded = ir::fold_batch_norm(*g);
  ASSERT_TRUE(folded.ok()) << folded.error().message;
  const Imported both = import_both(*folded);
  EXPECT_EQ(ir::structural_difference(*folded, both.from_onnx), "");
  // Each stride-2 conv with symmetric pads becomes PAD + VALID conv in TFLite; nothing else differs.
  EXPECT_EQ(both.from_tflite.nodes().size() - both.from_onnx.nodes().size(),
            static_cast<size_t>(count_op(both.from_tflite, ir::OpKind::kPad)));
  EXPECT_GT(count_op(both.from_tflite, ir::OpKind::kPad), 0);
  EXPECT_EQ(ir::graph_cost(both.from_onnx).total.macs, ir::graph_cost(both.from_tflite).total.macs);
  EXPECT_EQ(ir::graph_cost(both.from_onnx).total.params, ir::graph_cost(both.from_tflite).total.params);
}

}  // namespace
}  // namespace nnlat
