// ONNX import of hand-written models in the shapes other exporters (PyTorch, TF2ONNX, older
// opsets) produce, and of malformed inputs: every failure is a clean error naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "formats/onnx/onnx_proto.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat {
namespace {

using ir::OpKind;
using Ints = std::vector<int64_t>;

// A small ModelProto builder. Dims of -1 in inputs become the symbolic dim "N" (or the given
// name); outputs carry an element type and no shape.
class Model {
 public:
  explicit Model(int64_t opset = 13, std::string name = "test") {
    m_.set_ir_version(7);
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g().set_name(std::move(name));
  }
  onnx::GraphProto& g() { return *m_.mutable_graph(); }
  onnx::ModelProto& proto() { return m_; }

  Model& input(const std::string& name, const Ints& dims, const std::string& symbol = "N",
               int32_t elem = onnx::TensorProto::FLOAT) {
    auto* vi = g().add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    for (int64_t d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (d < 0) {
        dim->set_dim_param(symbol);
      } else {
        dim->set_dim_value(d);
      }
    }
    return *this;
  }
  Model& output(const std::string& name) {
    auto* vi = g().add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  Model& weight(const std::string& name, const Ints& dims, float fill = 0.01f) {
    auto* t = g().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    for (int64_t i = 0; i < n; ++i) t->add_float_data(fill);
    return *this;
  }
  Model& scalar(const std::string& name, float value) {
    auto* t = g().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(value);
    return *this;
  }
  Model& ints(const std::string& name, const Ints& values) {
    auto* t = g().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
                        const std::string& name = "") {
    auto* n = g().add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? out.at(0) : name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return *n;
  }
  std::string bytes() const { return m_.SerializeAsString(); }
  Result<ir::Graph> import(const std::string& source = "model.onnx") const {
    return formats::import_onnx_bytes(bytes(), source);
  }

 private:
  onnx::ModelProto m_;
};

void attr_i(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void attr_f(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void attr_ints(onnx::NodeProto& n, const std::string& name, const Ints& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void attr_floats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}
void attr_s(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

const ir::Node* find_node(const ir::Graph& g, const std::string& name) {
  for (const auto& n : g.nodes()) {
    if (n.name == name) return &n;
  }
  return nullptr;
}
const ir::Shape& out_shape(const ir::Graph& g, const ir::Node& n, size_t k = 0) { return g.value(n.outputs[k]).shape; }

#define IMPORT_OK(var, model)                                     \
  auto var##_result = (model).import();                           \
  ASSERT_TRUE(var##_result.ok()) << var##_result.error().message; \
  const ir::Graph& var = *var##_result

// ---- mapping ----------------------------------------------------------------------------------

TEST(OnnxImport, ConvGroupsBecomeConvOrDepthwise) {
  Model m;
  m.input("x", {1, 8, 10, 10});
  m.weight("w_dw", {8, 1, 3, 3}).weight("w_dw2", {16, 1, 3, 3}).weight("w_g", {12, 4, 3, 3});
  m.weight("w", {5, 28, 1, 1}).weight("b", {5});
  auto& dw = m.node("Conv", {"x", "w_dw"}, {"dw"});  // group == C_in == C_out
  attr_i(dw, "group", 8);
  attr_ints(dw, "pads", {1, 1, 1, 1});
  auto& dw2 = m.node("Conv", {"dw", "w_dw2"}, {"dw2"});  // group == C_in, C_out = 2 C_in
  attr_i(dw2, "group", 8);
  attr_ints(dw2, "strides", {2, 2});
  attr_ints(dw2, "pads", {1, 1, 1, 1});
  auto& gc = m.node("Conv", {"x", "w_g"}, {"gc"});  // grouped
  attr_i(gc, "group", 2);
  attr_ints(gc, "dilations", {2, 2});
  auto& pool = m.node("MaxPool", {"gc"}, {"gc_pooled"});
  attr_ints(pool, "kernel_shape", {2, 2});
  auto& cat = m.node("Concat", {"dw2", "gc_pooled"}, {"cat"});
  attr_i(cat, "axis", 1);
  auto& pw = m.node("Conv", {"cat", "w", "b"}, {"pw"});
  attr_ints(pw, "kernel_shape", {1, 1});
  m.output("pw");
  IMPORT_OK(g, m);
  const ir::Node* n = find_node(g, "dw");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->op, OpKind::kDepthwiseConv2d);
  EXPECT_FALSE(n->attrs.contains("multiplier"));
  n = find_node(g, "dw2");
  EXPECT_EQ(n->op, OpKind::kDepthwiseConv2d);
  EXPECT_EQ(ir::get_int(n->attrs, "multiplier", 1), 2);
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 16, 5, 5}));
  n = find_node(g, "gc");
  EXPECT_EQ(n->op, OpKind::kConv2d);
  EXPECT_EQ(ir::get_int(n->attrs, "groups", 1), 2);
  EXPECT_EQ(ir::get_int(n->attrs, "out_channels", 0), 12);
  EXPECT_EQ(ir::get_ints(n->attrs, "dilation", {}), (Ints{2, 2}));
  n = find_node(g, "pw");
  EXPECT_EQ(n->op, OpKind::kConv2d);
  EXPECT_EQ(ir::get_int(n->attrs, "bias", 0), 1);
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 5, 5, 5}));
  EXPECT_EQ(ir::graph_cost(g).nodes.size(), 6u);
}

