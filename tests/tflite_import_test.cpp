// TFLite import of models built directly with the FlatBuffers API generated from our schema
// (not through nnlat's writer): fused activations, SAME padding, NHWC -> NCHW shapes and
// axes, reshape/flatten rules, quantize ops and constants; and malformed files: empty,
// truncated, corrupted, wrong identifier, unknown ops -> clean errors naming the file.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "formats/tflite/tflite_schema.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat {
namespace {

namespace fb = nnlat::tflite_fb;
using ir::OpKind;
using ir::Shape;
using Ints = std::vector<int64_t>;
using Act = fb::ActivationFunctionType;
using Op = fb::BuiltinOperator;

// A tiny TFLite writer over the generated API, independent of nnlat's exporter.
class ModelBuilder {
 public:
  ModelBuilder() { buffers_.push_back(fb::CreateBuffer(fbb_)); }

  int32_t tensor(const std::string& name, std::vector<int32_t> shape, fb::TensorType type = fb::TensorType::FLOAT32,
                 const std::vector<uint8_t>& data = {}) {
    uint32_t buffer = 0;
    if (!data.empty()) {
      buffers_.push_back(fb::CreateBuffer(fbb_, fbb_.CreateVector(data)));
      buffer = static_cast<uint32_t>(buffers_.size() - 1);
    }
    tensors_.push_back(fb::CreateTensorDirect(fbb_, &shape, type, buffer, name.c_str()));
    return static_cast<int32_t>(tensors_.size() - 1);
  }
  int32_t ints(const std::string& name, const std::vector<int32_t>& values, std::vector<int32_t> shape) {
    std::vector<uint8_t> data(values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i) flatbuffers::WriteScalar<int32_t>(data.data() + 4 * i, values[i]);
    return tensor(name, std::move(shape), fb::TensorType::INT32, data);
  }
  int32_t floats(const std::string& name, std::vector<int32_t> shape, float value = 0.5f) {
    size_t n = 1;
    for (int32_t d : shape) n *= static_cast<size_t>(d);
    std::vector<uint8_t> data(n * 4);
    for (size_t i = 0; i < n; ++i) flatbuffers::WriteScalar<float>(data.data() + 4 * i, value);
    return tensor(name, std::move(shape), fb::TensorType::FLOAT32, data);
  }
  // A constant whose data lies outside the FlatBuffer, at `offset` in the file (how models
  // over 2 GB store their weights).
  int32_t external(const std::string& name, std::vector<int32_t> shape, fb::TensorType type, uint64_t offset,
                   uint64_t size) {
    buffers_.push_back(fb::CreateBuffer(fbb_, 0, offset, size));
    tensors_.push_back(
        fb::CreateTensorDirect(fbb_, &shape, type, static_cast<uint32_t>(buffers_.size() - 1), name.c_str()));
    return static_cast<int32_t>(tensors_.size() - 1);
  }
  // `old_style`: only the deprecated byte code is filled, as files from older converters.
  void op(Op code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
          fb::BuiltinOptions type = fb::BuiltinOptions::NONE, flatbuffers::Offset<void> options = 0,
          bool old_style = false, const std::string& custom = "") {
    const auto key = std::make_pair(static_cast<int32_t>(code), custom);
    auto [it, inserted] = code_index_.emplace(key, static_cast<uint32_t>(codes_.size()));
    if (inserted) {
      const auto c = static_cast<int32_t>(code);
      const auto custom_code = custom.empty() ? 0 : fbb_.CreateString(custom);
      codes_.push_back(old_style
                           ? fb::CreateOperatorCode(fbb_, static_cast<int8_t>(c), custom_code, 1, Op::ADD)
                           : fb::CreateOperatorCode(fbb_, static_cast<int8_t>(std::min(c, 127)), custom_code, 1, code));
    }
    operators_.push_back(fb::CreateOperatorDirect(fbb_, it->second, &inputs, &outputs, type, options));
  }
  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }

