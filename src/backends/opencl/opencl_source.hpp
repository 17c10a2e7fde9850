// OpenCL C programs of the backend: the fixed text of each kernel family
// (opencl_kernels.cpp) behind a generated preamble that defines the family's options and the
// linked element-wise tail (STORE_OUT, TAIL_PARAMS). The preamble depends only on the tail's
// ops and operand kinds, never on shapes (those are kernel arguments), so kernels of the same
// kind share one program and one build.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nnlat/ir/op_table.hpp"

namespace nnlat::backends::opencl {

enum class Family {
  kConvDirect,
  kGemm,
  kGemv,
  kWinograd,
  kDepthwise,
  kPool,
  kReduceMean,
  kElementwise,
  kConcat,
  kSplit,
  kPermute,
  kPad,
  kResize,
  kSoftmax,
  kNormalize,
};

// The kernels' OpenCL C text of a family (without the preamble).
std::string_view kernel_text(Family family);

// How one linked op is computed: the op and what its other operand is.
struct TailSpec {
  ir::OpKind op = ir::OpKind::kRelu;
  enum class Operand { kNone, kScalar, kTensorSameShape, kTensorBroadcast, kChain } operand = Operand::kNone;
  bool chain_is_first = true;  // v op other, else other op v
  bool gelu_tanh = false;      // gelu with approximate = tanh
};

// Every tail op j takes four kernel arguments, in this order: `__global const DATA* tj_p`
// for a tensor operand (an activation), else `__global const float* tj_p` (batch norm's
// scale then shift, or NULL); `int4 tj_s` (the operand's strides over the output's 4-D
// coordinates); `float tj_a`, `float tj_b` (the scalar; clamp's min/max; hardsigmoid's
// alpha/beta).
//
// `defines`: "NAME VALUE" pairs for the family's options (e.g. {"CO_BLOCK", "4"}; every
// family: {"DATA_HALF", "1"} stores activations as half).
std::string program_source(Family family, const std::vector<std::pair<std::string, std::string>>& defines,
                           const std::vector<TailSpec>& tail);

}  // namespace nnlat::backends::opencl