TEST(OnnxImport, AutoPadAndAsymmetricPads) {
  Model m;
  m.input("x", {1, 3, 9, 8});
  m.weight("w", {4, 3, 3, 3});
  auto& c = m.node("Conv", {"x", "w"}, {"same_upper"});
  attr_s(c, "auto_pad", "SAME_UPPER");
  attr_ints(c, "strides", {2, 2});
  auto& l = m.node("Conv", {"x", "w"}, {"same_lower"});
  attr_s(l, "auto_pad", "SAME_LOWER");
  attr_ints(l, "strides", {2, 2});
  auto& v = m.node("AveragePool", {"x"}, {"valid"});
  attr_s(v, "auto_pad", "VALID");
  attr_ints(v, "kernel_shape", {2, 3});
  // ONNX pads are [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right].
  auto& p = m.node("MaxPool", {"x"}, {"asym"});
  attr_ints(p, "kernel_shape", {3, 3});
  attr_ints(p, "pads", {0, 1, 2, 0});
  attr_i(p, "ceil_mode", 1);
  m.output("same_upper").output("same_lower").output("valid").output("asym");
  IMPORT_OK(g, m);
  const ir::Node* n = find_node(g, "same_upper");
  EXPECT_EQ(ir::get_string(n->attrs, "padding", ""), "same");
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 4, 5, 4}));
  n = find_node(g, "same_lower");  // total pad H: (5-1)*2+3-9 = 2 -> [1, 1]; W: (4-1)*2+3-8 = 1 -> begin 1
  EXPECT_FALSE(n->attrs.contains("padding"));
  EXPECT_EQ(ir::get_ints(n->attrs, "pads", {}), (Ints{1, 1, 1, 0}));
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 4, 5, 4}));
  n = find_node(g, "valid");
  EXPECT_EQ(ir::get_string(n->attrs, "padding", ""), "valid");
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 3, 8, 6}));
  n = find_node(g, "asym");
  EXPECT_EQ(n->op, OpKind::kMaxPool2d);
  EXPECT_EQ(ir::get_ints(n->attrs, "pads", {}), (Ints{0, 1, 2, 0}));
  EXPECT_EQ(ir::get_int(n->attrs, "ceil_mode", 0), 1);
  // H: (9 + 0 + 2 - 3) / 1 + 1 = 9; W: (8 + 1 + 0 - 3) + 1 = 7 (ONNX agrees, or import fails).
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 3, 9, 7}));
}

TEST(OnnxImport, ClipBecomesReluRelu6OrClamp) {
  for (int64_t opset : {6, 13}) {
    SCOPED_TRACE(opset);
    Model m(opset);
    m.input("x", {1, 4});
    auto clip = [&](const std::string& out, std::optional<float> lo, std::optional<float> hi) {
      if (opset < 11) {
        auto& n = m.node("Clip", {"x"}, {out});
        if (lo) attr_f(n, "min", *lo);
        if (hi) attr_f(n, "max", *hi);
      } else {
        std::vector<std::string> in{"x", "", ""};
        if (lo) {
          m.scalar(out + "_lo", *lo);
          in[1] = out + "_lo";
        }
        if (hi) {
          m.scalar(out + "_hi", *hi);
          in[2] = out + "_hi";
        }
        while (in.back().empty()) in.pop_back();
        m.node("Clip", in, {out});
      }
      m.output(out);
    };
    clip("r6", 0.0f, 6.0f);
    clip("r", 0.0f, std::nullopt);
    clip("r_flt_max", 0.0f, 3.4028234663852886e38f);
    clip("c", -1.0f, 1.0f);
    clip("lo", 0.25f, std::nullopt);
    clip("hi", std::nullopt, 2.0f);
    IMPORT_OK(g, m);
    EXPECT_EQ(find_node(g, "r6")->op, OpKind::kRelu6);
    EXPECT_EQ(find_node(g, "r")->op, OpKind::kRelu);
    EXPECT_EQ(find_node(g, "r_flt_max")->op, OpKind::kRelu);
    const ir::Node* c = find_node(g, "c");
    EXPECT_EQ(c->op, OpKind::kClamp);
    EXPECT_EQ(ir::get_float(c->attrs, "min", 0), -1.0);
    EXPECT_EQ(ir::get_float(c->attrs, "max", 0), 1.0);
    EXPECT_EQ(ir::get_float(find_node(g, "lo")->attrs, "min", 0), 0.25);
    EXPECT_FALSE(find_node(g, "lo")->attrs.contains("max"));
    EXPECT_FALSE(find_node(g, "hi")->attrs.contains("min"));
  }
}