  std::string finish(std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs = {
        fb::CreateSubGraphDirect(fbb_, &tensors_, &inputs, &outputs, &operators_, "main")};
    fb::FinishModelBuffer(fbb_, fb::CreateModelDirect(fbb_, 3, &codes_, &subgraphs, "test", &buffers_));
    return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
  }

 private:
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Operator>> operators_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes_;
  std::map<std::pair<int32_t, std::string>, uint32_t> code_index_;
};

std::vector<OpKind> kinds(const ir::Graph& g) {
  std::vector<OpKind> k;
  for (const auto& n : g.nodes()) k.push_back(n.op);
  return k;
}

const ir::Node& node_named(const ir::Graph& g, const std::string& name) {
  for (const auto& n : g.nodes()) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no node " << name;
  return g.nodes().front();
}

Shape shape_of(const ir::Graph& g, const std::string& value) { return g.value(*g.find_value(value)).shape; }

// conv (SAME, stride 2, fused RELU6) -> depthwise x2 (fused RELU) -> 1x1 conv (VALID) ->
// add (fused RELU_N1_TO_1) -> max pool -> concat on channels -> mean over H, W ->
// fully-connected (no bias, fused TANH) -> GELU (code > 127) -> softmax.
std::string mobile_block_model() {
  ModelBuilder m;
  auto& f = m.fbb();
  const int32_t image = m.tensor("image", {1, 16, 16, 3});
  const int32_t conv = m.tensor("conv", {1, 8, 8, 8});
  m.op(Op::CONV_2D, {image, m.floats("conv/w", {8, 3, 3, 3}), m.floats("conv/b", {8})}, {conv},
       fb::BuiltinOptions::Conv2DOptions, fb::CreateConv2DOptions(f, fb::Padding::SAME, 2, 2, Act::RELU6).Union());
  const int32_t dw = m.tensor("dw", {1, 8, 8, 16});
  m.op(Op::DEPTHWISE_CONV_2D, {conv, m.floats("dw/w", {1, 3, 3, 16})}, {dw}, fb::BuiltinOptions::DepthwiseConv2DOptions,
       fb::CreateDepthwiseConv2DOptions(f, fb::Padding::SAME, 1, 1, 2, Act::RELU).Union(), /*old_style=*/true);
  const int32_t pw = m.tensor("pw", {1, 8, 8, 16});
  m.op(Op::CONV_2D, {dw, m.floats("pw/w", {16, 1, 1, 16}), -1}, {pw}, fb::BuiltinOptions::Conv2DOptions,
       fb::CreateConv2DOptions(f, fb::Padding::VALID, 1, 1).Union());
  const int32_t sum = m.tensor("sum", {1, 8, 8, 16});
  m.op(Op::ADD, {dw, pw}, {sum}, fb::BuiltinOptions::AddOptions, fb::CreateAddOptions(f, Act::RELU_N1_TO_1).Union());
  const int32_t pool = m.tensor("pool", {1, 4, 4, 16});
  m.op(Op::MAX_POOL_2D, {sum}, {pool}, fb::BuiltinOptions::Pool2DOptions,
       fb::CreatePool2DOptions(f, fb::Padding::VALID, 2, 2, 2, 2).Union());
  const int32_t cat = m.tensor("cat", {1, 4, 4, 32});
  m.op(Op::CONCATENATION, {pool, pool}, {cat}, fb::BuiltinOptions::ConcatenationOptions,
       fb::CreateConcatenationOptions(f, -1).Union());
  const int32_t mean = m.tensor("mean", {1, 32});
  m.op(Op::MEAN, {cat, m.ints("mean/axes", {1, 2}, {2})}, {mean}, fb::BuiltinOptions::ReducerOptions,
       fb::CreateReducerOptions(f, false).Union());
  const int32_t fc = m.tensor("fc", {1, 10});
  m.op(Op::FULLY_CONNECTED, {mean, m.floats("fc/w", {10, 32}), -1}, {fc}, fb::BuiltinOptions::FullyConnectedOptions,
       fb::CreateFullyConnectedOptions(f, Act::TANH).Union());
  const int32_t gelu = m.tensor("gelu", {1, 10});
  m.op(Op::GELU, {fc}, {gelu}, fb::BuiltinOptions::GeluOptions, fb::CreateGeluOptions(f, true).Union());
  const int32_t prob = m.tensor("prob", {1, 10});
  m.op(Op::SOFTMAX, {gelu}, {prob}, fb::BuiltinOptions::SoftmaxOptions, fb::CreateSoftmaxOptions(f, 1.0f).Union());
  return m.finish({image}, {prob});
}

