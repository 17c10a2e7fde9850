#include <gtest/gtest.h>

#include <limits>

#include "nnlat/core/saturating.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat::ir {
namespace {

TEST(OpTable, NamesRoundTripThroughLookup) {
  for (const auto& info : all_ops()) {
    auto kind = op_from_name(info.name);
    ASSERT_TRUE(kind.has_value()) << info.name;
    EXPECT_EQ(*kind, info.kind);
  }
  EXPECT_FALSE(op_from_name("conv").has_value());  // no substring matching
  EXPECT_EQ(op_from_onnx("Conv"), OpKind::kConv2d);
  EXPECT_EQ(op_from_tflite("DEPTHWISE_CONV_2D"), OpKind::kDepthwiseConv2d);
}

TEST(Shapes, ConvStrideAndPadding) {
  GraphBuilder b("t");
  auto x = b.input({1, 3, 224, 224});
  auto y = b.conv(x, 32, 3, 2);
  EXPECT_EQ(b.shape(y), (Shape{1, 32, 112, 112}));
  auto z = b.op(OpKind::kConv2d, {y},
                {{"out_channels", int64_t{8}},
                 {"kernel", std::vector<int64_t>{3, 3}},
                 {"stride", std::vector<int64_t>{2, 2}},
                 {"padding", std::string("same")}});
  EXPECT_EQ(b.shape(z), (Shape{1, 8, 56, 56}));
}

TEST(Shapes, PoolCeilMode) {
  GraphBuilder b("t");
  auto x = b.input({1, 8, 112, 112});
  EXPECT_EQ(b.shape(b.max_pool(x, 3, 2, 0, true)), (Shape{1, 8, 56, 56}));
  EXPECT_EQ(b.shape(b.max_pool(x, 3, 2, 0, false)), (Shape{1, 8, 55, 55}));
}

TEST(Shapes, MismatchIsAnError) {
  auto r = GraphBuilder::run([] {
    GraphBuilder b("bad");
    auto x = b.input({1, 8, 16, 16});
    auto y = b.conv(x, 16, 1);
    return b.finish({b.add(x, y)});
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("broadcast"), std::string::npos) << r.error().message;
}

TEST(Cost, ConvMacsAndParams) {
  GraphBuilder b("t");
  auto x = b.input({1, 16, 10, 10});
  auto y = b.conv(x, 32, 3, 1, 2, true);
  Graph g = b.finish({y});
  const auto cost = graph_cost(g);
  EXPECT_EQ(cost.total.macs, 32 * 10 * 10 * 8 * 9);
  EXPECT_EQ(cost.total.params, 32 * 8 * 9 + 32);
  EXPECT_EQ(cost.total.input_bytes, 16 * 100 * 4);
  EXPECT_EQ(cost.total.output_bytes, 32 * 100 * 4);
}

// Declared shapes may be any size (a broken or hostile file): counts saturate instead of
// overflowing (signed overflow is undefined; unchecked it gave negative MACs), and verify
// refuses a value whose element count does not fit.
TEST(Cost, HugeShapesSaturateAndVerifyRefusesThem) {
  GraphBuilder b("huge");
  auto x = b.input({1, 999999999, 999999999, 1});
  auto y = b.op(OpKind::kConv2d, {x}, {{"out_channels", int64_t{999999999}}, {"kernel", std::vector<int64_t>{1, 1}}});
  Graph g = b.finish({y});
  const auto cost = graph_cost(g);
  EXPECT_EQ(cost.total.macs, kSaturatedCount);
  EXPECT_EQ(cost.total.params, 999999999LL * 999999999LL);
  EXPECT_GT(cost.total.output_bytes, 0);
  EXPECT_TRUE(verify(g).ok()) << "every tensor fits (10^18 elements); only the MACs saturate";

  GraphBuilder c("huger");
  auto big = c.input({999999999, 999999999, 999999999, 1});
  Graph h = c.finish({c.op(OpKind::kRelu, {big})});
  auto refused = verify(h);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("more elements than a count holds"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(saturating_product(int64_t{-3}, int64_t{1} << 62), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(saturating_add(kSaturatedCount, 1), kSaturatedCount);
}

TEST(Verify, DetectsCycle) {
  Graph g;
  auto in = g.add_input("x", {1, 4});
  g.add_node("a", OpKind::kAdd, {in}, {{"scalar", 1.0}}, {"a"});
  g.add_node("b", OpKind::kAdd, {}, {{"scalar", 1.0}}, {"b"});
  // b reads a, a reads b: rewire a's input to create a cycle
  g.node(NodeId{0}).inputs = {*g.find_value("b")};
  g.node(NodeId{1}).inputs = {*g.find_value("a")};
  g.mark_output(*g.find_value("b"));
  auto st = verify(g);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("cycle"), std::string::npos);
}

TEST(Json, RoundTripIsExact) {
  GraphBuilder b("rt");
  auto x = b.input({1, 3, 32, 32});
  auto y = b.conv_bn_act(x, 16, 3, 1, 1, Act::kHardSwish);
  auto parts = b.split(y, {8, 8});
  auto z = b.concat({parts[1], parts[0]});
  z = b.op(OpKind::kClamp, {z}, {{"min", 0.0}, {"max", 6.5}});
  Graph g = b.finish({b.classifier(z, 10)});
  g.metadata["encoding"] = "x";
  const std::string text = formats::graph_to_json(g);
  auto back = formats::graph_from_json(text, "mem");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(formats::graph_to_json(*back), text);
  EXPECT_EQ(graph_cost(*back).total.macs, graph_cost(g).total.macs);
}

TEST(Json, MalformedInputsAreErrors) {
  for (const char* text :
       {"", "{", "[]", R"({"format":"nnlat-graph","version":99})",
        // Keys of another type than the reader expects (found by fuzz_json_graph: a number
        // for "format" was a std::terminate).
        R"({"format":-2,"version":1,"inputs":[],"nodes":[],"outputs":[]})",
        R"({"format":"nnlat-graph","version":1,"inputs":[{"name":"x","shape":[1,4],"dtype":3}],)"
        R"("nodes":[],"outputs":["x"]})",
        R"({"format":"nnlat-graph","version":1,"inputs":[],"nodes":[],"outputs":[]})",
        R"({"format":"nnlat-graph","version":1,"inputs":[{"name":"x","shape":[1,4]}],)"
        R"("nodes":[{"name":"n","op":"frobnicate","inputs":["x"],"outputs":["y"]}],"outputs":["y"]})"}) {
    auto r = formats::graph_from_json(text, "bad.json");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message.rfind("bad.json", 0), 0u) << r.error().message;
  }
}

}  // namespace
}  // namespace nnlat::ir
