#include "backends/opencl/opencl_lower.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "backends/opencl/opencl_half.hpp"
#include "backends/opencl/opencl_source.hpp"

namespace nnlat::backends::opencl {
namespace {

using ir::OpKind;
using ir::Shape;

size_t usize(int64_t v) { return static_cast<size_t>(v); }

// Sets a kernel's arguments in order; the first failure is kept.
class Args {
 public:
  explicit Args(cl_kernel k) : kernel_(k) {}
  Args& mem(cl_mem m) { return set(sizeof(cl_mem), &m); }  // a null buffer is allowed
  Args& i(int64_t v) {
    const auto x = static_cast<cl_int>(v);
    return set(sizeof x, &x);
  }
  Args& f(double v) {
    const auto x = static_cast<cl_float>(v);
    return set(sizeof x, &x);
  }
  Args& i4(const std::array<int64_t, 4>& v) {
    cl_int4 x;
    for (int k = 0; k < 4; ++k) x.s[k] = static_cast<cl_int>(v[usize(k)]);
    return set(sizeof x, &x);
  }
  Args& i8(const std::array<int64_t, 8>& v) {
    cl_int8 x;
    for (int k = 0; k < 8; ++k) x.s[k] = static_cast<cl_int>(v[usize(k)]);
    return set(sizeof x, &x);
  }
  cl_int status() const { return err_; }

