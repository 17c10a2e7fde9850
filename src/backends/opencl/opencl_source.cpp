#include "backends/opencl/opencl_source.hpp"

namespace nnlat::backends::opencl {
namespace {

using ir::OpKind;

const char* binary_symbol(OpKind op) {
  switch (op) {
    case OpKind::kAdd:
      return "+";
    case OpKind::kSub:
      return "-";
    case OpKind::kMul:
      return "*";
    default:
      return "/";
  }
}

// The statement that updates `v_` for tail op `j` (the macro body; no newlines).
std::string tail_statement(const TailSpec& t, int j) {
  const std::string p = "t" + std::to_string(j) + "_";
  switch (t.op) {
    case OpKind::kRelu:
      return "v_ = fmax(v_, 0.0f);";
    case OpKind::kRelu6:
      return "v_ = clamp(v_, 0.0f, 6.0f);";
    case OpKind::kClamp:
      return "v_ = fmin(fmax(v_, " + p + "a), " + p + "b);";
    case OpKind::kHardSwish:
      return "v_ = v_ * clamp(v_ + 3.0f, 0.0f, 6.0f) / 6.0f;";
    case OpKind::kHardSigmoid:
      return "v_ = clamp(" + p + "a * v_ + " + p + "b, 0.0f, 1.0f);";
    case OpKind::kSigmoid:
      return "v_ = 1.0f / (1.0f + exp(-v_));";
    case OpKind::kSwish:
      return "v_ = v_ / (1.0f + exp(-v_));";
    case OpKind::kTanh:
      return "v_ = tanh(v_);";
    case OpKind::kGelu:
      return t.gelu_tanh ? "v_ = 0.5f * v_ * (1.0f + tanh(0.7978845608f * (v_ + 0.044715f * v_ * v_ * v_)));"
                         : "v_ = 0.5f * v_ * (1.0f + erf(v_ * 0.7071067812f));";
    case OpKind::kBatchNorm:
      return "v_ = v_ * " + p + "p[c_] + " + p + "p[od.y + c_];";
    default:  // not a tail op: the plan links only element-wise tails (ops with a tail trait)
      break;
  }
  std::string other;
  switch (t.operand) {
    case TailSpec::Operand::kScalar:
      other = p + "a";
      break;
    case TailSpec::Operand::kTensorSameShape:
      other = "LD(" + p + "p, oi_)";
      break;
    case TailSpec::Operand::kTensorBroadcast:
      other = "LD(" + p + "p, n_ * " + p + "s.x + c_ * " + p + "s.y + h_ * " + p + "s.z + w_ * " + p + "s.w)";
      break;
    default:
      other = "v_";
      break;
  }
  const std::string sym = binary_symbol(t.op);
  return t.chain_is_first ? "v_ = v_ " + sym + " " + other + ";" : "v_ = " + other + " " + sym + " v_;";
}

bool reads_tensor(const TailSpec& t) {
  return t.operand == TailSpec::Operand::kTensorSameShape || t.operand == TailSpec::Operand::kTensorBroadcast;
}

// Activations are DATA: float, or half behind vload_half / vstore_half (fp16 storage).
constexpr const char* kDataMacros = R"CL(#ifndef DATA_HALF
#define DATA_HALF 0
#endif
#if DATA_HALF
#define DATA half
#define LD(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half((v), (i), (p))
#else
#define DATA float
#define LD(p, i) ((p)[(i)])
#define ST(p, i, v) ((p)[(i)] = (v))
#endif
)CL";

bool needs_coordinates(const TailSpec& t) {
  return t.op == OpKind::kBatchNorm || t.operand == TailSpec::Operand::kTensorBroadcast;
}

}  // namespace

std::string program_source(Family family, const std::vector<std::pair<std::string, std::string>>& defines,
                           const std::vector<TailSpec>& tail) {
  std::string s;
  for (const auto& [name, value] : defines) s += "#define " + name + " " + value + "\n";
  s += kDataMacros;
  s += "#define TAIL_PARAMS";
  for (size_t j = 0; j < tail.size(); ++j) {
    const std::string p = "t" + std::to_string(j) + "_";
    // A tensor operand is an activation (DATA); batch norm's scale/shift are float constants.
    s += std::string(" , __global const ") + (reads_tensor(tail[j]) ? "DATA" : "float") + "* " + p + "p, int4 " + p +
         "s, float " + p + "a, float " + p + "b";
  }
  s += "\n";
  // STORE_OUT evaluates `value` once, applies the tail in registers and writes `out`.
  s += "#define STORE_OUT(oi, value) { const int oi_ = (oi); float v_ = (value); ";
  bool coords = false;
  for (const auto& t : tail) coords = coords || needs_coordinates(t);
  if (coords) {
    s += "const int w_ = oi_ % od.w; const int h_ = (oi_ / od.w) % od.z; "
         "const int c_ = (oi_ / (od.w * od.z)) % od.y; const int n_ = oi_ / (od.w * od.z * od.y); "
         "(void)w_; (void)h_; (void)c_; (void)n_; ";
  }
  for (size_t j = 0; j < tail.size(); ++j) s += tail_statement(tail[j], static_cast<int>(j)) + " ";
  s += "ST(out, oi_, v_); }\n";
  s += kernel_text(family);
  return s;
}

}  // namespace nnlat::backends::opencl