TEST(TfliteImport, BuilderModelWithFusedActivationsAndSamePadding) {
  auto g = formats::import_tflite_bytes(mobile_block_model(), "block.tflite");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::kConv2d, OpKind::kRelu6, OpKind::kDepthwiseConv2d, OpKind::kRelu,
                                            OpKind::kConv2d, OpKind::kAdd, OpKind::kClamp, OpKind::kMaxPool2d,
                                            OpKind::kConcat, OpKind::kReduceMean, OpKind::kFullyConnected,
                                            OpKind::kTanh, OpKind::kGelu, OpKind::kSoftmax}));
  EXPECT_EQ(g->value(g->inputs()[0]).shape, (Shape{1, 3, 16, 16}));
  EXPECT_EQ(shape_of(*g, "conv"), (Shape{1, 8, 8, 8}));
  EXPECT_EQ(shape_of(*g, "dw"), (Shape{1, 16, 8, 8}));
  EXPECT_EQ(shape_of(*g, "cat"), (Shape{1, 32, 4, 4}));
  EXPECT_EQ(shape_of(*g, "mean"), (Shape{1, 32}));
  EXPECT_EQ(shape_of(*g, "prob"), (Shape{1, 10}));

  const ir::Node& conv = node_named(*g, "conv");
  EXPECT_EQ(conv.attrs, (ir::Attrs{{"out_channels", int64_t{8}},
                                   {"kernel", Ints{3, 3}},
                                   {"stride", Ints{2, 2}},
                                   {"padding", std::string("same")},
                                   {"bias", int64_t{1}}}));
  EXPECT_EQ(g->value(conv.outputs[0]).name, "conv:pre_act");
  const ir::Node& dw = node_named(*g, "dw");
  EXPECT_EQ(ir::get_int(dw.attrs, "multiplier", 1), 2);
  EXPECT_FALSE(dw.attrs.contains("bias"));
  EXPECT_FALSE(node_named(*g, "pw").attrs.contains("bias"));
  EXPECT_EQ(ir::get_string(node_named(*g, "pw").attrs, "padding", ""), "valid");
  const ir::Node& clamp = node_named(*g, "sum:clamp");
  EXPECT_EQ(ir::get_float(clamp.attrs, "min", 0), -1.0);
  EXPECT_EQ(ir::get_float(clamp.attrs, "max", 0), 1.0);
  EXPECT_EQ(ir::get_int(node_named(*g, "cat").attrs, "axis", -9), 1);  // NHWC -1 -> NCHW 1
  EXPECT_EQ(ir::get_ints(node_named(*g, "mean").attrs, "axes", {}), (Ints{2, 3}));
  EXPECT_EQ(ir::get_int(node_named(*g, "mean").attrs, "keepdims", -1), 0);
  EXPECT_EQ(ir::get_int(node_named(*g, "fc").attrs, "bias", -1), 0);
  EXPECT_EQ(ir::get_string(node_named(*g, "gelu").attrs, "approximate", ""), "tanh");
  EXPECT_EQ(ir::get_int(node_named(*g, "prob").attrs, "axis", -9), 1);

  const auto cost = ir::graph_cost(*g).total;
  const int64_t conv_macs = 8 * 8 * 8 * 27;
  const int64_t dw_macs = 16 * 8 * 8 * 9;
  const int64_t pw_macs = 16 * 8 * 8 * 16;
  EXPECT_EQ(cost.macs, conv_macs + dw_macs + pw_macs + 320);
  EXPECT_EQ(cost.params, (8 * 27 + 8) + 16 * 9 + 16 * 16 + 320);
}