TEST(OnnxImport, ClipBoundsFromConstantNodes) {
  Model m;
  m.input("x", {1, 4});
  auto& lo = m.node("Constant", {}, {"lo"});
  auto* t = lo.add_attribute();
  t->set_name("value");
  t->set_type(onnx::AttributeProto::TENSOR);
  t->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  t->mutable_t()->add_float_data(0.0f);
  auto& hi = m.node("Constant", {}, {"hi"});
  attr_f(hi, "value_float", 6.0f);
  m.node("Clip", {"x", "lo", "hi"}, {"y"});
  m.output("y");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].op, OpKind::kRelu6);
}

TEST(OnnxImport, GemmAndMatMulBecomeFullyConnected) {
  Model m;
  m.input("x", {-1, 12});
  m.weight("w_t", {5, 12}).weight("w", {12, 7}).weight("b", {7}).weight("w2", {7, 3});
  auto& g1 = m.node("Gemm", {"x", "w_t"}, {"gemm_tb"});
  attr_i(g1, "transB", 1);
  m.node("Gemm", {"x", "w", "b"}, {"gemm"});
  m.node("MatMul", {"gemm", "w2"}, {"mm"});
  m.node("MatMul", {"x", "w"}, {"mm_b_raw"}, "mm_b_raw");
  m.node("Add", {"b", "mm_b_raw"}, {"mm_b"});
  m.output("gemm_tb").output("mm").output("mm_b");
  IMPORT_OK(g, m);
  EXPECT_EQ(g.value(g.inputs()[0]).shape, (ir::Shape{1, 12}));  // dynamic batch -> 1
  const ir::Node* n = find_node(g, "gemm_tb");
  EXPECT_EQ(n->op, OpKind::kFullyConnected);
  EXPECT_EQ(ir::get_int(n->attrs, "out_features", 0), 5);
  EXPECT_EQ(ir::get_int(n->attrs, "bias", 1), 0);
  n = find_node(g, "gemm");
  EXPECT_EQ(ir::get_int(n->attrs, "out_features", 0), 7);
  EXPECT_EQ(ir::get_int(n->attrs, "bias", 0), 1);
  n = find_node(g, "mm");
  EXPECT_EQ(n->op, OpKind::kFullyConnected);
  EXPECT_EQ(ir::get_int(n->attrs, "bias", 1), 0);
  n = find_node(g, "mm_b");  // MatMul + Add of a [N] constant fuse into one node
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->op, OpKind::kFullyConnected);
  EXPECT_EQ(ir::get_int(n->attrs, "bias", 0), 1);
  EXPECT_EQ(find_node(g, "mm_b_raw"), nullptr);
  EXPECT_EQ(g.nodes().size(), 4u);
}

TEST(OnnxImport, ScalarBinaryOpsAndTheirLimits) {
  Model m;
  m.input("x", {1, 4, 2, 2});
  m.scalar("three", 3.0f).weight("one_4d", {1, 1, 1, 1}, 0.5f);
  m.node("Add", {"x", "three"}, {"a"});
  m.node("Mul", {"one_4d", "a"}, {"b"});  // commutative: the constant may come first
  m.node("Sub", {"b", "three"}, {"c"});
  m.output("c");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(g.nodes()[0].op, OpKind::kAdd);
  EXPECT_EQ(ir::get_float(g.nodes()[0].attrs, "scalar", 0), 3.0);
  EXPECT_EQ(g.nodes()[1].op, OpKind::kMul);
  EXPECT_EQ(ir::get_float(g.nodes()[1].attrs, "scalar", 0), 0.5);
  EXPECT_EQ(g.nodes()[1].inputs.size(), 1u);

  // A constant tensor (a per-channel scale, a position embedding) is the op's `operand`.
  Model per_channel;
  per_channel.input("x", {1, 4, 2, 2});
  per_channel.weight("scale", {1, 4, 1, 1});
  per_channel.node("Mul", {"x", "scale"}, {"y"}, "scale_mul");
  per_channel.output("y");
  IMPORT_OK(pc, per_channel);
  ASSERT_EQ(pc.nodes().size(), 1u);
  EXPECT_EQ(ir::get_ints(pc.nodes()[0].attrs, "operand", {}), (Ints{1, 4, 1, 1}));
  EXPECT_EQ(pc.nodes()[0].inputs.size(), 1u);
  // ... but one that would broadcast the activation to a larger shape has no nnlat form.
  Model widening;
  widening.input("x", {1, 4, 1, 1});
  widening.weight("big", {1, 4, 2, 2});
  widening.node("Mul", {"x", "big"}, {"y"}, "scale_mul");
  widening.output("y");
  auto r = widening.import();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("model.onnx: node scale_mul (Mul)"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("[1,4,2,2]"), std::string::npos) << r.error().message;

  Model const_first;
  const_first.input("x", {1, 4});
  const_first.scalar("one", 1.0f);
  const_first.node("Sub", {"one", "x"}, {"y"}, "one_minus");
  const_first.output("y");
  r = const_first.import();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("one_minus"), std::string::npos);
}