 private:
  Args& set(size_t size, const void* value) {
    if (err_ == CL_SUCCESS) err_ = clSetKernelArg(kernel_, index_++, size, value);
    return *this;
  }
  cl_kernel kernel_;
  cl_uint index_ = 0;
  cl_int err_ = CL_SUCCESS;
};

std::array<int64_t, 4> dims4(const Shape& s) {
  std::array<int64_t, 4> d{1, 1, 1, 1};
  for (size_t i = 0; i < std::min<size_t>(4, s.size()); ++i) d[i] = s[i];
  return d;
}

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Strides of `operand` over the 4-D coordinates of an output of shape `out` (rank <= 4),
// NumPy broadcasting: right-aligned, 0 where the operand has size 1 or no axis.
std::array<int64_t, 4> broadcast_strides4(const Shape& operand, const Shape& out) {
  std::array<int64_t, 4> st{0, 0, 0, 0};
  const auto own = strides_of(operand);
  const size_t off = out.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i) st[off + i] = operand[i] == 1 ? 0 : own[i];
  return st;
}

size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }
size_t pow2_at_least(size_t v) {
  size_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

// The work-group policy (docs/gpu.md): 2-D kernels get x = the next power of two of the
// output width (at most 16) and y filling up to 64 work-items, like a GPU delegate's
// default for small feature maps; 1-D kernels 64. Never above what the kernel allows.
struct Grid {
  cl_uint dims = 1;
  std::array<size_t, 3> global{1, 1, 1}, local{1, 1, 1};
};

Grid grid_1d(int64_t n, size_t max_wg) {
  Grid g;
  g.local[0] = std::min<size_t>(64, max_wg);
  g.global[0] = round_up(usize(std::max<int64_t>(n, 1)), g.local[0]);
  return g;
}

Grid grid_3d(int64_t x, int64_t y, int64_t z, size_t max_wg) {
  Grid g;
  g.dims = 3;
  size_t lx = std::min<size_t>(16, pow2_at_least(usize(std::max<int64_t>(x, 1))));
  size_t ly = std::min<size_t>(pow2_at_least(usize(std::max<int64_t>(y, 1))), std::max<size_t>(1, 64 / lx));
  while (lx * ly > max_wg && ly > 1) ly /= 2;
  while (lx * ly > max_wg && lx > 1) lx /= 2;
  g.local = {lx, ly, 1};
  g.global = {round_up(usize(std::max<int64_t>(x, 1)), lx), round_up(usize(std::max<int64_t>(y, 1)), ly),
              usize(std::max<int64_t>(z, 1))};
  return g;
}

// The matrix-product tile: 16x16 work-groups where the device allows 256 work-items (every
// phone GPU does), else 8x8.
size_t gemm_tile(const Runtime& rt) { return rt.device().max_work_group_size >= 256 ? 16 : 8; }

Grid grid_gemm(int64_t n, int64_t m, int64_t batch, size_t ts) {
  Grid g;
  g.dims = 3;
  g.local = {ts, ts, 1};
  g.global = {round_up(usize(n), ts), round_up(usize(m), ts), usize(batch)};
  return g;
}

class Lowerer {
 public:
  Lowerer(Runtime& rt, const ir::Graph& g, const Plan& plan, size_t index, const GraphWeights& w, DeviceGraph& dg)
      : rt_(rt), g_(g), plan_(plan), k_(plan.kernels[index]), index_(index), w_(w), dg_(dg) {}

  Status run() {
    const ir::Node& a = g_.node(k_.anchor);
    NNLAT_RETURN_IF_ERROR(build_tail());
    switch (k_.impl) {
      case Impl::kConvDirect:
        return conv_direct(a);
      case Impl::kConv1x1Gemm:
        return conv_1x1(a);
      case Impl::kConvWinograd:
        return winograd(a);
      case Impl::kDepthwise:
        return depthwise(a);
      case Impl::kFcGemm:
      case Impl::kFcGemv:
        return fully_connected(a);
      case Impl::kMatMulGemm:
        return matmul(a);
      case Impl::kPool:
        return pool(a);
      case Impl::kReduceMean:
        return reduce_mean(a);
      case Impl::kElementwise:
        return elementwise(a);
      case Impl::kConcat:
        return slices(a, true);
      case Impl::kSplit:
        return slices(a, false);
      case Impl::kPermute:
        return permute(a);
      case Impl::kPad:
        return pad(a);
      case Impl::kResize:
        return resize(a);
      case Impl::kSoftmax:
        return softmax(a);
      case Impl::kLayerNorm:
        return layer_norm(a);
      case Impl::kL2Normalize:
        return l2_normalize(a);
    }
    return fail("no lowering for this implementation");
  }

 private:
  Error fail(const std::string& what) const {
    return make_error(ErrorCode::kInternal, "opencl kernel " + k_.name + " (" + impl_name(k_.impl) + ") on '" +
                                                rt_.device().info.name + "': " + what);
  }
  Error cl_fail(const std::string& call, cl_int code) const { return fail(call + ": " + cl_error_name(code)); }

  cl_mem value(ir::ValueId v) const { return dg_.values[plan_.storage[v.index].index].get(); }
  const Shape& shape(ir::ValueId v) const { return g_.value(v).shape; }
  const Shape& in_shape() const { return shape(k_.inputs[0]); }
  const Shape& out_shape() const { return shape(k_.outputs[0]); }

  // A read-only buffer holding `bytes` from `data`, owned by the device graph.
  Result<cl_mem> read_only(const void* data, size_t bytes, const std::string& what) {
    cl_int err = CL_SUCCESS;
    cl_mem m =
        clCreateBuffer(rt_.context(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, const_cast<void*>(data), &err);
    if (err != CL_SUCCESS) return cl_fail("clCreateBuffer (" + what + ")", err);
    dg_.constants.emplace_back(m);
    return m;
  }
  Result<cl_mem> constant(const std::vector<float>& data) {
    const std::vector<float> copy = data.empty() ? std::vector<float>{0.0f} : data;
    return read_only(copy.data(), copy.size() * sizeof(float), std::to_string(copy.size()) + " floats");
  }
  // A constant tensor operand (position embedding, class token) stored like the values it
  // meets (fp16 storage: halves), so that the kernels read it with LD.
  Result<cl_mem> value_constant(const std::vector<float>& data) {
    if (!plan_.half_storage) return constant(data);
    const std::vector<uint16_t> halves = to_half(data.empty() ? std::vector<float>{0.0f} : data);
    return read_only(halves.data(), halves.size() * sizeof(uint16_t), std::to_string(halves.size()) + " halves");
  }
  Result<cl_mem> scratch(int64_t floats) {
    cl_int err = CL_SUCCESS;
    cl_mem m = clCreateBuffer(rt_.context(), CL_MEM_READ_WRITE, usize(std::max<int64_t>(floats, 1)) * sizeof(float),
                              nullptr, &err);
    if (err != CL_SUCCESS) return cl_fail("clCreateBuffer (scratch)", err);
    dg_.constants.emplace_back(m);
    return m;
  }

  // The linked tail: its code specs (for the program) and its arguments (per launch).
  Status build_tail() {
    for (const TailOp& t : k_.tail) {
      const ir::Node& n = g_.node(t.node);
      TailSpec spec;
      spec.op = n.op;
      TailArg arg;
      switch (n.op) {
        case OpKind::kBatchNorm: {
          std::vector<float> scale, shift;
          batch_norm_scale_shift(w_.nodes[t.node.index], scale, shift);
          scale.insert(scale.end(), shift.begin(), shift.end());
          NNLAT_ASSIGN_OR_RETURN(arg.buffer, constant(scale));
          break;
        }
        case OpKind::kClamp:
          arg.a = n.attr_float("min");
          arg.b = n.attr_float("max");
          break;
        case OpKind::kHardSigmoid:
          arg.a = n.attr_float("alpha");
          arg.b = n.attr_float("beta");
          break;
        case OpKind::kGelu:
          spec.gelu_tanh = n.attr_string("approximate") == "tanh";
          break;
        case OpKind::kAdd:
        case OpKind::kSub:
        case OpKind::kMul:
        case OpKind::kDiv:
          spec.chain_is_first = t.chain_is_first;
          if (n.inputs.size() == 1) {
            spec.operand = TailSpec::Operand::kScalar;
            arg.a = ir::get_float(n.attrs, "scalar", 0.0);
          } else if (t.both_chain) {
            spec.operand = TailSpec::Operand::kChain;
          } else {
            arg.buffer = value(*t.operand);
            if (shape(*t.operand) == out_shape()) {
              spec.operand = TailSpec::Operand::kTensorSameShape;
            } else {
              spec.operand = TailSpec::Operand::kTensorBroadcast;
              arg.strides = broadcast_strides4(shape(*t.operand), out_shape());
            }
          }
          break;
        default:  // tails without parameters (the plan links only element-wise tails)
          break;
      }
      specs_.push_back(spec);
      args_.push_back(arg);
    }
    return Status::Ok();
  }

  // Builds (cached) the family's program with this kernel's tail and creates `entry`.
  Result<cl_kernel> make(Family family, const std::string& entry,
                         std::vector<std::pair<std::string, std::string>> defines = {}, bool with_tail = true) {
    if (std::none_of(defines.begin(), defines.end(), [](const auto& d) { return d.first == "DATA_HALF"; })) {
      defines.emplace_back("DATA_HALF", plan_.half_storage ? "1" : "0");
    }
    const std::string src = program_source(family, defines, with_tail ? specs_ : std::vector<TailSpec>{});
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, rt_.make_kernel(src, entry));
    Launch l;
    l.kernel.reset(k);
    l.planned = index_;
    dg_.launches.push_back(std::move(l));
    return k;
  }
  size_t kernel_max_wg(cl_kernel k) const {
    size_t wg = 0;
    if (clGetKernelWorkGroupInfo(k, rt_.device().device, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg, nullptr) !=
        CL_SUCCESS) {
      return rt_.device().max_work_group_size;
    }
    return std::max<size_t>(1, wg);
  }
  // Appends the tail arguments and finalises the last launch's grid.
  Status finish(Args& a, const Grid& grid, bool with_tail = true) {
    if (with_tail) {
      for (const TailArg& t : args_) a.mem(t.buffer).i4(t.strides).f(t.a).f(t.b);
    }
    if (a.status() != CL_SUCCESS) return cl_fail("clSetKernelArg", a.status());
    Launch& l = dg_.launches.back();
    l.dims = grid.dims;
    l.global = grid.global;
    l.local = grid.local;
    const size_t wg = l.local[0] * l.local[1] * l.local[2];
    if (wg > kernel_max_wg(l.kernel.get())) {
      return fail("work-group of " + std::to_string(wg) + " exceeds the kernel's limit of " +
                  std::to_string(kernel_max_wg(l.kernel.get())));
    }
    return Status::Ok();
  }
  size_t wg_limit() const { return rt_.device().max_work_group_size; }

  // Conv / depthwise / fc weights in IR layout with the batch norm folded, and the bias.
  void folded(int64_t out_channels, std::vector<float>& weight, std::vector<float>& bias) const {
    fold_batch_norm(w_.nodes[k_.anchor.index], k_.folded_bn ? &w_.nodes[k_.folded_bn->index] : nullptr, out_channels,
                    weight, bias);
  }

  Result<ir::Window2d> window(const ir::Node& a, bool ceil_mode = false) const {
    return ir::resolve_window(a.attrs, in_shape()[2], in_shape()[3], ceil_mode);
  }

  Status conv_direct(const ir::Node& a) {
    const Shape &in = in_shape(), &out = out_shape();
    NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, window(a));
    const int64_t groups = a.attr_int("groups");
    std::vector<float> weight, bias;
    folded(out[1], weight, bias);
    NNLAT_ASSIGN_OR_RETURN(cl_mem wb, constant(weight));
    NNLAT_ASSIGN_OR_RETURN(cl_mem bb, constant(bias));
    // Output-channel blocks share input loads; grouped convolutions keep one channel per
    // work-item so that a block never spans two groups.
    const int64_t block = groups == 1 ? 4 : 1;
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k,
                           make(Family::kConvDirect, "conv2d_direct", {{"CO_BLOCK", std::to_string(block)}}));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(wb).mem(bb).mem(value(k_.outputs[0])).i4(dims4(out));
    args.i(in[1]).i(in[2]).i(in[3]).i(win.kernel_h).i(win.kernel_w).i(win.stride_h).i(win.stride_w);
    args.i(win.pad_top).i(win.pad_left).i(win.dilation_h).i(win.dilation_w).i(groups);
    return finish(args, grid_3d(out[3], out[2], out[0] * ((out[1] + block - 1) / block), wg_limit()));
  }

  // One tiled product launch: C = A x B (+ bias) with the given strides. A, B and C are
  // activations (DATA) or float weights / scratch as the flags say.
  struct GemmArgs {
    cl_mem a, b, bias, c;
    int64_t m, n, k, a_si, a_sk, a_sb, b_sk, b_sj, b_sb, c_si, c_sj, c_sb, batch;
    bool a_data = false, b_data = true, c_data = true;
  };
  Status gemm(const GemmArgs& p, bool with_tail) {
    const size_t ts = gemm_tile(rt_);
    const auto flag = [this](bool data) { return data && plan_.half_storage ? "1" : "0"; };
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kGemm, "gemm",
                                             {{"TS", std::to_string(ts)},
                                              {"A_HALF", flag(p.a_data)},
                                              {"B_HALF", flag(p.b_data)},
                                              {"DATA_HALF", flag(p.c_data)}},
                                             with_tail));
    Args args(k);
    args.mem(p.a).mem(p.b).mem(p.bias).mem(p.c).i4(dims4(out_shape()));
    args.i(p.m).i(p.n).i(p.k).i(p.a_si).i(p.a_sk).i(p.a_sb).i(p.b_sk).i(p.b_sj).i(p.b_sb);
    args.i(p.c_si).i(p.c_sj).i(p.c_sb).i(p.bias ? 1 : 0);
    return finish(args, grid_gemm(p.n, p.m, p.batch, ts), with_tail);
  }

  Status conv_1x1(const ir::Node&) {
    const Shape &in = in_shape(), &out = out_shape();
    std::vector<float> weight, bias;
    folded(out[1], weight, bias);
    NNLAT_ASSIGN_OR_RETURN(cl_mem wb, constant(weight));
    NNLAT_ASSIGN_OR_RETURN(cl_mem bb, constant(bias));
    const int64_t hw = in[2] * in[3];
    // out[n](o, p) = W(o, c) x in[n](c, p): A = weights, B = the image's pixels.
    return gemm({wb, value(k_.inputs[0]), bb, value(k_.outputs[0]), out[1], hw, in[1], in[1], 1, 0, hw, 1, in[1] * hw,
                 hw, 1, out[1] * hw, in[0]},
                true);
  }

  Status fully_connected(const ir::Node&) {
    const Shape &in = in_shape(), &out = out_shape();
    const int64_t kdim = in.back(), nout = out.back(), rows = ir::num_elements(in) / kdim;
    std::vector<float> weight, bias;
    folded(nout, weight, bias);
    NNLAT_ASSIGN_OR_RETURN(cl_mem wb, constant(weight));
    NNLAT_ASSIGN_OR_RETURN(cl_mem bb, constant(bias));
    if (k_.impl == Impl::kFcGemv) {
      NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kGemv, "gemv"));
      Args args(k);
      args.mem(value(k_.inputs[0])).mem(wb).mem(bb).mem(value(k_.outputs[0])).i4(dims4(out)).i(rows).i(nout).i(kdim);
      return finish(args, grid_3d(nout, rows, 1, wg_limit()));
    }
    // out(r, o) = sum_k W(o, k) in(r, k): i = o, j = r.
    return gemm(
        {wb, value(k_.inputs[0]), bb, value(k_.outputs[0]), nout, rows, kdim, kdim, 1, 0, 1, kdim, 0, 1, nout, 0, 1},
        true);
  }

  Status matmul(const ir::Node&) {
    const Shape &a = shape(k_.inputs[0]), &b = shape(k_.inputs[1]), &out = out_shape();
    const int64_t m = a[a.size() - 2], kdim = a.back(), n = b.back();
    const int64_t batch = ir::num_elements(out) / (m * n);
    const int64_t a_sb = ir::num_elements(a) == m * kdim ? 0 : m * kdim;
    const int64_t b_sb = ir::num_elements(b) == kdim * n ? 0 : kdim * n;
    return gemm({value(k_.inputs[0]), value(k_.inputs[1]), nullptr, value(k_.outputs[0]), m, n, kdim, kdim, 1, a_sb, n,
                 1, b_sb, n, 1, m * n, batch, /*a_data=*/true},
                true);
  }

  // Winograd F(4x4, 3x3) (Lavin & Gray): U = G g G^T per filter on the host, then three
  // launches: input transform, 36 batched products M = U x V, output transform + tail.
  Status winograd(const ir::Node& a) {
    const Shape &in = in_shape(), &out = out_shape();
    NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, window(a));
    const int64_t cin = in[1], cout = out[1];
    std::vector<float> weight, bias;
    folded(cout, weight, bias);
    static constexpr double kG[6][3] = {{1.0 / 4, 0, 0},
                                        {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                        {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                        {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                        {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                        {0, 0, 1}};
    std::vector<float> u(usize(36 * cout * cin));
    for (int64_t o = 0; o < cout; ++o) {
      for (int64_t c = 0; c < cin; ++c) {
        const float* gk = weight.data() + (o * cin + c) * 9;
        double tmp[6][3];  // G g
        for (int r = 0; r < 6; ++r)
          for (int x = 0; x < 3; ++x) tmp[r][x] = kG[r][0] * gk[x] + kG[r][1] * gk[3 + x] + kG[r][2] * gk[6 + x];
        for (int r = 0; r < 6; ++r)
          for (int s = 0; s < 6; ++s) {
            const double v = tmp[r][0] * kG[s][0] + tmp[r][1] * kG[s][1] + tmp[r][2] * kG[s][2];
            u[usize(((r * 6 + s) * cout + o) * cin + c)] = static_cast<float>(v);
          }
      }
    }
    NNLAT_ASSIGN_OR_RETURN(cl_mem ub, constant(u));
    NNLAT_ASSIGN_OR_RETURN(cl_mem bb, constant(bias));
    const int64_t tiles_w = (out[3] + 3) / 4, tiles = ((out[2] + 3) / 4) * tiles_w, total = in[0] * tiles;
    NNLAT_ASSIGN_OR_RETURN(cl_mem v, scratch(36 * cin * total));
    NNLAT_ASSIGN_OR_RETURN(cl_mem m, scratch(36 * cout * total));
    {
      NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kWinograd, "winograd_input"));
      Args args(k);
      args.mem(value(k_.inputs[0])).mem(v).i(cin).i(in[2]).i(in[3]).i(win.pad_top).i(win.pad_left);
      args.i(tiles_w).i(tiles).i(total);
      NNLAT_RETURN_IF_ERROR(finish(args, grid_3d(total, cin, 1, wg_limit()), false));
    }
    NNLAT_RETURN_IF_ERROR(gemm({ub,
                                v,
                                nullptr,
                                m,
                                cout,
                                total,
                                cin,
                                cin,
                                1,
                                cout * cin,
                                total,
                                1,
                                cin * total,
                                total,
                                1,
                                cout * total,
                                36,
                                /*a_data=*/false,
                                /*b_data=*/false,
                                /*c_data=*/false},  // float filters and scratch
                               false));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kWinograd, "winograd_output"));
    Args args(k);
    args.mem(m).mem(bb).mem(value(k_.outputs[0])).i4(dims4(out)).i(tiles_w).i(tiles).i(total);
    return finish(args, grid_3d(total, cout, 1, wg_limit()));
  }

  Status depthwise(const ir::Node& a) {
    const Shape &in = in_shape(), &out = out_shape();
    NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, window(a));
    std::vector<float> weight, bias;
    folded(out[1], weight, bias);
    NNLAT_ASSIGN_OR_RETURN(cl_mem wb, constant(weight));
    NNLAT_ASSIGN_OR_RETURN(cl_mem bb, constant(bias));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kDepthwise, "depthwise_conv2d"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(wb).mem(bb).mem(value(k_.outputs[0])).i4(dims4(out));
    args.i(in[1]).i(in[2]).i(in[3]).i(win.kernel_h).i(win.kernel_w).i(win.stride_h).i(win.stride_w);
    args.i(win.pad_top).i(win.pad_left).i(win.dilation_h).i(win.dilation_w).i(out[1] / in[1]);
    return finish(args, grid_3d(out[3], out[2], out[0] * out[1], wg_limit()));
  }

  Status pool(const ir::Node& a) {
    const Shape &in = in_shape(), &out = out_shape();
    NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, window(a, a.attr_int("ceil_mode") != 0));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kPool, "pool2d"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out)).i(in[2]).i(in[3]);
    args.i(win.kernel_h).i(win.kernel_w).i(win.stride_h).i(win.stride_w).i(win.pad_top).i(win.pad_left);
    args.i(win.pad_bottom).i(win.pad_right).i(win.dilation_h).i(win.dilation_w);
    args.i(a.op == OpKind::kMaxPool2d ? 1 : 0).i(a.attr_int("count_include_pad") != 0 ? 1 : 0);
    return finish(args, grid_3d(out[3], out[2], out[0] * out[1], wg_limit()));
  }

  Status reduce_mean(const ir::Node& a) {
    const Shape& in = in_shape();
    std::vector<int64_t> axes =
        a.op == OpKind::kGlobalAvgPool ? std::vector<int64_t>{2, 3} : ir::get_ints(a.attrs, "axes", {});
    std::array<int64_t, 4> id = dims4(in), kd = id, red{0, 0, 0, 0};
    int64_t count = 1;
    for (int64_t ax : axes) {
      const auto d = usize(ax < 0 ? ax + static_cast<int64_t>(in.size()) : ax);
      if (red[d]) continue;
      red[d] = 1;
      kd[d] = 1;
      count *= id[d];
    }
    const int64_t total = ir::num_elements(out_shape());
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kReduceMean, "reduce_mean"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i4(id).i4(kd).i4(red);
    args.i(total).f(1.0 / static_cast<double>(count));
    return finish(args, grid_1d(total, wg_limit()));
  }

  Status elementwise(const ir::Node& a) {
    const Shape& out = out_shape();
    const int64_t total = ir::num_elements(out);
    int mode = 0;
    const bool constant_operand = a.attrs.contains("operand");
    if (!k_.anchor_in_tail) mode = a.inputs.size() == 1 && !constant_operand ? 2 : 1;
    const std::string sym = a.op == OpKind::kAdd ? "+" : a.op == OpKind::kSub ? "-" : a.op == OpKind::kMul ? "*" : "/";
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k,
                           make(Family::kElementwise, "eltwise",
                                {{"ELT_MODE", std::to_string(mode)}, {"ELT_OP(x, y)", "((x) " + sym + " (y))"}}));
    Args args(k);
    const Shape& main_out = shape(a.outputs[0]);
    cl_mem second = nullptr;
    Shape second_shape;
    if (constant_operand) {  // x op C, C the node's weights, broadcast like a tensor operand
      NNLAT_ASSIGN_OR_RETURN(second, value_constant(w_.nodes[k_.anchor.index].weight));
      second_shape = ir::get_ints(a.attrs, "operand", {});
    } else if (mode == 1) {
      second = value(a.inputs[1]);
      second_shape = shape(a.inputs[1]);
    }
    args.mem(value(a.inputs[0])).mem(second).mem(value(k_.outputs[0]));
    args.i4(dims4(out));
    args.i4(mode == 1 ? broadcast_strides4(shape(a.inputs[0]), main_out) : std::array<int64_t, 4>{});
    args.i4(mode == 1 ? broadcast_strides4(second_shape, main_out) : std::array<int64_t, 4>{});
    args.i(total).f(mode == 2 ? ir::get_float(a.attrs, "scalar", 0.0) : 0.0);
    return finish(args, grid_1d(total, wg_limit()));
  }

  // Outer blocks before `axis` and each tensor's block length (for concat and split).
  static int64_t outer_of(const Shape& s, int64_t axis) {
    return std::accumulate(s.begin(), s.begin() + axis, int64_t{1}, std::multiplies<>());
  }
  static int64_t axis_of(const ir::Node& a, size_t rank) {
    const int64_t axis = ir::get_int(a.attrs, "axis", 1);
    return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  }

  // Concat writes each input into its slice of the output, split reads each output from
  // its slice of the input: one copy launch per part, the same block arithmetic.
  Status slices(const ir::Node& a, bool is_concat) {
    const ir::ValueId whole = is_concat ? a.outputs[0] : a.inputs[0];
    const std::vector<ir::ValueId>& parts = is_concat ? a.inputs : a.outputs;
    const Shape& ws = shape(whole);
    const int64_t outer = outer_of(ws, axis_of(a, ws.size()));
    const int64_t inner_whole = ir::num_elements(ws) / outer;
    // The parts as buffers; a concat's constant operand (a class token) is one more part.
    std::vector<std::pair<cl_mem, int64_t>> buffers;  // buffer, elements
    for (ir::ValueId part : parts) buffers.emplace_back(value(part), ir::num_elements(shape(part)));
    if (is_concat && a.attrs.contains("operand")) {
      const auto at = std::min(usize(a.attr_int("operand_index")), buffers.size());
      NNLAT_ASSIGN_OR_RETURN(cl_mem c, value_constant(w_.nodes[k_.anchor.index].weight));
      buffers.insert(buffers.begin() + static_cast<std::ptrdiff_t>(at),
                     {c, ir::num_elements(ir::get_ints(a.attrs, "operand", {}))});
    }
    int64_t offset = 0;
    for (size_t i = 0; i < buffers.size(); ++i) {
      const auto [buffer, n] = buffers[i];
      const int64_t inner = n / outer;
      NNLAT_ASSIGN_OR_RETURN(cl_kernel k,
                             is_concat ? make(Family::kConcat, "concat_copy") : make(Family::kSplit, "split_copy"));
      Args args(k);
      if (is_concat) {  // the tail (if any) applies to the concat's output
        args.mem(buffer).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i(inner).i(inner_whole);
      } else {
        args.mem(value(whole)).mem(buffer).i4(dims4(shape(parts[i]))).i(inner_whole).i(inner);
      }
      args.i(offset).i(n);
      NNLAT_RETURN_IF_ERROR(finish(args, grid_1d(n, wg_limit())));
      offset += inner;
    }
    return Status::Ok();
  }

  Status permute(const ir::Node& a) {
    const Shape& in = in_shape();
    std::array<int64_t, 8> dims{1, 1, 1, 1, 1, 1, 1, 1}, istr{0, 0, 0, 0, 0, 0, 0, 0};
    int64_t rank = 0, base = 0;
    if (a.op == OpKind::kChannelShuffle) {
      // [N, g, C/g, HW] -> [N, C/g, g, HW]: output channel j*g + i is input channel i*(C/g) + j.
      const int64_t g = a.attr_int("groups"), c = in[1], hw = in[2] * in[3];
      dims = {in[0], c / g, g, hw, 1, 1, 1, 1};
      istr = {c * hw, hw, (c / g) * hw, 1, 0, 0, 0, 0};
      rank = 4;
    } else if (a.op == OpKind::kSlice) {
      // Every output axis walks the input from its start with stride x step.
      const auto st = strides_of(in);
      const Shape& out = out_shape();
      rank = static_cast<int64_t>(in.size());
      for (size_t i = 0; i < in.size(); ++i) {
        dims[i] = out[i];
        istr[i] = st[i];
      }
      const auto axes = ir::get_ints(a.attrs, "axes", {});
      const auto starts = ir::get_ints(a.attrs, "starts", {});
      const auto steps = ir::get_ints(a.attrs, "steps", std::vector<int64_t>(axes.size(), 1));
      for (size_t j = 0; j < axes.size(); ++j) {
        const auto axis = usize(axes[j] < 0 ? axes[j] + rank : axes[j]);
        base += starts[j] * st[axis];
        istr[axis] = st[axis] * steps[j];
      }
    } else {
      const auto perm = ir::get_ints(a.attrs, "perm", {});
      const auto st = strides_of(in);
      rank = static_cast<int64_t>(perm.size());
      for (size_t i = 0; i < perm.size(); ++i) {
        dims[i] = in[usize(perm[i])];
        istr[i] = st[usize(perm[i])];
      }
    }
    const int64_t total = ir::num_elements(out_shape());
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kPermute, "permute"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i8(dims).i8(istr).i(rank).i(total);
    args.i(base);
    return finish(args, grid_1d(total, wg_limit()));
  }

  Status pad(const ir::Node& a) {
    const Shape &in = in_shape(), &out = shape(a.outputs[0]);
    const auto pads = ir::get_ints(a.attrs, "pads", {});
    std::array<int64_t, 8> od{1, 1, 1, 1, 1, 1, 1, 1}, id = od, before{0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < in.size(); ++i) {
      od[i] = out[i];
      id[i] = in[i];
      before[i] = pads[i];
    }
    const std::string mode = ir::get_string(a.attrs, "mode", "constant");
    const int64_t total = ir::num_elements(out);
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kPad, "pad_nd"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i8(od).i8(id).i8(before);
    args.i(static_cast<int64_t>(in.size())).i(total).i(mode == "constant" ? 0 : mode == "edge" ? 1 : 2);
    args.f(ir::get_float(a.attrs, "value", 0.0));
    return finish(args, grid_1d(total, wg_limit()));
  }

  Status resize(const ir::Node& a) {
    const Shape &in = in_shape(), &out = out_shape();
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kResize, "resize2d"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out)).i(in[2]).i(in[3]);
    args.f(static_cast<double>(in[2]) / static_cast<double>(out[2]));
    args.f(static_cast<double>(in[3]) / static_cast<double>(out[3]));
    args.i(ir::get_string(a.attrs, "mode", "nearest") == "bilinear" ? 1 : 0);
    return finish(args, grid_3d(out[3], out[2], out[0] * out[1], wg_limit()));
  }

  static int64_t positive_axis(int64_t axis, size_t rank) {
    return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  }
  // The input seen as rows along `axis` (softmax, l2_normalize: one work-item per row): the
  // axis length, the stride between its elements, and the number of rows.
  struct AxisRows {
    int64_t len, inner, rows;
  };
  AxisRows rows_along(int64_t given_axis) const {
    const Shape& in = in_shape();
    const int64_t axis = positive_axis(given_axis, in.size());
    const int64_t len = in[usize(axis)];
    const int64_t inner = std::accumulate(in.begin() + axis + 1, in.end(), int64_t{1}, std::multiplies<>());
    return {len, inner, ir::num_elements(in) / len};
  }

  Status softmax(const ir::Node& a) {
    // The reference's default: the last axis.
    const auto [len, inner, rows] = rows_along(ir::get_int(a.attrs, "axis", -1));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kSoftmax, "softmax_axis"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i(len).i(inner).i(rows);
    return finish(args, grid_1d(rows, wg_limit()));
  }

  Status layer_norm(const ir::Node& a) {
    const Shape& in = in_shape();
    const int64_t axis = positive_axis(a.attr_int("axis"), in.size());
    const int64_t len = std::accumulate(in.begin() + axis, in.end(), int64_t{1}, std::multiplies<>());
    const int64_t rows = ir::num_elements(in) / len;
    const bool affine = a.attr_int("affine") != 0;
    const NodeWeights& w = w_.nodes[k_.anchor.index];
    NNLAT_ASSIGN_OR_RETURN(cl_mem gamma, constant(affine ? w.gamma : std::vector<float>{}));
    NNLAT_ASSIGN_OR_RETURN(cl_mem beta, constant(affine ? w.beta : std::vector<float>{}));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kNormalize, "layer_norm_rows"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).mem(gamma).mem(beta);
    args.i(len).i(rows).i(affine ? 1 : 0).f(a.attr_float("epsilon"));
    return finish(args, grid_1d(rows, wg_limit()));
  }

  Status l2_normalize(const ir::Node& a) {
    const auto [len, inner, rows] = rows_along(a.attr_int("axis"));
    NNLAT_ASSIGN_OR_RETURN(cl_kernel k, make(Family::kNormalize, "l2_normalize_axis"));
    Args args(k);
    args.mem(value(k_.inputs[0])).mem(value(k_.outputs[0])).i4(dims4(out_shape())).i(len).i(inner).i(rows);
    args.f(a.attr_float("epsilon"));
    return finish(args, grid_1d(rows, wg_limit()));
  }

  struct TailArg {
    cl_mem buffer = nullptr;
    std::array<int64_t, 4> strides{0, 0, 0, 0};
    double a = 0, b = 0;
  };

  Runtime& rt_;
  const ir::Graph& g_;
  const Plan& plan_;
  const Kernel& k_;
  size_t index_;
  const GraphWeights& w_;
  DeviceGraph& dg_;
  std::vector<TailSpec> specs_;
  std::vector<TailArg> args_;
};

}  // namespace