// RESHAPE of NHWC data: [N,1,1,C] -> [N,C] is a flatten; [N,H,W,C] -> [N,H*W*C] with H*W > 1
// reads NHWC memory order, so the IR transposes to NHWC before reshaping;
// TRANSPOSE(0,3,1,2) + RESHAPE (torch.flatten as converters write it) is one flatten.
TEST(TfliteImport, ReshapeFlattenAndLayout) {
  ModelBuilder m;
  auto& f = m.fbb();
  const int32_t x = m.tensor("x", {1, 4, 4, 8});
  const int32_t rows = m.tensor("rows", {1, 128});
  m.op(Op::RESHAPE, {x, m.ints("rows/shape", {1, -1}, {2})}, {rows}, fb::BuiltinOptions::ReshapeOptions,
       fb::CreateReshapeOptionsDirect(f, nullptr).Union());
  const int32_t fc = m.tensor("fc", {1, 8});
  m.op(Op::FULLY_CONNECTED, {rows, m.floats("fc/w", {8, 128}), m.floats("fc/b", {8})}, {fc});
  const int32_t nchw = m.tensor("nchw", {1, 8, 4, 4});
  m.op(Op::TRANSPOSE, {x, m.ints("perm", {0, 3, 1, 2}, {4})}, {nchw});
  const int32_t flat = m.tensor("flat", {1, 128});
  m.op(Op::RESHAPE, {nchw, m.ints("flat/shape", {1, 128}, {2})}, {flat});
  const int32_t gap = m.tensor("gap", {1, 1, 1, 8});
  m.op(Op::MEAN, {x, m.ints("gap/axes", {1, 2}, {2})}, {gap}, fb::BuiltinOptions::ReducerOptions,
       fb::CreateReducerOptions(f, true).Union());
  const int32_t squeezed = m.tensor("squeezed", {1, 8});
  m.op(Op::RESHAPE, {gap, m.ints("sq/shape", {1, 8}, {2})}, {squeezed});
  const int32_t direct = m.tensor("direct", {1, 5});  // FULLY_CONNECTED straight on NHWC
  m.op(Op::FULLY_CONNECTED, {x, m.floats("direct/w", {5, 128}), -1}, {direct});
  auto g = formats::import_tflite_bytes(m.finish({x}, {fc, flat, squeezed, direct}), "reshape.tflite");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kReshape, OpKind::kFullyConnected,
                                            OpKind::kFlatten, OpKind::kGlobalAvgPool, OpKind::kFlatten,
                                            OpKind::kTranspose, OpKind::kReshape, OpKind::kFullyConnected}));
  EXPECT_EQ(node_named(*g, "rows:to_nhwc").attrs.at("perm"), ir::AttrValue(Ints{0, 2, 3, 1}));
  EXPECT_EQ(g->nodes()[3].inputs[0], g->inputs()[0]);  // the flatten reads x: the transpose was folded
  EXPECT_EQ(shape_of(*g, "gap"), (Shape{1, 8, 1, 1}));
  EXPECT_EQ(shape_of(*g, "direct"), (Shape{1, 5}));
  EXPECT_FALSE(g->find_value("nchw").has_value());
}