TEST(OnnxImport, ReshapeResolvesZeroAndMinusOne) {
  Model m;
  m.input("x", {-1, 6, 4, 4});
  m.ints("s1", {0, 3, -1, 0}).ints("s2", {0, -1});
  m.node("Reshape", {"x", "s1"}, {"r1"});
  m.node("Reshape", {"r1", "s2"}, {"r2"});
  auto& f = m.node("Flatten", {"r1"}, {"f"});
  attr_i(f, "axis", -2);
  m.output("r2").output("f");
  IMPORT_OK(g, m);
  EXPECT_EQ(ir::get_ints(find_node(g, "r1")->attrs, "shape", {}), (Ints{1, 3, 8, 4}));
  EXPECT_EQ(ir::get_ints(find_node(g, "r2")->attrs, "shape", {}), (Ints{1, 96}));
  EXPECT_EQ(ir::get_int(find_node(g, "f")->attrs, "axis", 0), 2);
  EXPECT_EQ(out_shape(g, *find_node(g, "f")), (ir::Shape{3, 32}));

  // Shape arithmetic folds at import (Shape -> Gather -> Concat -> Reshape).
  Model dynamic(13);
  dynamic.input("x", {1, 6, 4});
  dynamic.ints("zero", {0}).ints("minus1", {-1});
  dynamic.node("Shape", {"x"}, {"s"});
  auto& gather = dynamic.node("Gather", {"s", "zero"}, {"n"});
  attr_i(gather, "axis", 0);
  auto& cat = dynamic.node("Concat", {"n", "minus1"}, {"target"});
  attr_i(cat, "axis", 0);
  dynamic.node("Reshape", {"x", "target"}, {"y"}, "flat");
  dynamic.output("y");
  IMPORT_OK(d, dynamic);
  ASSERT_EQ(d.nodes().size(), 1u);
  EXPECT_EQ(ir::get_ints(find_node(d, "flat")->attrs, "shape", {}), (Ints{1, 24}));

  // A Reshape whose shape is really computed at run time (from an activation's values).
  Model computed;
  computed.input("x", {1, 6});
  computed.input("s", {2});
  computed.node("Reshape", {"x", "s"}, {"y"});
  computed.output("y");
  auto r = computed.import();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Reshape with a shape computed at run time"), std::string::npos)
      << r.error().message;
}

// The transformer forms PyTorch writes: opset-17 LayerNormalization, attention's Einsum (a
// batched matmul with a transposed operand) and a Gather of rows of an activation.
TEST(OnnxImport, LayerNormalizationEinsumAndGatherOfAnActivation) {
  Model m(17);
  m.input("x", {1, 2, 3, 5, 4});
  m.weight("scale", {4}).weight("bias", {4}).ints("one", {1});
  auto& ln = m.node("LayerNormalization", {"x", "scale", "bias"}, {"n"}, "ln");
  attr_i(ln, "axis", -1);
  auto& e = m.node("Einsum", {"n", "n"}, {"s"}, "scores");
  attr_s(e, "equation", "b g h i d, b g h j d -> b g h i j");
  auto& g = m.node("Gather", {"s", "one"}, {"row"}, "pick");
  attr_i(g, "axis", 1);
  m.output("row");
  IMPORT_OK(graph, m);
  const ir::Node* norm = find_node(graph, "ln");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->op, OpKind::kLayerNorm);
  EXPECT_EQ(ir::graph_cost(graph).total.params, 8);  // scale and shift of 4
  int matmuls = 0, transposes = 0;
  for (const auto& n : graph.nodes()) {
    matmuls += n.op == OpKind::kMatMul;
    transposes += n.op == OpKind::kTranspose;
  }
  EXPECT_EQ(matmuls, 1);
  EXPECT_EQ(transposes, 1);  // the second operand, d before j
  EXPECT_EQ(ir::graph_cost(graph).total.macs, 2 * 3 * 5 * 5 * 4);
  const ir::Node* pick = find_node(graph, "pick");
  ASSERT_NE(pick, nullptr);
  EXPECT_EQ(pick->op, OpKind::kSlice);  // indices [1]: one row kept (a scalar index also drops the axis)
  EXPECT_EQ(out_shape(graph, *pick), (ir::Shape{1, 1, 3, 5, 5}));

  Model bad(17);
  bad.input("x", {2, 3});
  auto& t = bad.node("Einsum", {"x"}, {"y"}, "trace");
  attr_s(t, "equation", "ii->i");
  bad.output("y");
  auto r = bad.import();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("node trace (Einsum)"), std::string::npos) << r.error().message;
}

