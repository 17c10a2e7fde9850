// The op table carries its facts (docs/ir.md "The op table"): each rule row belongs to the
// op of ops.inc it names, declared defaults have their attribute's type and are what readers
// get, and every op has a kernel family and traits.
#include "nnlat/ir/op_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <variant>

#include "nnlat/ir/graph.hpp"

namespace nnlat {
namespace {

using ir::ActivationClass;
using ir::KernelFamily;
using ir::OpKind;
using ir::OpTrait;

struct ListedOp {
  OpKind kind;
  std::string_view name;
};
// ops.inc read here independently of op_table.cpp.
constexpr ListedOp kListed[] = {
#define NNLAT_OP(id, nm, min_in, max_in, outs, onnx, tflite) {OpKind::id, nm},
#include "nnlat/ir/ops.inc"
#undef NNLAT_OP
};

TEST(OpTable, EveryRuleRowBelongsToTheOpItNames) {
  ASSERT_EQ(ir::all_ops().size(), std::size(kListed));
  for (size_t i = 0; i < std::size(kListed); ++i) {
    const ir::OpInfo& info = ir::op_info(kListed[i].kind);
    EXPECT_EQ(info.kind, kListed[i].kind) << kListed[i].name;
    EXPECT_EQ(info.name, kListed[i].name);
    EXPECT_EQ(&ir::all_ops()[i], &info) << kListed[i].name;
    EXPECT_EQ(ir::op_from_name(kListed[i].name), kListed[i].kind);
  }
}

TEST(OpTable, DeclaredDefaultsHaveTheAttributeType) {
  int declared = 0;
  for (const auto& info : ir::all_ops()) {
    for (const auto& spec : info.attrs) {
      const ir::AttrDefault& d = spec.fallback;
      if (std::holds_alternative<std::monostate>(d)) continue;
      ++declared;
      const ir::AttrType expected = std::holds_alternative<int64_t>(d)  ? ir::AttrType::kInt
                                    : std::holds_alternative<double>(d) ? ir::AttrType::kFloat
                                                                        : ir::AttrType::kString;
      EXPECT_EQ(spec.type, expected) << info.name << "." << spec.name;
      EXPECT_FALSE(spec.required) << info.name << "." << spec.name << ": a required attribute needs no default";
    }
  }
  EXPECT_GT(declared, 15);
}

TEST(OpTable, ReadersGetTheDeclaredDefaults) {
  const ir::Attrs none;
  EXPECT_EQ(ir::attr_int(OpKind::kConv2d, none, "groups"), 1);
  EXPECT_EQ(ir::attr_int(OpKind::kConv2d, none, "bias"), 0);
  EXPECT_EQ(ir::attr_int(OpKind::kDepthwiseConv2d, none, "bias"), 0);
  EXPECT_EQ(ir::attr_int(OpKind::kDepthwiseConv2d, none, "multiplier"), 1);
  EXPECT_EQ(ir::attr_int(OpKind::kFullyConnected, none, "bias"), 1);
  EXPECT_EQ(ir::attr_float(OpKind::kBatchNorm, none, "epsilon"), 1e-5);
  EXPECT_EQ(ir::attr_float(OpKind::kClamp, none, "min"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ir::attr_float(OpKind::kClamp, none, "max"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ir::attr_float(OpKind::kHardSigmoid, none, "alpha"), 0.2);
  EXPECT_EQ(ir::attr_float(OpKind::kHardSigmoid, none, "beta"), 0.5);
  EXPECT_EQ(ir::attr_string(OpKind::kGelu, none, "approximate"), "none");
  EXPECT_EQ(ir::attr_int(OpKind::kReduceMean, none, "keepdims"), 1);
  EXPECT_EQ(ir::attr_int(OpKind::kSoftmax, none, "axis"), -1);
  EXPECT_EQ(ir::attr_int(OpKind::kConcat, none, "axis"), 1);
  EXPECT_EQ(ir::attr_string(OpKind::kPad, none, "mode"), "constant");
  EXPECT_EQ(ir::attr_string(OpKind::kResize, none, "mode"), "nearest");
  // No default declared (or no such attribute): zero.
  EXPECT_EQ(ir::attr_int(OpKind::kMaxPool2d, none, "count_include_pad"), 0);
  EXPECT_EQ(ir::attr_float(OpKind::kAdd, none, "scalar"), 0.0);

  // A stored value wins; an int is read as a float, as get_float does.
  ir::Node conv{"c", OpKind::kConv2d, {{"groups", int64_t{4}}}, {}, {}};
  EXPECT_EQ(conv.attr_int("groups"), 4);
  EXPECT_EQ(conv.attr_int("bias"), 0);
  const ir::Attrs clamp = {{"min", int64_t{-1}}};
  EXPECT_EQ(ir::attr_float(OpKind::kClamp, clamp, "min"), -1.0);
}

// The families features and backends read, written out per op: an op missing here fails.
const std::map<OpKind, KernelFamily>& expected_families() {
  static const std::map<OpKind, KernelFamily> kFamilies = {
      {OpKind::kConv2d, KernelFamily::kConv},
      {OpKind::kDepthwiseConv2d, KernelFamily::kDepthwise},
      {OpKind::kFullyConnected, KernelFamily::kFullyConnected},
      {OpKind::kMatMul, KernelFamily::kFullyConnected},
      {OpKind::kBatchNorm, KernelFamily::kOther},
      {OpKind::kRelu, KernelFamily::kElementwise},
      {OpKind::kRelu6, KernelFamily::kElementwise},
      {OpKind::kClamp, KernelFamily::kElementwise},
      {OpKind::kHardSwish, KernelFamily::kElementwise},
      {OpKind::kHardSigmoid, KernelFamily::kElementwise},
      {OpKind::kSigmoid, KernelFamily::kElementwise},
      {OpKind::kSwish, KernelFamily::kElementwise},
      {OpKind::kTanh, KernelFamily::kElementwise},
      {OpKind::kGelu, KernelFamily::kElementwise},
      {OpKind::kMaxPool2d, KernelFamily::kPool},
      {OpKind::kAvgPool2d, KernelFamily::kPool},
      {OpKind::kGlobalAvgPool, KernelFamily::kGlobalPool},
      {OpKind::kReduceMean, KernelFamily::kGlobalPool},
      {OpKind::kAdd, KernelFamily::kElementwise},
      {OpKind::kSub, KernelFamily::kElementwise},
      {OpKind::kMul, KernelFamily::kElementwise},
      {OpKind::kDiv, KernelFamily::kElementwise},
      {OpKind::kConcat, KernelFamily::kConcat},
      {OpKind::kChannelShuffle, KernelFamily::kDataMovement},
      {OpKind::kSplit, KernelFamily::kDataMovement},
      {OpKind::kReshape, KernelFamily::kDataMovement},
      {OpKind::kFlatten, KernelFamily::kDataMovement},
      {OpKind::kTranspose, KernelFamily::kDataMovement},
      {OpKind::kPad, KernelFamily::kDataMovement},
      {OpKind::kResize, KernelFamily::kDataMovement},
      {OpKind::kSoftmax, KernelFamily::kOther},
      {OpKind::kIdentity, KernelFamily::kDataMovement},
      {OpKind::kLayerNorm, KernelFamily::kOther},
      {OpKind::kSlice, KernelFamily::kDataMovement},
      {OpKind::kL2Normalize, KernelFamily::kOther},
  };
  return kFamilies;
}

TEST(OpTable, FamilyAndTraitsAreTotalAndConsistent) {
  for (const auto& info : ir::all_ops()) {
    const auto it = expected_families().find(info.kind);
    ASSERT_NE(it, expected_families().end()) << info.name << " has no expected family in this test";
    EXPECT_EQ(info.family, it->second) << info.name;
    EXPECT_LT(static_cast<size_t>(info.family), ir::kNumKernelFamilies) << info.name;

    const bool activation = ir::has_trait(info.kind, OpTrait::kActivation);
    EXPECT_EQ(activation, info.activation != ActivationClass::kNone) << info.name;
    EXPECT_EQ(activation, info.category == ir::OpCategory::kActivation && info.kind != OpKind::kSoftmax) << info.name;
    const bool binary = ir::has_trait(info.kind, OpTrait::kBinary);
    EXPECT_EQ(binary, info.category == ir::OpCategory::kElementwise) << info.name;
    if (activation || binary) {
      EXPECT_TRUE(ir::has_trait(info.kind, OpTrait::kElementwise)) << info.name;
    }
    EXPECT_EQ(ir::has_trait(info.kind, OpTrait::kWeighted), info.kind == OpKind::kConv2d ||
                                                                info.kind == OpKind::kDepthwiseConv2d ||
                                                                info.kind == OpKind::kFullyConnected)
        << info.name;
  }
  // The activation classes are feature values (kernel_features "tail_activation").
  EXPECT_EQ(static_cast<int>(ir::activation_class(OpKind::kRelu6)), 1);
  EXPECT_EQ(static_cast<int>(ir::activation_class(OpKind::kHardSwish)), 2);
  EXPECT_EQ(static_cast<int>(ir::activation_class(OpKind::kGelu)), 3);
  EXPECT_EQ(static_cast<int>(ir::activation_class(OpKind::kSoftmax)), 0);
}

}  // namespace
}  // namespace nnlat