TEST(TfliteImport, PadResizeSplitTransposeAndScalars) {
  ModelBuilder m;
  auto& f = m.fbb();
  const int32_t x = m.tensor("x", {1, 6, 6, 4});
  const int32_t padded = m.tensor("padded", {1, 8, 10, 4});
  m.op(Op::PAD, {x, m.ints("paddings", {0, 0, 1, 1, 2, 2, 0, 0}, {4, 2})}, {padded});
  const int32_t up = m.tensor("up", {1, 16, 20, 4});
  m.op(Op::RESIZE_NEAREST_NEIGHBOR, {padded, m.ints("size", {16, 20}, {2})}, {up});
  const int32_t a = m.tensor("a", {1, 16, 20, 2});
  const int32_t b = m.tensor("b", {1, 16, 20, 2});
  m.op(Op::SPLIT, {m.ints("axis", {3}, {}), up}, {a, b}, fb::BuiltinOptions::SplitOptions,
       fb::CreateSplitOptions(f, 2).Union());
  const int32_t scaled = m.tensor("scaled", {1, 16, 20, 2});
  m.op(Op::MUL, {a, m.floats("half", {1}, 0.5f)}, {scaled}, fb::BuiltinOptions::MulOptions,
       fb::CreateMulOptions(f, Act::RELU).Union());
  const int32_t t = m.tensor("t", {1, 20, 16, 2});
  m.op(Op::TRANSPOSE, {scaled, m.ints("perm", {0, 2, 1, 3}, {4})}, {t});
  const int32_t bias = m.tensor("bias", {2});
  const int32_t sum = m.tensor("sum", {1, 16, 20, 2});
  m.op(Op::ADD, {b, bias}, {sum});  // rank-1 activation broadcast against NHWC
  auto g = formats::import_tflite_bytes(m.finish({x, bias}, {t, sum}), "misc.tflite");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(ir::get_ints(node_named(*g, "padded").attrs, "pads", {}), (Ints{0, 0, 1, 2, 0, 0, 1, 2}));
  EXPECT_EQ(ir::get_string(node_named(*g, "up").attrs, "mode", ""), "nearest");
  EXPECT_EQ(ir::get_ints(node_named(*g, "up").attrs, "size", {}), (Ints{16, 20}));
  EXPECT_EQ(ir::get_int(node_named(*g, "a:split").attrs, "axis", -9), 1);
  EXPECT_EQ(shape_of(*g, "b"), (Shape{1, 2, 16, 20}));
  EXPECT_EQ(ir::get_float(node_named(*g, "scaled").attrs, "scalar", 0), 0.5);
  EXPECT_EQ(node_named(*g, "scaled").inputs.size(), 1u);
  EXPECT_EQ(ir::get_ints(node_named(*g, "t").attrs, "perm", {}), (Ints{0, 1, 3, 2}));
  EXPECT_EQ(shape_of(*g, "t"), (Shape{1, 2, 20, 16}));
  EXPECT_EQ(shape_of(*g, "sum"), (Shape{1, 2, 16, 20}));
}

// A fully-int8 model as the converter writes it: QUANTIZE in, int8 conv, DEQUANTIZE out;
// float16 weights reach their conv through DEQUANTIZE (a constant, not a kernel).
TEST(TfliteImport, QuantizeDequantizeAndFloat16Weights) {
  ModelBuilder m;
  auto& f = m.fbb();
  const int32_t x = m.tensor("x", {1, 8, 8, 3});
  const int32_t q = m.tensor("q", {1, 8, 8, 3}, fb::TensorType::INT8);
  m.op(Op::QUANTIZE, {x}, {q});
  const int32_t w8 = m.tensor("w8", {4, 1, 1, 3}, fb::TensorType::INT8, std::vector<uint8_t>(12, 1));
  const int32_t c = m.tensor("c", {1, 8, 8, 4}, fb::TensorType::INT8);
  m.op(Op::CONV_2D, {q, w8, -1}, {c}, fb::BuiltinOptions::Conv2DOptions,
       fb::CreateConv2DOptions(f, fb::Padding::SAME, 1, 1).Union());
  const int32_t d = m.tensor("d", {1, 8, 8, 4});
  m.op(Op::DEQUANTIZE, {c}, {d});
  const int32_t w16 = m.tensor("w16", {2, 3, 3, 4}, fb::TensorType::FLOAT16, std::vector<uint8_t>(144, 0));
  const int32_t w32 = m.tensor("w32", {2, 3, 3, 4});
  m.op(Op::DEQUANTIZE, {w16}, {w32});
  const int32_t y = m.tensor("y", {1, 8, 8, 2});
  m.op(Op::CONV_2D, {d, w32}, {y}, fb::BuiltinOptions::Conv2DOptions,
       fb::CreateConv2DOptions(f, fb::Padding::SAME, 1, 1).Union());
  auto g = formats::import_tflite_bytes(m.finish({x}, {y}), "quant.tflite");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::kIdentity, OpKind::kConv2d, OpKind::kIdentity, OpKind::kConv2d}));
  EXPECT_EQ(shape_of(*g, "y"), (Shape{1, 2, 8, 8}));
}