TEST(OnnxImport, SplitSizesFromAttributeInputOrEqualParts) {
  for (int64_t opset : {11, 13}) {
    SCOPED_TRACE(opset);
    Model m(opset);
    m.input("x", {1, 10, 2, 2});
    if (opset < 13) {
      auto& s = m.node("Split", {"x"}, {"a", "b"});
      attr_i(s, "axis", 1);
      attr_ints(s, "split", {4, 6});
    } else {
      m.ints("sz", {4, 6});
      attr_i(m.node("Split", {"x", "sz"}, {"a", "b"}), "axis", 1);
    }
    attr_i(m.node("Split", {"b"}, {"c", "d", "e"}), "axis", 1);  // three equal parts
    m.output("a").output("c").output("d").output("e");
    IMPORT_OK(g, m);
    const ir::Node* n = find_node(g, "a");
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(ir::get_ints(n->attrs, "sizes", {}), (Ints{4, 6}));
    n = find_node(g, "c");
    EXPECT_EQ(ir::get_ints(n->attrs, "sizes", {}), (Ints{2, 2, 2}));
    EXPECT_EQ(out_shape(g, *n, 2), (ir::Shape{1, 2, 2, 2}));
  }
}

TEST(OnnxImport, PoolsReduceResizeUpsampleSoftmax) {
  Model m(10);
  m.input("x", {1, 4, 6, 6});
  m.weight("scales", {4}, 1.0f);
  m.g().mutable_initializer(0)->set_float_data(2, 2.0f);
  m.g().mutable_initializer(0)->set_float_data(3, 0.5f);
  m.node("Resize", {"x", "scales"}, {"rs"});
  m.node("GlobalAveragePool", {"rs"}, {"gap"});
  auto& rm = m.node("ReduceMean", {"x"}, {"rm"});
  attr_ints(rm, "axes", {2, 3});
  attr_i(rm, "keepdims", 0);
  auto& sm = m.node("Softmax", {"rm"}, {"sm"});
  (void)sm;
  m.output("gap").output("sm");
  IMPORT_OK(g, m);
  const ir::Node* n = find_node(g, "rs");
  EXPECT_EQ(n->op, OpKind::kResize);
  EXPECT_EQ(ir::get_floats(n->attrs, "scales", {}), (std::vector<double>{2.0, 0.5}));
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 4, 12, 3}));
  n = find_node(g, "rm");
  EXPECT_EQ(out_shape(g, *n), (ir::Shape{1, 4}));
  EXPECT_EQ(ir::get_int(find_node(g, "sm")->attrs, "axis", -1), 1);  // opset < 13 default

  Model up(9);
  up.input("x", {1, 2, 3, 3});
  up.weight("scales", {4}, 1.0f);
  up.g().mutable_initializer(0)->set_float_data(2, 2.0f);
  up.g().mutable_initializer(0)->set_float_data(3, 2.0f);
  auto& u = up.node("Upsample", {"x", "scales"}, {"u"});
  attr_s(u, "mode", "linear");
  up.output("u");
  IMPORT_OK(g2, up);
  EXPECT_EQ(g2.nodes()[0].op, OpKind::kResize);
  EXPECT_EQ(ir::get_string(g2.nodes()[0].attrs, "mode", ""), "bilinear");
  EXPECT_EQ(out_shape(g2, g2.nodes()[0]), (ir::Shape{1, 2, 6, 6}));

  Model up7(7);
  up7.input("x", {1, 2, 3, 3});
  auto& u7 = up7.node("Upsample", {"x"}, {"u"});
  attr_floats(u7, "scales", {1.0f, 1.0f, 3.0f, 2.0f});
  up7.output("u");
  IMPORT_OK(g3, up7);
  EXPECT_EQ(out_shape(g3, g3.nodes()[0]), (ir::Shape{1, 2, 9, 6}));
}

TEST(OnnxImport, PadFromInputsAndAttributes) {
  Model m(13);
  m.input("x", {1, 2, 3, 3});
  m.ints("pads", {0, 0, 1, 2, 0, 0, 1, 0}).scalar("v", 0.5f);
  auto& p = m.node("Pad", {"x", "pads", "v"}, {"p"});
  attr_s(p, "mode", "constant");
  m.output("p");
  IMPORT_OK(g, m);
  const ir::Node& n = g.nodes()[0];
  EXPECT_EQ(n.op, OpKind::kPad);
  EXPECT_EQ(ir::get_ints(n.attrs, "pads", {}), (Ints{0, 0, 1, 2, 0, 0, 1, 0}));
  EXPECT_EQ(ir::get_float(n.attrs, "value", 0), 0.5);
  EXPECT_EQ(out_shape(g, n), (ir::Shape{1, 2, 5, 5}));

  Model old(2);
  old.input("x", {1, 2, 3, 3});
  auto& po = old.node("Pad", {"x"}, {"p"});
  attr_ints(po, "pads", {0, 0, 1, 1, 0, 0, 1, 1});
  attr_s(po, "mode", "reflect");
  old.output("p");
  IMPORT_OK(g2, old);
  EXPECT_EQ(ir::get_string(g2.nodes()[0].attrs, "mode", ""), "reflect");
}