Status allocate_values(Runtime& rt, const ir::Graph& graph, const Plan& plan, DeviceGraph& dg) {
  dg.values.resize(graph.values().size());
  for (size_t i = 0; i < graph.values().size(); ++i) {
    if (plan.storage[i].index != i) continue;
    const int64_t n = std::max<int64_t>(1, ir::num_elements(graph.values()[i].shape));
    const size_t element = plan.half_storage ? sizeof(uint16_t) : sizeof(float);
    cl_int err = CL_SUCCESS;
    cl_mem m = clCreateBuffer(rt.context(), CL_MEM_READ_WRITE, usize(n) * element, nullptr, &err);
    if (err != CL_SUCCESS) {
      return make_error(ErrorCode::kInternal, "opencl device '" + rt.device().info.name +
                                                  "': clCreateBuffer for value " + graph.values()[i].name + " (" +
                                                  std::to_string(n) + " floats): " + cl_error_name(err));
    }
    dg.values[i].reset(m);
  }
  return Status::Ok();
}

Status lower_kernel(Runtime& rt, const ir::Graph& graph, const Plan& plan, size_t index, const GraphWeights& weights,
                    DeviceGraph& dg) {
  return Lowerer(rt, graph, plan, index, weights, dg).run();
}

}  // namespace nnlat::backends::opencl