TEST(TfliteImport, ConstantDataOutsideTheFlatBuffer) {
  auto build = [](uint64_t offset) {
    ModelBuilder m;
    const int32_t x = m.tensor("x", {1, 2, 2, 3});
    const int32_t y = m.tensor("y", {1, 12});
    m.op(Op::RESHAPE, {x, m.external("shape", {2}, fb::TensorType::INT32, offset, 8)}, {y});
    return m.finish({x}, {y});
  };
  // The FlatBuffer's size does not depend on the offset's value: build once to learn it.
  const size_t size = build(1000).size();
  std::string bytes = build(size);
  std::string data(8, '\0');
  flatbuffers::WriteScalar<int32_t>(reinterpret_cast<uint8_t*>(data.data()), 1);
  flatbuffers::WriteScalar<int32_t>(reinterpret_cast<uint8_t*>(data.data()) + 4, 12);
  auto g = formats::import_tflite_bytes(bytes + data, "big.tflite");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kReshape}));
  EXPECT_EQ(shape_of(*g, "y"), (Shape{1, 12}));

  auto cut = formats::import_tflite_bytes(bytes + data.substr(0, 4), "big.tflite");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("beyond the end of the file"), std::string::npos) << cut.error().message;
}

// ---- malformed and unsupported ------------------------------------------------------------

void expect_clean_error(const Result<ir::Graph>& r, const std::string& file, const std::string& what) {
  if (r.ok()) return;
  EXPECT_EQ(r.error().message.rfind(file + ": ", 0), 0u) << what << ": " << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << what << ": " << r.error().message;
}

TEST(TfliteMalformed, EmptyShortAndWrongIdentifier) {
  auto empty = formats::import_tflite_bytes("", "e.tflite");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kParseError);
  EXPECT_EQ(empty.error().message, "e.tflite: not a valid TFLite model (empty file)");

  auto short_file = formats::import_tflite_bytes("TFL", "s.tflite");
  ASSERT_FALSE(short_file.ok());
  EXPECT_NE(short_file.error().message.find("s.tflite: not a valid TFLite model"), std::string::npos);

  std::string wrong = mobile_block_model();
  wrong.replace(4, 4, "ONNX");
  auto magic = formats::import_tflite_bytes(wrong, "w.tflite");
  ASSERT_FALSE(magic.ok());
  EXPECT_EQ(magic.error().code, ErrorCode::kParseError);
  EXPECT_EQ(magic.error().message.rfind("w.tflite: wrong magic", 0), 0u) << magic.error().message;

  auto missing = formats::import_tflite_file("/nonexistent/dir/m.tflite");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/dir/m.tflite"), std::string::npos);
}

TEST(TfliteMalformed, TruncatedAtEveryCutPoint) {
  const std::string bytes = mobile_block_model();
  int accepted = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = formats::import_tflite_bytes(bytes.substr(0, cut), "cut.tflite");
    expect_clean_error(r, "cut.tflite", "cut at " + std::to_string(cut));
    accepted += r.ok();
  }
  EXPECT_EQ(accepted, 0);
}