TEST(OnnxImport, IdentityDropoutAndConstants) {
  Model m;
  m.input("x", {1, 4});
  m.scalar("s", 2.0f);
  m.node("Identity", {"s"}, {"s_alias"});  // an alias of a constant: folded away
  m.node("Mul", {"x", "s_alias"}, {"a"});
  auto& d = m.node("Dropout", {"a"}, {"d"});  // bypassed
  attr_f(d, "ratio", 0.1f);
  m.node("Identity", {"d"}, {"id"});  // on an activation: the IR identity op
  m.node("Relu", {"id"}, {"y"});
  m.output("y");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(g.nodes()[0].op, OpKind::kMul);
  EXPECT_EQ(g.nodes()[1].op, OpKind::kIdentity);
  EXPECT_EQ(g.nodes()[1].inputs[0], g.nodes()[0].outputs[0]);
  EXPECT_EQ(g.nodes()[2].op, OpKind::kRelu);
}

TEST(OnnxImport, SwishFusesOnlyWhenTheSigmoidIsPrivate) {
  Model m;
  m.input("x", {1, 4, 2, 2});
  m.node("Sigmoid", {"x"}, {"s"});
  m.node("Mul", {"s", "x"}, {"swish"});
  m.node("Sigmoid", {"swish"}, {"s2"});
  m.node("Mul", {"swish", "s2"}, {"m2"});
  m.node("Relu", {"s2"}, {"r"});  // s2 has a second consumer: no fusion
  m.output("m2").output("r");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 4u);
  EXPECT_EQ(find_node(g, "swish")->op, OpKind::kSwish);
  EXPECT_EQ(find_node(g, "s2")->op, OpKind::kSigmoid);
  EXPECT_EQ(find_node(g, "m2")->op, OpKind::kMul);
}

TEST(OnnxImport, PyTorchGeluAndChannelShuffle) {
  Model m;
  m.input("x", {1, 8, 4, 4});
  // torch.nn.GELU() before opset 20: x * 0.5 * (1 + erf(x / sqrt 2)), in PyTorch's order.
  m.scalar("sqrt2", 1.4142135f).scalar("one", 1.0f).scalar("half", 0.5f);
  m.node("Div", {"x", "sqrt2"}, {"d"});
  m.node("Erf", {"d"}, {"e"});
  m.node("Add", {"e", "one"}, {"a"});
  m.node("Mul", {"x", "a"}, {"m"});
  m.node("Mul", {"m", "half"}, {"gelu"});
  // ShuffleNet's channel_shuffle: view(b, g, c/g, h, w) -> transpose(1, 2) -> view(b, -1, h, w).
  m.ints("s5", {1, 2, 4, 4, 4}).ints("s4", {1, -1, 4, 4});
  m.node("Reshape", {"gelu", "s5"}, {"r5"});
  auto& t = m.node("Transpose", {"r5"}, {"t"});
  attr_ints(t, "perm", {0, 2, 1, 3, 4});
  m.node("Reshape", {"t", "s4"}, {"shuffled"});
  // The same three ops that are not a shuffle (a different perm) stay three ops.
  m.ints("s5b", {1, 2, 4, 4, 4});
  m.node("Reshape", {"shuffled", "s5b"}, {"q5"});
  auto& t2 = m.node("Transpose", {"q5"}, {"qt"});
  attr_ints(t2, "perm", {0, 1, 2, 4, 3});
  m.node("Reshape", {"qt", "s4"}, {"q"});
  m.output("q");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 5u);
  EXPECT_EQ(g.nodes()[0].op, OpKind::kGelu);
  EXPECT_EQ(g.nodes()[0].name, "gelu");
  EXPECT_EQ(g.nodes()[1].op, OpKind::kChannelShuffle);
  EXPECT_EQ(ir::get_int(g.nodes()[1].attrs, "groups", 0), 2);
  EXPECT_EQ(g.nodes()[2].op, OpKind::kReshape);
  EXPECT_EQ(g.nodes()[3].op, OpKind::kTranspose);
}

TEST(OnnxImport, MicrosoftGeluAndUnsortedNodes) {
  Model m;
  auto* ms = m.proto().add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  m.input("x", {1, 4});
  m.node("Relu", {"g"}, {"y"});  // listed before its producer
  m.node("Gelu", {"x"}, {"g"}).set_domain("com.microsoft");
  m.output("y");
  IMPORT_OK(g, m);
  ASSERT_EQ(g.nodes().size(), 2u);
  auto order = g.topological_order();
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(g.node((*order)[0]).op, OpKind::kGelu);
}

TEST(OnnxImport, InputShapesAndNames) {
  Model m(13, "");
  m.input("x", {-1, 3, 4, 4}, "batch");
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  auto g = formats::import_onnx_bytes(m.bytes(), "/tmp/dir/my_net.onnx");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->name, "my_net");
  EXPECT_EQ(g->value(g->inputs()[0]).shape, (ir::Shape{1, 3, 4, 4}));

  Model sym;
  sym.input("image", {1, 3, -1, 4}, "height");
  sym.node("Relu", {"image"}, {"y"});
  sym.output("y");
  auto r = sym.import();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("input 'image'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("height"), std::string::npos) << r.error().message;

  Model dbl;
  dbl.input("x", {1, 4}, "N", onnx::TensorProto::DOUBLE);
  dbl.node("Relu", {"x"}, {"y"});
  dbl.output("y");
  r = dbl.import();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("DOUBLE"), std::string::npos) << r.error().message;

  // IR version 3 files list initializers among the inputs; they are not graph inputs.
  Model v3;
  v3.input("x", {1, 3});
  v3.input("w", {3, 2});
  v3.weight("w", {3, 2});
  v3.node("MatMul", {"x", "w"}, {"y"});
  v3.output("y");
  IMPORT_OK(g3, v3);
  EXPECT_EQ(g3.inputs().size(), 1u);
  EXPECT_EQ(g3.nodes()[0].op, OpKind::kFullyConnected);
}

TEST(OnnxImport, AllUnknownOpsAreListedInOneError) {
  Model m;
  m.input("x", {1, 4});
  m.node("LeakyRelu", {"x"}, {"a"}, "leaky");
  m.node("Relu", {"a"}, {"b"});
  m.node("Celu", {"b"}, {"c"}, "celu1");
  m.node("Frobnicate", {"c"}, {"d"}, "custom").set_domain("my.domain");
  m.output("d");
  auto r = m.import("net.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  const std::string& msg = r.error().message;
  EXPECT_NE(msg.find("net.onnx: node leaky: unsupported ONNX op 'LeakyRelu'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node celu1: unsupported ONNX op 'Celu'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node custom: unsupported ONNX op 'my.domain.Frobnicate'"), std::string::npos) << msg;
}

TEST(OnnxImport, ShapeMismatchWithOnnxNamesTheNode) {
  Model m;
  m.input("x", {1, 3, 8, 8});
  m.weight("w", {4, 3, 3, 3});
  m.node("Conv", {"x", "w"}, {"c"}, "conv_a");
  m.node("Relu", {"c"}, {"y"});
  m.output("y");
  // A value_info that contradicts the model: ONNX keeps it, nnlat infers 1x4x6x6.
  auto* vi = m.g().add_value_info();
  vi->set_name("c");
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1, 4, 7, 7}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  auto r = m.import();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kShapeError);
  EXPECT_NE(r.error().message.find("node conv_a"), std::string::npos) << r.error().message;
}

TEST(OnnxImport, HintsThatDisagreeAreIgnored) {
  // An edited nnlat export: the doc_string says stride 1, the ONNX attributes say stride 2.
  Model m;
  m.input("x", {1, 3, 8, 8});
  m.weight("w", {4, 3, 3, 3});
  auto& c = m.node("Conv", {"x", "w"}, {"y"});
  attr_ints(c, "strides", {2, 2});
  c.set_doc_string(
      R"(nnlat:{"op":"conv2d","attrs":{"out_channels":{"int":4},"kernel":{"ints":[3,3]},"stride":{"ints":[1,1]}}})");
  m.output("y");
  // A hint with an attribute the op does not have, and one that is not JSON.
  auto& r = m.node("Relu", {"y"}, {"r"});
  r.set_doc_string(R"(nnlat:{"op":"relu","attrs":{"bogus":{"int":1}}})");
  auto& s = m.node("Sigmoid", {"r"}, {"s"});
  s.set_doc_string("nnlat:{not json");
  m.output("s");
  IMPORT_OK(g, m);
  EXPECT_EQ(ir::get_ints(g.nodes()[0].attrs, "stride", {}), (Ints{2, 2}));
  EXPECT_EQ(out_shape(g, g.nodes()[0]), (ir::Shape{1, 4, 3, 3}));
  EXPECT_TRUE(g.nodes()[1].attrs.empty());
  EXPECT_EQ(g.nodes()[2].op, OpKind::kSigmoid);
}

// ---- malformed input ------------------------------------------------------------------------