TEST(TfliteMalformed, CorruptedBytesNeverCrash) {
  const std::string bytes = mobile_block_model();
  std::mt19937_64 rng(1234);
  int rejected = 0;
  const int trials = 3000;
  for (int i = 0; i < trials; ++i) {
    std::string bad = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = static_cast<char>(rng() & 0xff);
    auto r = formats::import_tflite_bytes(bad, "bad.tflite");
    expect_clean_error(r, "bad.tflite", "trial " + std::to_string(i));
    if (r.ok()) {
      EXPECT_TRUE(ir::verify(*r).ok());  // whatever was accepted is a valid graph
    } else {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(TfliteMalformed, UnknownOpsAreListedByNameAndIndex) {
  ModelBuilder m;
  const int32_t x = m.tensor("x", {1, 4, 8});
  const int32_t a = m.tensor("a", {1, 4, 8});
  m.op(Op::RELU, {x}, {a});
  const int32_t b = m.tensor("b", {1, 4, 8});
  m.op(Op::LSTM, {a}, {b});
  const int32_t c = m.tensor("c", {1, 4, 8});
  m.op(Op::CUSTOM, {b}, {c}, fb::BuiltinOptions::NONE, 0, false, "MyFancyOp");
  const int32_t d = m.tensor("d", {1, 4, 8});
  m.op(static_cast<Op>(400), {c}, {d});
  auto r = formats::import_tflite_bytes(m.finish({x}, {d}), "lstm.tflite");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(r.error().message,
            "lstm.tflite: unsupported TFLite operators: LSTM (operator 1), CUSTOM(MyFancyOp) (operator 2), "
            "BUILTIN_400 (operator 3)");
}

TEST(TfliteMalformed, BadIndicesConstantsAndShapesAreCleanErrors) {
  {  // operator input beyond the tensor list
    ModelBuilder m;
    const int32_t x = m.tensor("x", {1, 4});
    const int32_t y = m.tensor("y", {1, 4});
    m.op(Op::RELU, {x + 7}, {y});
    auto r = formats::import_tflite_bytes(m.finish({x}, {y}), "idx.tflite");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("idx.tflite: operator 0 (RELU): input tensor index 7 out of range"),
              std::string::npos)
        << r.error().message;
  }
  {  // a non-scalar constant operand has no IR form
    ModelBuilder m;
    const int32_t x = m.tensor("x", {1, 4, 4, 3});
    const int32_t y = m.tensor("y", {1, 4, 4, 3});
    m.op(Op::ADD, {x, m.floats("per_channel", {3})}, {y});
    auto r = formats::import_tflite_bytes(m.finish({x}, {y}), "const.tflite");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(r.error().message.find("per_channel"), std::string::npos) << r.error().message;
  }
  {  // the file's tensor shape disagrees with what the op computes
    ModelBuilder m;
    const int32_t x = m.tensor("x", {1, 8, 8, 3});
    const int32_t y = m.tensor("y", {1, 8, 8, 4});  // VALID 3x3 gives 6x6
    m.op(Op::CONV_2D, {x, m.floats("w", {4, 3, 3, 3})}, {y}, fb::BuiltinOptions::Conv2DOptions,
         fb::CreateConv2DOptions(m.fbb(), fb::Padding::VALID, 1, 1).Union());
    auto r = formats::import_tflite_bytes(m.finish({x}, {y}), "shape.tflite");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kShapeError);
    EXPECT_NE(r.error().message.find("tensor 'y'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("1x4x6x6"), std::string::npos) << r.error().message;
  }
  {  // conv without its options table
    ModelBuilder m;
    const int32_t x = m.tensor("x", {1, 8, 8, 3});
    const int32_t y = m.tensor("y", {1, 8, 8, 4});
    m.op(Op::CONV_2D, {x, m.floats("w", {4, 3, 3, 3})}, {y});
    auto r = formats::import_tflite_bytes(m.finish({x}, {y}), "opts.tflite");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("Conv2DOptions"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace nnlat