std::string exported_model() {
  auto g = ir::GraphBuilder::run([] {
    ir::GraphBuilder b("victim");
    auto x = b.input({1, 3, 16, 16});
    x = b.conv_bn_act(x, 8, 3, 2, 1, ir::Act::kRelu6);
    x = b.squeeze_excite(x, 4, ir::Act::kRelu, ir::Act::kHardSigmoid);
    x = b.channel_shuffle(x, 2);
    x = b.activation(x, ir::Act::kSwish);
    return b.finish({b.classifier(x, 10)});
  });
  EXPECT_TRUE(g.ok());
  auto bytes = formats::export_onnx_bytes(*g, 11);
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

// Imports `bytes`; never throws; an error names the source; a success is a verified graph.
bool try_import(const std::string& bytes, const std::string& source) {
  Result<ir::Graph> r = make_error(ErrorCode::kInternal, "not run");
  EXPECT_NO_THROW(r = formats::import_onnx_bytes(bytes, source));
  if (!r.ok()) {
    EXPECT_EQ(r.error().message.rfind(source + ":", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().code, ErrorCode::kInternal) << r.error().message;
    return false;
  }
  EXPECT_TRUE(ir::verify(*r).ok());
  return true;
}

TEST(OnnxMalformed, EmptyWrongMagicAndMissingFiles) {
  auto r = formats::import_onnx_bytes("", "empty.onnx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParseError);
  EXPECT_EQ(r.error().message, "empty.onnx: not a valid ONNX model (empty file)");

  for (const std::string& bytes :
       {std::string("\x1c\x00\x00\x00TFL3\x00\x00\x00\x00", 12), std::string("{\"nnlat_graph\": 1, \"nodes\": []}\n"),
        std::string("PK\x03\x04 not a zip either"), std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10),
        std::string(1000, '\0'), std::string("\x08\x07", 2) /* ir_version only */}) {
    r = formats::import_onnx_bytes(bytes, "magic.onnx");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kParseError);
    EXPECT_EQ(r.error().message.rfind("magic.onnx: not a valid ONNX model (", 0), 0u) << r.error().message;
  }

  const auto dir = std::filesystem::temp_directory_path() / ("nnlat_onnx_malformed_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string empty = (dir / "empty.onnx").string();
  std::ofstream(empty).close();
  r = formats::import_onnx_file(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, empty + ": not a valid ONNX model (empty file)");
  r = formats::import_onnx_file((dir / "missing.onnx").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing.onnx"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(OnnxMalformed, TruncatedCopies) {
  const std::string bytes = exported_model();
  ASSERT_TRUE(try_import(bytes, "full.onnx"));
  // The graph (with its initializers) is nearly the whole file; any cut inside it fails.
  int errors = 0;
  int cuts = 0;
  for (size_t cut = 1; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
    ++cuts;
    const bool ok = try_import(bytes.substr(0, cut), "cut.onnx");
    if (cut < bytes.size() * 9 / 10) {
      EXPECT_FALSE(ok) << "cut at " << cut << " of " << bytes.size();
    }
    errors += ok ? 0 : 1;
  }
  for (size_t cut = 1; cut < 64; ++cut) EXPECT_FALSE(try_import(bytes.substr(0, cut), "cut.onnx"));
  EXPECT_GE(errors, cuts * 9 / 10);
}

TEST(OnnxMalformed, ByteCorruptedCopies) {
  const std::string bytes = exported_model();
  std::mt19937_64 rng(1234);
  int errors = 0;
  constexpr int kCopies = 400;
  for (int i = 0; i < kCopies; ++i) {
    std::string copy = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    // Half the copies are hit in the first 512 bytes, where the structure (not weights) is.
    const size_t span = i % 2 ? copy.size() : std::min<size_t>(512, copy.size());
    for (int f = 0; f < flips; ++f) copy[rng() % span] = static_cast<char>(rng() & 0xff);
    errors += try_import(copy, "corrupt.onnx") ? 0 : 1;
  }
  EXPECT_GT(errors, 0);
}

TEST(OnnxMalformed, StructuralErrors) {
  {  // cycle
    Model m;
    m.input("x", {1, 4});
    m.node("Add", {"x", "b"}, {"a"}, "n1");
    m.node("Relu", {"a"}, {"b"}, "n2");
    m.output("b");
    auto r = m.import("cycle.onnx");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kGraphError);
    EXPECT_NE(r.error().message.find("cycle.onnx: cycle in graph through node n1"), std::string::npos)
        << r.error().message;
  }
  {  // self loop
    Model m;
    m.input("x", {1, 4});
    m.node("Add", {"x", "a"}, {"a"}, "self");
    m.output("a");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kGraphError);
  }
  {  // undefined input
    Model m;
    m.input("x", {1, 4});
    m.node("Relu", {"nowhere"}, {"y"}, "lost");
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("node lost"), std::string::npos);
    EXPECT_NE(r.error().message.find("'nowhere'"), std::string::npos);
  }
  {  // two producers
    Model m;
    m.input("x", {1, 4});
    m.node("Relu", {"x"}, {"y"}, "p1");
    m.node("Sigmoid", {"x"}, {"y"}, "p2");
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kGraphError);
  }
  {  // bad initializer data
    Model m;
    m.input("x", {1, 3, 4, 4});
    m.weight("w", {2, 3, 1, 1});
    m.g().mutable_initializer(0)->add_dims(5);  // now claims 30 values, holds 6
    m.node("Conv", {"x", "w"}, {"y"});
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kParseError);
    EXPECT_NE(r.error().message.find("tensor 'w'"), std::string::npos) << r.error().message;
  }
  {  // wrong attribute type
    Model m;
    m.input("x", {1, 3, 4, 4});
    auto& p = m.node("MaxPool", {"x"}, {"y"}, "pool");
    attr_f(p, "kernel_shape", 2.0f);
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("node pool (MaxPool): attribute 'kernel_shape' must be INTS"), std::string::npos)
        << r.error().message;
  }
  {  // no opset
    Model m;
    m.proto().clear_opset_import();
    m.input("x", {1, 4});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kParseError);
  }
  {  // IR shape rule rejects what ONNX allows
    Model m;
    m.input("x", {1, 4});
    m.node("GlobalAveragePool", {"x"}, {"y"}, "gap");
    m.output("y");
    auto r = m.import();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("node gap"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace nnlat
