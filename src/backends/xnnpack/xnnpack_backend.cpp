// XNNPACK backend: lowers the plan (xnnpack_plan.hpp) to XNNPACK subgraph runtimes and
// operator-API steps, owns every buffer, and runs them.
#include "nnlat/backends/xnnpack_backend.hpp"

#include <pthread.h>
#include <pthreadpool.h>
#include <sched.h>
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backends/xnnpack/xnnpack_host_step.hpp"
#include "backends/xnnpack/xnnpack_plan.hpp"
#include "backends/xnnpack/xnnpack_quant.hpp"
#include "nnlat/backends/weights.hpp"

#ifndef NNLAT_XNNPACK_PKG_VERSION
#define NNLAT_XNNPACK_PKG_VERSION "unknown"
#endif

namespace nnlat::backends {
namespace {

using ir::OpKind;
using ir::Shape;
using ir::ValueId;
using xnnpack::from_physical;
using xnnpack::Kernel;
using xnnpack::layout_neutral;
using xnnpack::physical_axis;
using xnnpack::physical_shape;
using xnnpack::QuantParams;
using xnnpack::Step;
using xnnpack::to_physical;

constexpr size_t kExtraFloats = (XNN_EXTRA_BYTES + sizeof(float) - 1) / sizeof(float);

const char* status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "unknown status";
}

Error xnn_failure(xnn_status s, const std::string& context, const char* call) {
  const ErrorCode code = (s == xnn_status_invalid_parameter || s == xnn_status_unsupported_parameter ||
                          s == xnn_status_unsupported_hardware)
                             ? ErrorCode::kUnsupported
                             : ErrorCode::kInternal;
  return make_error(code, "xnnpack: " + context + ": " + call + " failed (" + status_name(s) + ")");
}

// Checks an xnn_status; `context` names the kernel (its IR nodes).
#define NNLAT_XNN(context, call)                             \
  do {                                                       \
    const xnn_status nnlat_xnn_status_ = (call);             \
    if (nnlat_xnn_status_ != xnn_status_success) {           \
      return xnn_failure(nnlat_xnn_status_, context, #call); \
    }                                                        \
  } while (0)

Status initialize_xnnpack() {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success) {
    return make_error(ErrorCode::kUnsupported, std::string("xnnpack: xnn_initialize failed (") + status_name(status) +
                                                   "); this CPU may lack the instructions XNNPACK needs");
  }
  return Status::Ok();
}

std::vector<size_t> dims_of(const Shape& s) {
  std::vector<size_t> d;
  for (int64_t v : s) d.push_back(static_cast<size_t>(v));
  return d;
}

size_t usize(int64_t v) { return static_cast<size_t>(v); }

std::string cpus_to_string(const std::vector<int>& cpus) {
  std::string s = "{";
  for (size_t i = 0; i < cpus.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(cpus[i]);
  }
  return s + "}";
}

std::set<int> cpus_of(const cpu_set_t& set) {
  std::set<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.insert(c);
  }
  return cpus;
}

// Everything a prepared graph owns. Members are destroyed in reverse order: runtimes and
// operators (which may point into the buffers) are released in ~XnnpackPrepared first.
// Buffers are in the physical (NHWC for rank 4) layout with XNN_EXTRA_BYTES of tail padding.
// float32: `data` only. int8: `qdata` is what segments read and write; graph inputs and
// outputs also have `data`, the float tensor the user sees, converted by the first and the
// last segment (TFLite's QUANTIZE / DEQUANTIZE of a model with float inputs and outputs).
struct HostTensor {
  Shape ir_shape;
  std::vector<float> data;
  std::vector<int8_t> qdata;
  void* segment_buffer() { return qdata.empty() ? static_cast<void*>(data.data()) : qdata.data(); }
};

struct Segment {
  xnn_runtime_t runtime = nullptr;
  std::vector<xnn_operator_t> operators;
  std::unique_ptr<xnnpack::HostStep> host_step;
};

class XnnpackPrepared final : public XnnpackPreparedGraph {
 public:
  ~XnnpackPrepared() override {
    for (auto& s : segments_) {
      if (s.runtime) xnn_delete_runtime(s.runtime);
      for (auto* op : s.operators) xnn_delete_operator(op);
    }
    if (pool_) pthreadpool_destroy(pool_);
    if (pinned_ && pthread_equal(pinned_thread_, pthread_self())) {
      pthread_setaffinity_np(pinned_thread_, sizeof(cpu_set_t), &caller_mask_before_pin_);
    }
  }

  Status run() override {
    NNLAT_RETURN_IF_ERROR(pin_caller());
    for (size_t i = 0; i < segments_.size(); ++i) {
      Segment& s = segments_[i];
      if (s.runtime) {
        const xnn_status st = xnn_invoke_runtime(s.runtime);
        if (st != xnn_status_success) return xnn_failure(st, segment_names_[i], "xnn_invoke_runtime");
      }
      for (auto* op : s.operators) {
        const xnn_status st = xnn_run_operator(op, pool_);
        if (st != xnn_status_success) return xnn_failure(st, segment_names_[i], "xnn_run_operator");
      }
      if (s.host_step) NNLAT_RETURN_IF_ERROR(s.host_step->run());
    }
    return Status::Ok();
  }

  std::vector<std::vector<float>> outputs() const override {
    std::vector<std::vector<float>> out;
    for (ValueId v : graph_outputs_) {
      const HostTensor& t = host_.at(v.index);
      std::vector<float> values(usize(ir::num_elements(t.ir_shape)));
      from_physical(t.ir_shape, t.data.data(), values.data());
      out.push_back(std::move(values));
    }
    return out;
  }

  Status set_input(size_t index, const std::vector<float>& values) override {
    if (index >= graph_inputs_.size()) {
      return make_error(ErrorCode::kInvalidArgument, "xnnpack: input index " + std::to_string(index) +
                                                         " out of range (" + std::to_string(graph_inputs_.size()) +
                                                         " inputs)");
    }
    HostTensor& t = host_.at(graph_inputs_[index].index);
    if (static_cast<int64_t>(values.size()) != ir::num_elements(t.ir_shape)) {
      return make_error(ErrorCode::kInvalidArgument, "xnnpack: input " + std::to_string(index) + " needs " +
                                                         std::to_string(ir::num_elements(t.ir_shape)) +
                                                         " values, got " + std::to_string(values.size()));
    }
    to_physical(t.ir_shape, values.data(), t.data.data());
    return Status::Ok();
  }

  std::vector<std::string> kernel_names() const override { return kernel_names_; }
  size_t num_subgraph_segments() const override { return num_subgraphs_; }
  size_t num_operator_steps() const override { return num_operator_steps_; }

  Result<ThreadProbe> probe_threads(size_t items) override {
    NNLAT_RETURN_IF_ERROR(pin_caller());
    struct Ctx {
      std::mutex mu;
      std::set<int> cpus;
      std::vector<pthread_t> threads;
      bool failed = false;
    } ctx;
    auto task = [](void* p, size_t) {
      auto* c = static_cast<Ctx*>(p);
      cpu_set_t set;
      CPU_ZERO(&set);
      const pthread_t self = pthread_self();
      const bool ok = pthread_getaffinity_np(self, sizeof(set), &set) == 0;
      // Keep each item busy for a moment so that every worker takes part.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
      while (std::chrono::steady_clock::now() < until) {
      }
      std::lock_guard<std::mutex> lock(c->mu);
      if (!ok) c->failed = true;
      for (int cpu : cpus_of(set)) c->cpus.insert(cpu);
      if (std::none_of(c->threads.begin(), c->threads.end(), [&](pthread_t t) { return pthread_equal(t, self); })) {
        c->threads.push_back(self);
      }
    };
    pthreadpool_parallelize_1d(pool_, task, &ctx, items, 0);
    if (ctx.failed) return make_error(ErrorCode::kInternal, "xnnpack: pthread_getaffinity_np failed in a worker");
    return ThreadProbe{ctx.threads.size(), ctx.cpus};
  }

  // ---- preparation (called by XnnpackBackend::prepare) ----------------------------------
  Status init(const ir::Graph& g, const RunConfig& config, const xnnpack::Plan& plan);

 private:
  Status create_pool(const RunConfig& config);
  Status pin_caller();
  HostTensor& host(ValueId v) { return host_.at(v.index); }
  Status build_subgraph(const ir::Graph& g, const GraphWeights& weights, const std::vector<const Kernel*>& kernels,
                        const std::vector<ValueId>& ext_inputs, const std::vector<ValueId>& ext_outputs,
                        const std::vector<QuantParams>* quant, Segment& segment);
  Status build_convert_segment(const ir::Graph& g, const GraphWeights& weights, const std::vector<ValueId>& values,
                               bool quantize, const std::vector<QuantParams>& quant, Segment& segment);
  Status build_operator_step(const ir::Graph& g, const Kernel& k, Segment& segment);
  Status build_host_step(const ir::Graph& g, const GraphWeights& weights, const Kernel& k, Segment& segment);

  pthreadpool_t pool_ = nullptr;
  std::map<uint32_t, HostTensor> host_;         // by IR value index; node addresses are stable
  std::vector<std::shared_ptr<void>> statics_;  // static tensors (weights, scalars, scales)
  std::vector<Segment> segments_;
  std::vector<std::string> segment_names_;
  std::vector<std::string> kernel_names_;
  std::vector<ValueId> graph_inputs_, graph_outputs_;
  size_t num_subgraphs_ = 0, num_operator_steps_ = 0;
  std::shared_ptr<const ir::Graph> graph_for_host_steps_;  // made for the first host step

  bool pin_ = false;
  cpu_set_t pin_set_{};
  bool pinned_ = false;
  pthread_t pinned_thread_{};
  cpu_set_t caller_mask_before_pin_{};
};

// Emits the XNNPACK nodes of one kernel into a subgraph.
class SubgraphEmitter {
 public:
  // `quant`: int8 parameters per IR value, or null for float32.
  SubgraphEmitter(xnn_subgraph_t sg, const ir::Graph& g, const GraphWeights& w,
                  std::vector<std::shared_ptr<void>>& statics, const std::vector<QuantParams>* quant)
      : sg_(sg), g_(g), w_(w), statics_(statics), quant_(quant) {}

  // `as_float`: the float tensor of an int8 graph input / output (the convert segments).
  Status define_external(ValueId v, uint32_t external_id, uint32_t flags, bool as_float = false) {
    context_ = "value " + g_.value(v).name;
    NNLAT_ASSIGN_OR_RETURN(
        uint32_t id, tensor(physical_shape(g_.value(v).shape), as_float ? nullptr : q(v), nullptr, external_id, flags));
    ids_[v.index] = id;
    return Status::Ok();
  }
  // Convert nodes between the float and the int8 tensor of a graph input or output.
  Status convert(uint32_t from, uint32_t to, const std::string& what) {
    NNLAT_XNN(what, xnn_define_convert(sg_, from, to, 0));
    return Status::Ok();
  }

  Status emit(const Kernel& k);

 private:
  Result<uint32_t> input(ValueId v) {
    auto it = ids_.find(v.index);
    if (it == ids_.end()) {
      return make_error(ErrorCode::kInternal, "xnnpack: value " + g_.value(v).name + " used before it is defined");
    }
    return it->second;
  }
  // The xnn value for an IR output: the external one when defined, else a new internal one.
  Result<uint32_t> output(ValueId v) {
    if (auto it = ids_.find(v.index); it != ids_.end()) return it->second;
    NNLAT_ASSIGN_OR_RETURN(uint32_t id, temp(physical_shape(g_.value(v).shape), q(v)));
    ids_[v.index] = id;
    return id;
  }
  // int8 parameters of an IR value (null for float32).
  const QuantParams* q(ValueId v) const { return quant_ ? &(*quant_)[v.index] : nullptr; }
  // A float32 tensor, or an int8 one with parameters `qp`.
  Result<uint32_t> tensor(const Shape& physical, const QuantParams* qp, const void* data, uint32_t external_id,
                          uint32_t flags) {
    const auto dims = dims_of(physical);
    uint32_t id = 0;
    if (qp) {
      NNLAT_XNN(context_, xnn_define_quantized_tensor_value(sg_, xnn_datatype_qint8, qp->zero_point, qp->scale,
                                                            dims.size(), dims.data(), data, external_id, flags, &id));
    } else {
      NNLAT_XNN(context_, xnn_define_tensor_value(sg_, xnn_datatype_fp32, dims.size(), dims.data(), data, external_id,
                                                  flags, &id));
    }
    return id;
  }
  Result<uint32_t> temp(const Shape& physical, const QuantParams* qp) {
    return tensor(physical, qp, nullptr, XNN_INVALID_VALUE_ID, 0);
  }
  template <typename T>
  const T* keep(std::vector<T> data) {
    auto held = std::make_shared<std::vector<T>>(std::move(data));
    statics_.push_back(held);
    return held->data();
  }
  // A static float tensor (float32 graphs only: parameters of element-wise ops).
  Result<uint32_t> constant(std::vector<float> data, const Shape& dims) {
    return tensor(dims, nullptr, keep(std::move(data)), XNN_INVALID_VALUE_ID, 0);
  }
  // A static scalar operand [1]: float, or int8 with a symmetric scale that represents it exactly
  // up to rounding.
  Result<uint32_t> scalar(float value) {
    if (!quant_) return constant({value}, {1});
    QuantParams qp;
    qp.scale = value == 0.0f ? 1.0f : std::abs(value) / 127.0f;
    const auto* data = keep(std::vector<int8_t>{static_cast<int8_t>(std::lround(value / qp.scale))});
    return tensor({1}, &qp, data, XNN_INVALID_VALUE_ID, 0);
  }
  // Filter and bias of a convolution / fully connected layer. int8: symmetric int8 weights with
  // one scale per output channel (`channel_dim`, as TFLite's per-channel quantisation) or one
  // per tensor (channel_dim < 0: fully connected in XNNPACK 2022-02), and an int32 bias whose
  // scale is input scale x weight scale.
  Result<std::pair<uint32_t, uint32_t>> filter_and_bias(const std::vector<float>& w, const Shape& dims, int channel_dim,
                                                        const std::vector<float>& b, ValueId input) {
    if (!quant_) {
      NNLAT_ASSIGN_OR_RETURN(uint32_t f, constant(w, dims));
      NNLAT_ASSIGN_OR_RETURN(uint32_t bb, constant(b, {static_cast<int64_t>(b.size())}));
      return std::pair{f, bb};
    }
    const size_t channels = channel_dim < 0 ? 1 : usize(dims[usize(channel_dim)]);
    const size_t inner = channel_dim == 0 ? w.size() / channels : 1;  // channel_dim is 0 or the last
    auto channel_of = [&](size_t i) { return channel_dim < 0 ? 0 : channel_dim == 0 ? i / inner : i % channels; };
    std::vector<float> scales(channels, 0.0f);
    for (size_t i = 0; i < w.size(); ++i) scales[channel_of(i)] = std::max(scales[channel_of(i)], std::abs(w[i]));
    for (float& sc : scales) sc = sc > 0 ? sc / 127.0f : 1.0f;
    std::vector<int8_t> qw(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      qw[i] = static_cast<int8_t>(std::clamp<long>(std::lround(w[i] / scales[channel_of(i)]), -127, 127));
    }
    const float in_scale = q(input)->scale;
    std::vector<float> bias_scales(b.size());
    std::vector<int32_t> qb(b.size());
    for (size_t o = 0; o < b.size(); ++o) {
      bias_scales[o] = in_scale * scales[channel_dim < 0 ? 0 : o];
      qb[o] = static_cast<int32_t>(std::lround(b[o] / bias_scales[o]));
    }
    const auto wdims = dims_of(dims);
    const size_t bdims[1] = {b.size()};
    const int8_t* wdata = keep(std::move(qw));
    const int32_t* bdata = keep(std::move(qb));
    uint32_t f = 0, bb = 0;
    if (channel_dim < 0) {
      NNLAT_XNN(context_, xnn_define_quantized_tensor_value(sg_, xnn_datatype_qint8, 0, scales[0], wdims.size(),
                                                            wdims.data(), wdata, XNN_INVALID_VALUE_ID, 0, &f));
      NNLAT_XNN(context_, xnn_define_quantized_tensor_value(sg_, xnn_datatype_qint32, 0, bias_scales[0], 1, bdims,
                                                            bdata, XNN_INVALID_VALUE_ID, 0, &bb));
    } else {
      const float* wscales = keep(std::move(scales));
      const float* bscales = keep(std::move(bias_scales));
      NNLAT_XNN(context_, xnn_define_channelwise_quantized_tensor_value(sg_, xnn_datatype_qcint8, wscales, wdims.size(),
                                                                        usize(channel_dim), wdims.data(), wdata,
                                                                        XNN_INVALID_VALUE_ID, 0, &f));
      NNLAT_XNN(context_, xnn_define_channelwise_quantized_tensor_value(sg_, xnn_datatype_qcint32, bscales, 1, 0, bdims,
                                                                        bdata, XNN_INVALID_VALUE_ID, 0, &bb));
    }
    return std::pair{f, bb};
  }

  // Weight and bias of a conv / fc with the batch norm folded in (IR layout).
  void folded(const Kernel& k, int64_t out_channels, std::vector<float>& weight, std::vector<float>& bias) const {
    fold_batch_norm(w_.nodes[k.node.index], k.bn ? &w_.nodes[k.bn->index] : nullptr, out_channels, weight, bias);
  }

  Status conv(const Kernel& k);
  Status fully_connected(const Kernel& k);
  Status pool(const Kernel& k);
  Status binary(const Kernel& k);
  Status subsample(const Kernel& k, uint32_t in, uint32_t out, const ir::Window2d& w, int64_t channels);

  xnn_subgraph_t sg_;
  const ir::Graph& g_;
  const GraphWeights& w_;
  std::vector<std::shared_ptr<void>>& statics_;
  const std::vector<QuantParams>* quant_;
  std::map<uint32_t, uint32_t> ids_;  // IR value index -> xnn value id
  std::string context_;               // "kernel <name>"
  float lo_ = 0, hi_ = 0;             // output range of the kernel being emitted
};

Status SubgraphEmitter::conv(const Kernel& k) {
  const ir::Node& n = g_.node(k.node);
  const Shape& in = g_.value(n.inputs[0]).shape;
  const Shape& out = g_.value(n.outputs[0]).shape;
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d win, ir::resolve_window(n.attrs, in[2], in[3], false));
  const int64_t cout = out[1], kh = win.kernel_h, kw = win.kernel_w;
  std::vector<float> weight, bias;
  folded(k, cout, weight, bias);
  NNLAT_ASSIGN_OR_RETURN(uint32_t x, input(k.inputs[0]));
  NNLAT_ASSIGN_OR_RETURN(uint32_t y, output(k.outputs[0]));
  const auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (n.op == OpKind::kDepthwiseConv2d) {
    // [C*m, 1, kh, kw] -> [1, kh, kw, C*m]
    std::vector<float> f(weight.size());
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t p = 0; p < kh * kw; ++p) f[usize(p * cout + o)] = weight[usize(o * kh * kw + p)];
    NNLAT_ASSIGN_OR_RETURN(auto fb, filter_and_bias(f, {1, kh, kw, cout}, 3, bias, k.inputs[0]));
    const auto [fid, b] = fb;
    NNLAT_XNN(context_, xnn_define_depthwise_convolution_2d(
                            sg_, u32(win.pad_top), u32(win.pad_right), u32(win.pad_bottom), u32(win.pad_left), u32(kh),
                            u32(kw), u32(win.stride_h), u32(win.stride_w), u32(win.dilation_h), u32(win.dilation_w),
                            u32(cout / in[1]), usize(in[1]), lo_, hi_, x, fid, b, y, 0));
    return Status::Ok();
  }
  // OIHW -> OHWI
  const int64_t groups = n.attr_int("groups");
  const int64_t cin_g = in[1] / groups;
  std::vector<float> f(weight.size());
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t i = 0; i < cin_g; ++i)
      for (int64_t p = 0; p < kh * kw; ++p)
        f[usize((o * kh * kw + p) * cin_g + i)] = weight[usize((o * cin_g + i) * kh * kw + p)];
  NNLAT_ASSIGN_OR_RETURN(auto fb, filter_and_bias(f, {cout, kh, kw, cin_g}, 0, bias, k.inputs[0]));
  const auto [fid, b] = fb;
  NNLAT_XNN(context_, xnn_define_convolution_2d(
                          sg_, u32(win.pad_top), u32(win.pad_right), u32(win.pad_bottom), u32(win.pad_left), u32(kh),
                          u32(kw), u32(win.stride_h), u32(win.stride_w), u32(win.dilation_h), u32(win.dilation_w),
                          u32(groups), usize(cin_g), usize(cout / groups), lo_, hi_, x, fid, b, y, 0));
  return Status::Ok();
}

Status SubgraphEmitter::fully_connected(const Kernel& k) {
  const ir::Node& n = g_.node(k.node);
  const int64_t kin = g_.value(n.inputs[0]).shape.back();
  const int64_t nout = g_.value(n.outputs[0]).shape.back();
  std::vector<float> weight, bias;
  folded(k, nout, weight, bias);
  if (k.fc_input_chw) {
    // Columns in CHW order -> HWC order (the input is a flattened NHWC tensor).
    const auto [c, h, w] = *k.fc_input_chw;
    std::vector<float> p(weight.size());
    for (int64_t o = 0; o < nout; ++o)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t s = 0; s < h * w; ++s) p[usize(o * kin + s * c + ch)] = weight[usize(o * kin + ch * h * w + s)];
    weight = std::move(p);
  }
  NNLAT_ASSIGN_OR_RETURN(uint32_t x, input(k.inputs[0]));
  NNLAT_ASSIGN_OR_RETURN(uint32_t y, output(k.outputs[0]));
  NNLAT_ASSIGN_OR_RETURN(auto fb, filter_and_bias(weight, {nout, kin}, -1, bias, k.inputs[0]));
  const auto [fid, b] = fb;
  NNLAT_XNN(context_, xnn_define_fully_connected(sg_, lo_, hi_, x, fid, b, y, 0));
  return Status::Ok();
}

// A 1x1 window with a stride (pooling XNNPACK rejects): a depthwise 1x1 conv with unit weights.
Status SubgraphEmitter::subsample(const Kernel& k, uint32_t in, uint32_t out, const ir::Window2d& w, int64_t channels) {
  NNLAT_ASSIGN_OR_RETURN(auto fb, filter_and_bias(std::vector<float>(usize(channels), 1.0f), {1, 1, 1, channels}, 3,
                                                  std::vector<float>(usize(channels), 0.0f), k.inputs[0]));
  const auto [fid, b] = fb;
  NNLAT_XNN(context_, xnn_define_depthwise_convolution_2d(sg_, 0, 0, 0, 0, 1, 1, static_cast<uint32_t>(w.stride_h),
                                                          static_cast<uint32_t>(w.stride_w), 1, 1, 1, usize(channels),
                                                          lo_, hi_, in, fid, b, out, 0));
  return Status::Ok();
}

Status SubgraphEmitter::pool(const Kernel& k) {
  const ir::Node& n = g_.node(k.node);
  const Shape& in = g_.value(n.inputs[0]).shape;
  NNLAT_ASSIGN_OR_RETURN(ir::Window2d w, ir::resolve_window(n.attrs, in[2], in[3], n.attr_int("ceil_mode") != 0));
  NNLAT_ASSIGN_OR_RETURN(uint32_t x, input(k.inputs[0]));
  NNLAT_ASSIGN_OR_RETURN(uint32_t y, output(k.outputs[0]));
  if (w.kernel_h == 1 && w.kernel_w == 1) return subsample(k, x, y, w, in[1]);
  // XNNPACK sizes outputs with floor division; ceil_mode windows become extra end padding
  // (ignored by max pooling, excluded from the average's count, as PyTorch does).
  const int64_t eff_h = (w.kernel_h - 1) * w.dilation_h + 1, eff_w = (w.kernel_w - 1) * w.dilation_w + 1;
  const int64_t extra_b = std::max<int64_t>(0, (w.out_h - 1) * w.stride_h + eff_h - (in[2] + w.pad_top + w.pad_bottom));
  const int64_t extra_r = std::max<int64_t>(0, (w.out_w - 1) * w.stride_w + eff_w - (in[3] + w.pad_left + w.pad_right));
  const auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (n.op == OpKind::kMaxPool2d) {
    NNLAT_XNN(context_,
              xnn_define_max_pooling_2d(sg_, u32(w.pad_top), u32(w.pad_right + extra_r), u32(w.pad_bottom + extra_b),
                                        u32(w.pad_left), u32(w.kernel_h), u32(w.kernel_w), u32(w.stride_h),
                                        u32(w.stride_w), u32(w.dilation_h), u32(w.dilation_w), lo_, hi_, x, y, 0));
    return Status::Ok();
  }
  const bool any_pad = w.pad_top || w.pad_left || w.pad_bottom || w.pad_right;
  if (n.attr_int("count_include_pad") != 0 && any_pad) {
    // Padding that counts: an explicit zero pad (a separate XNNPACK node), then a pool
    // without implicit padding except the ceil_mode overhang.
    const Shape padded = {in[0], in[2] + w.pad_top + w.pad_bottom, in[3] + w.pad_left + w.pad_right, in[1]};
    NNLAT_ASSIGN_OR_RETURN(uint32_t t, temp(padded, q(k.inputs[0])));
    const size_t pre[4] = {0, usize(w.pad_top), usize(w.pad_left), 0};
    const size_t post[4] = {0, usize(w.pad_bottom), usize(w.pad_right), 0};
    NNLAT_XNN(context_, xnn_define_static_constant_pad(sg_, pre, post, 0.0f, x, t, 0));
    NNLAT_XNN(context_,
              xnn_define_average_pooling_2d(sg_, 0, u32(extra_r), u32(extra_b), 0, u32(w.kernel_h), u32(w.kernel_w),
                                            u32(w.stride_h), u32(w.stride_w), lo_, hi_, t, y, 0));
    return Status::Ok();
  }
  NNLAT_XNN(context_, xnn_define_average_pooling_2d(
                          sg_, u32(w.pad_top), u32(w.pad_right + extra_r), u32(w.pad_bottom + extra_b), u32(w.pad_left),
                          u32(w.kernel_h), u32(w.kernel_w), u32(w.stride_h), u32(w.stride_w), lo_, hi_, x, y, 0));
  return Status::Ok();
}

Status SubgraphEmitter::binary(const Kernel& k) {
  const ir::Node& n = g_.node(k.node);
  const Shape& out = g_.value(n.outputs[0]).shape;
  std::vector<uint32_t> operands;
  for (ValueId v : n.inputs) {
    NNLAT_ASSIGN_OR_RETURN(uint32_t id, input(v));
    const Shape& s = g_.value(v).shape;
    if (out.size() == 4 && s.size() < 4) {
      // Align a lower-rank operand with NCHW broadcasting, then express it in NHWC (the
      // planner checked that this needs no transpose).
      Shape padded(4 - s.size(), 1);
      padded.insert(padded.end(), s.begin(), s.end());
      const auto dims = dims_of(physical_shape(padded));
      NNLAT_ASSIGN_OR_RETURN(uint32_t r, temp(physical_shape(padded), q(v)));
      NNLAT_XNN(context_, xnn_define_static_reshape(sg_, dims.size(), dims.data(), id, r, 0));
      id = r;
    }
    operands.push_back(id);
  }
  if (operands.size() == 1) {
    NNLAT_ASSIGN_OR_RETURN(uint32_t s, scalar(static_cast<float>(ir::get_float(n.attrs, "scalar", 0.0))));
    operands.push_back(s);
  }
  NNLAT_ASSIGN_OR_RETURN(uint32_t y, output(k.outputs[0]));
  const uint32_t a = operands[0], b = operands[1];
  // emit() sends only the binary ops (OpTrait::kBinary) here: add, sub, mul, div.
  if (n.op == OpKind::kAdd) {
    NNLAT_XNN(context_, xnn_define_add2(sg_, lo_, hi_, a, b, y, 0));
  } else if (n.op == OpKind::kSub) {
    NNLAT_XNN(context_, xnn_define_subtract(sg_, lo_, hi_, a, b, y, 0));
  } else if (n.op == OpKind::kMul) {
    NNLAT_XNN(context_, xnn_define_multiply2(sg_, lo_, hi_, a, b, y, 0));
  } else {
    NNLAT_XNN(context_, xnn_define_divide(sg_, lo_, hi_, a, b, y, 0));
  }
  return Status::Ok();
}

Status SubgraphEmitter::emit(const Kernel& k) {
  context_ = "kernel " + k.name;
  // The output range; int8: within what the output's parameters represent (XNNPACK's QS8
  // nodes do not all accept an infinite bound).
  lo_ = k.out_min;
  hi_ = k.out_max;
  if (const QuantParams* qp = q(k.outputs[0])) {
    lo_ = std::max(lo_, static_cast<float>(-128 - qp->zero_point) * qp->scale);
    hi_ = std::min(hi_, static_cast<float>(127 - qp->zero_point) * qp->scale);
  }
  const ir::Node& n = g_.node(k.node);
  const Shape& in = g_.value(n.inputs[0]).shape;
  const Shape& out = g_.value(n.outputs[0]).shape;
  constexpr float inf = std::numeric_limits<float>::infinity();
  // Nodes with an emitter of their own; the switch below decides for every other op.
  if (n.op == OpKind::kConv2d || n.op == OpKind::kDepthwiseConv2d) return conv(k);
  if (n.op == OpKind::kFullyConnected) return fully_connected(k);
  if (n.op == OpKind::kMaxPool2d || n.op == OpKind::kAvgPool2d) return pool(k);
  if (ir::has_trait(n.op, ir::OpTrait::kBinary)) return binary(k);
  NNLAT_ASSIGN_OR_RETURN(uint32_t x, input(k.inputs[0]));
  NNLAT_ASSIGN_OR_RETURN(uint32_t y, output(k.outputs[0]));
  switch (n.op) {
    case OpKind::kBatchNorm: {
      std::vector<float> scale, shift;
      batch_norm_scale_shift(w_.nodes[k.node.index], scale, shift);
      // A depthwise 1x1 convolution (per-channel scale and shift). Rank 2 [N, C] runs as
      // [N, 1, 1, C] between two reshapes.
      const int64_t c = in[1];
      uint32_t src = x, dst = y;
      if (in.size() == 2) {
        NNLAT_ASSIGN_OR_RETURN(src, temp({in[0], 1, 1, c}, q(k.inputs[0])));
        NNLAT_ASSIGN_OR_RETURN(dst, temp({in[0], 1, 1, c}, q(k.outputs[0])));
        const size_t dims4[4] = {usize(in[0]), 1, 1, usize(c)};
        NNLAT_XNN(context_, xnn_define_static_reshape(sg_, 4, dims4, x, src, 0));
      }
      NNLAT_ASSIGN_OR_RETURN(auto fb, filter_and_bias(scale, {1, 1, 1, c}, 3, shift, k.inputs[0]));
      const auto [fid, b] = fb;
      NNLAT_XNN(context_, xnn_define_depthwise_convolution_2d(sg_, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, usize(c), lo_, hi_,
                                                              src, fid, b, dst, 0));
      if (in.size() == 2) {
        const size_t dims2[2] = {usize(in[0]), usize(c)};
        NNLAT_XNN(context_, xnn_define_static_reshape(sg_, 2, dims2, dst, y, 0));
      }
      return Status::Ok();
    }
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kClamp: {
      float lo = 0, hi = inf;
      if (n.op == OpKind::kRelu6) hi = 6;
      if (n.op == OpKind::kClamp) {
        lo = static_cast<float>(n.attr_float("min"));
        hi = static_cast<float>(n.attr_float("max"));
      }
      NNLAT_XNN(context_, xnn_define_clamp(sg_, std::max(lo, lo_), std::min(hi, hi_), x, y, 0));
      return Status::Ok();
    }
    case OpKind::kHardSwish:
      NNLAT_XNN(context_, xnn_define_hardswish(sg_, x, y, 0));
      return Status::Ok();
    case OpKind::kSigmoid:
      NNLAT_XNN(context_, xnn_define_sigmoid(sg_, x, y, 0));
      return Status::Ok();
    case OpKind::kSwish: {                                                    // x * sigmoid(x)
      NNLAT_ASSIGN_OR_RETURN(uint32_t t, temp(physical_shape(in), nullptr));  // float only
      NNLAT_XNN(context_, xnn_define_sigmoid(sg_, x, t, 0));
      NNLAT_XNN(context_, xnn_define_multiply2(sg_, -inf, inf, x, t, y, 0));
      return Status::Ok();
    }
    case OpKind::kHardSigmoid: {  // clamp(alpha * x + beta, 0, 1): multiply, then add with output range
      NNLAT_ASSIGN_OR_RETURN(uint32_t a, scalar(static_cast<float>(n.attr_float("alpha"))));
      NNLAT_ASSIGN_OR_RETURN(uint32_t b, scalar(static_cast<float>(n.attr_float("beta"))));
      NNLAT_ASSIGN_OR_RETURN(uint32_t t, temp(physical_shape(in), nullptr));  // float only
      NNLAT_XNN(context_, xnn_define_multiply2(sg_, -inf, inf, x, a, t, 0));
      NNLAT_XNN(context_, xnn_define_add2(sg_, 0.0f, 1.0f, t, b, y, 0));
      return Status::Ok();
    }
    case OpKind::kGlobalAvgPool:
    case OpKind::kReduceMean: {
      if (out.size() == 4) {
        NNLAT_XNN(context_, xnn_define_global_average_pooling_2d(sg_, lo_, hi_, x, y, 0));
        return Status::Ok();
      }
      NNLAT_ASSIGN_OR_RETURN(uint32_t t, temp({in[0], 1, 1, in[1]}, q(k.outputs[0])));
      NNLAT_XNN(context_, xnn_define_global_average_pooling_2d(sg_, lo_, hi_, x, t, 0));
      const auto dims = dims_of(physical_shape(out));
      NNLAT_XNN(context_, xnn_define_static_reshape(sg_, dims.size(), dims.data(), t, y, 0));
      return Status::Ok();
    }
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kIdentity: {  // a copy (identity normally disappears in importers)
      const auto dims = dims_of(physical_shape(out));
      NNLAT_XNN(context_, xnn_define_static_reshape(sg_, dims.size(), dims.data(), x, y, 0));
      return Status::Ok();
    }
    case OpKind::kPad: {
      const auto pads = ir::get_ints(n.attrs, "pads", {});
      std::vector<size_t> pre(in.size()), post(in.size());
      for (size_t d = 0; d < in.size(); ++d) {
        pre[physical_axis(d, in.size())] = usize(pads[d]);
        post[physical_axis(d, in.size())] = usize(pads[d + in.size()]);
      }
      NNLAT_XNN(context_,
                xnn_define_static_constant_pad(sg_, pre.data(), post.data(),
                                               static_cast<float>(ir::get_float(n.attrs, "value", 0.0)), x, y, 0));
      return Status::Ok();
    }
    case OpKind::kResize:  // no flags: half-pixel centres
      NNLAT_XNN(context_, xnn_define_static_resize_bilinear_2d(sg_, usize(out[2]), usize(out[3]), x, y, 0));
      return Status::Ok();
    case OpKind::kSoftmax:
      NNLAT_XNN(context_, xnn_define_softmax(sg_, x, y, 0));
      return Status::Ok();
    case OpKind::kConv2d:
    case OpKind::kDepthwiseConv2d:
    case OpKind::kFullyConnected:
    case OpKind::kMatMul:
    case OpKind::kTanh:
    case OpKind::kGelu:
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kConcat:
    case OpKind::kChannelShuffle:
    case OpKind::kSplit:
    case OpKind::kTranspose:
    case OpKind::kLayerNorm:
    case OpKind::kSlice:
    case OpKind::kL2Normalize:
      break;
  }
  return make_error(ErrorCode::kInternal, "xnnpack: " + context_ + ": op " + std::string(ir::op_name(n.op)) +
                                              " reached the subgraph emitter");
}

Status XnnpackPrepared::create_pool(const RunConfig& config) {
  pin_ = !config.affinity.empty();
  if (pin_) {
    CPU_ZERO(&pin_set_);
    for (int cpu : config.affinity) {
      if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return make_error(ErrorCode::kInvalidArgument,
                          "xnnpack: affinity CPU id " + std::to_string(cpu) + " is invalid");
      }
      CPU_SET(cpu, &pin_set_);
    }
  }
  cpu_set_t before;
  if (pin_) {
    // Workers inherit the mask of the thread that creates them; setting it here also checks
    // the set when there is no pool.
    if (pthread_getaffinity_np(pthread_self(), sizeof(before), &before) != 0) {
      return make_error(ErrorCode::kInternal, "xnnpack: pthread_getaffinity_np failed");
    }
    if (pthread_setaffinity_np(pthread_self(), sizeof(pin_set_), &pin_set_) != 0) {
      return make_error(ErrorCode::kInvalidArgument, "xnnpack: cannot pin to CPUs " + cpus_to_string(config.affinity) +
                                                         " (not available to this process?)");
    }
  }
  // threads <= 1: no pool, XNNPACK runs on the calling thread (as TFLite does).
  if (config.threads > 1) pool_ = pthreadpool_create(static_cast<size_t>(config.threads));
  if (pin_) pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
  if (config.threads > 1 && !pool_) {
    return make_error(ErrorCode::kInternal,
                      "xnnpack: pthreadpool_create(" + std::to_string(config.threads) + ") failed");
  }
  return Status::Ok();
}

Status XnnpackPrepared::pin_caller() {
  if (!pin_) return Status::Ok();
  const pthread_t self = pthread_self();
  if (pinned_ && pthread_equal(pinned_thread_, self)) return Status::Ok();
  cpu_set_t before;
  if (pthread_getaffinity_np(self, sizeof(before), &before) != 0) {
    return make_error(ErrorCode::kInternal, "xnnpack: pthread_getaffinity_np failed");
  }
  if (pthread_setaffinity_np(self, sizeof(pin_set_), &pin_set_) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "xnnpack: cannot pin the calling thread to the affinity set");
  }
  pinned_ = true;
  pinned_thread_ = self;
  caller_mask_before_pin_ = before;
  return Status::Ok();
}

Status XnnpackPrepared::build_subgraph(const ir::Graph& g, const GraphWeights& weights,
                                       const std::vector<const Kernel*>& kernels,
                                       const std::vector<ValueId>& ext_inputs, const std::vector<ValueId>& ext_outputs,
                                       const std::vector<QuantParams>* quant, Segment& segment) {
  const std::string context = "subgraph segment starting at kernel " + kernels.front()->name;
  xnn_subgraph_t sg = nullptr;
  NNLAT_XNN(context, xnn_create_subgraph(static_cast<uint32_t>(ext_inputs.size() + ext_outputs.size()), 0, &sg));
  struct Guard {
    xnn_subgraph_t sg;
    ~Guard() { xnn_delete_subgraph(sg); }
  } guard{sg};
  SubgraphEmitter emitter(sg, g, weights, statics_, quant);
  std::vector<xnn_external_value> externals;
  uint32_t next = 0;
  for (ValueId v : ext_inputs) {
    NNLAT_RETURN_IF_ERROR(emitter.define_external(v, next, XNN_VALUE_FLAG_EXTERNAL_INPUT));
    externals.push_back({next++, host(v).segment_buffer()});
  }
  for (ValueId v : ext_outputs) {
    NNLAT_RETURN_IF_ERROR(emitter.define_external(v, next, XNN_VALUE_FLAG_EXTERNAL_OUTPUT));
    externals.push_back({next++, host(v).segment_buffer()});
  }
  for (const Kernel* k : kernels) NNLAT_RETURN_IF_ERROR(emitter.emit(*k));
  // No runtime flags: TFLite's default (no sparse inference, no fp16 rewrite).
  NNLAT_XNN(context, xnn_create_runtime_v2(sg, pool_, 0, &segment.runtime));
  NNLAT_XNN(context, xnn_setup_runtime(segment.runtime, externals.size(), externals.data()));
  return Status::Ok();
}

// int8: one segment converting the float graph inputs to int8 (quantize), or the int8 graph
// outputs to float (dequantize).
Status XnnpackPrepared::build_convert_segment(const ir::Graph& g, const GraphWeights& weights,
                                              const std::vector<ValueId>& values, bool quantize,
                                              const std::vector<QuantParams>& quant, Segment& segment) {
  const std::string context = quantize ? "quantize inputs" : "dequantize outputs";
  xnn_subgraph_t sg = nullptr;
  NNLAT_XNN(context, xnn_create_subgraph(static_cast<uint32_t>(2 * values.size()), 0, &sg));
  struct Guard {
    xnn_subgraph_t sg;
    ~Guard() { xnn_delete_subgraph(sg); }
  } guard{sg};
  std::vector<xnn_external_value> externals;
  uint32_t next = 0;
  for (ValueId v : values) {
    // Two emitters so that the same IR value gets a float and an int8 xnn value.
    SubgraphEmitter as_float(sg, g, weights, statics_, &quant), as_int8(sg, g, weights, statics_, &quant);
    HostTensor& t = host(v);
    const uint32_t float_id = next++, int8_id = next++;
    NNLAT_RETURN_IF_ERROR(as_float.define_external(
        v, float_id, quantize ? XNN_VALUE_FLAG_EXTERNAL_INPUT : XNN_VALUE_FLAG_EXTERNAL_OUTPUT, /*as_float=*/true));
    NNLAT_RETURN_IF_ERROR(
        as_int8.define_external(v, int8_id, quantize ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : XNN_VALUE_FLAG_EXTERNAL_INPUT));
    NNLAT_RETURN_IF_ERROR(as_float.convert(quantize ? float_id : int8_id, quantize ? int8_id : float_id,
                                           context + " (" + g.value(v).name + ")"));
    externals.push_back({float_id, t.data.data()});
    externals.push_back({int8_id, t.qdata.data()});
  }
  NNLAT_XNN(context, xnn_create_runtime_v2(sg, pool_, 0, &segment.runtime));
  NNLAT_XNN(context, xnn_setup_runtime(segment.runtime, externals.size(), externals.data()));
  return Status::Ok();
}

Status XnnpackPrepared::build_operator_step(const ir::Graph& g, const Kernel& k, Segment& segment) {
  const std::string context = "kernel " + k.name;
  const ir::Node& n = g.node(k.node);
  const Shape& in = g.value(n.inputs[0]).shape;
  const bool int8 = !host(n.inputs[0]).qdata.empty();
  const size_t elem = int8 ? 1 : sizeof(float);
  auto buffer = [&](ValueId v) { return static_cast<char*>(host(v).segment_buffer()); };
  // Strides and sizes in elements; offsets in bytes.
  auto add_copy = [&](size_t channels, size_t in_stride, size_t out_stride, size_t batch, const void* src,
                      void* dst) -> Status {
    xnn_operator_t op = nullptr;
    if (int8) {
      NNLAT_XNN(context, xnn_create_copy_nc_x8(channels, in_stride, out_stride, 0, &op));
    } else {
      NNLAT_XNN(context, xnn_create_copy_nc_x32(channels, in_stride, out_stride, 0, &op));
    }
    segment.operators.push_back(op);
    if (int8) {
      NNLAT_XNN(context, xnn_setup_copy_nc_x8(op, batch, src, dst, pool_));
    } else {
      NNLAT_XNN(context, xnn_setup_copy_nc_x32(op, batch, src, dst, pool_));
    }
    return Status::Ok();
  };
  // Block view around the (physical) axis: `outer` blocks of `inner` elements per tensor.
  auto outer_of = [](const Shape& phys, size_t axis) {
    int64_t o = 1;
    for (size_t d = 0; d < axis; ++d) o *= phys[d];
    return o;
  };
  switch (k.step) {
    case Step::kConcat: {
      const Shape& out = g.value(n.outputs[0]).shape;
      int64_t axis = ir::get_int(n.attrs, "axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(out.size());
      const int64_t outer = outer_of(physical_shape(out), physical_axis(usize(axis), out.size()));
      const int64_t out_inner = ir::num_elements(out) / outer;
      char* dst = buffer(n.outputs[0]);
      int64_t offset = 0;
      for (ValueId v : n.inputs) {
        const int64_t inner = ir::num_elements(g.value(v).shape) / outer;
        NNLAT_RETURN_IF_ERROR(add_copy(usize(inner), usize(inner), usize(out_inner), usize(outer), buffer(v),
                                       dst + usize(offset) * elem));
        offset += inner;
      }
      return Status::Ok();
    }
    case Step::kSplit: {
      int64_t axis = ir::get_int(n.attrs, "axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(in.size());
      const int64_t outer = outer_of(physical_shape(in), physical_axis(usize(axis), in.size()));
      const int64_t in_inner = ir::num_elements(in) / outer;
      const char* src = buffer(n.inputs[0]);
      int64_t offset = 0;
      for (ValueId v : n.outputs) {
        const int64_t inner = ir::num_elements(g.value(v).shape) / outer;
        NNLAT_RETURN_IF_ERROR(
            add_copy(usize(inner), usize(in_inner), usize(inner), usize(outer), src + usize(offset) * elem, buffer(v)));
        offset += inner;
      }
      return Status::Ok();
    }
    case Step::kChannelShuffle: {
      const int64_t groups = n.attr_int("groups"), c = in[1];
      const size_t pixels = usize(in[0] * in[2] * in[3]);
      const char* src = buffer(n.inputs[0]);
      char* dst = buffer(n.outputs[0]);
      if (groups == 1 || groups == c) {  // a permutation that is the identity: a copy
        return add_copy(usize(c), usize(c), usize(c), pixels, src, dst);
      }
      xnn_operator_t op = nullptr;
      if (int8) {
        NNLAT_XNN(context,
                  xnn_create_channel_shuffle_nc_x8(usize(groups), usize(c / groups), usize(c), usize(c), 0, &op));
      } else {
        NNLAT_XNN(context,
                  xnn_create_channel_shuffle_nc_x32(usize(groups), usize(c / groups), usize(c), usize(c), 0, &op));
      }
      segment.operators.push_back(op);
      if (int8) {
        NNLAT_XNN(context, xnn_setup_channel_shuffle_nc_x8(op, pixels, src, dst, pool_));
      } else {
        NNLAT_XNN(context, xnn_setup_channel_shuffle_nc_x32(op, pixels, src, dst, pool_));
      }
      return Status::Ok();
    }
    case Step::kSubgraph:
    case Step::kHost:
      break;
  }
  return make_error(ErrorCode::kInternal, "xnnpack: " + context + " is not an operator step");
}

Status XnnpackPrepared::build_host_step(const ir::Graph& g, const GraphWeights& weights, const Kernel& k,
                                        Segment& segment) {
  if (!graph_for_host_steps_) graph_for_host_steps_ = std::make_shared<const ir::Graph>(g);
  const ir::Node& n = g.node(k.node);
  std::vector<const float*> inputs;
  for (ValueId v : n.inputs) inputs.push_back(host(v).data.data());
  NNLAT_ASSIGN_OR_RETURN(segment.host_step,
                         xnnpack::HostStep::create(graph_for_host_steps_, k.node, weights.nodes[k.node.index], inputs,
                                                   host(n.outputs[0]).data.data(), pool_));
  return Status::Ok();
}

Status XnnpackPrepared::init(const ir::Graph& g, const RunConfig& config, const xnnpack::Plan& plan) {
  NNLAT_RETURN_IF_ERROR(create_pool(config));
  NNLAT_ASSIGN_OR_RETURN(GraphWeights weights, make_weights(g, config.weight_seed));
  graph_inputs_ = g.inputs();
  graph_outputs_ = g.outputs();
  const bool int8 = config.precision == Precision::kInt8;
  std::vector<QuantParams> quant;
  if (int8) {
    NNLAT_ASSIGN_OR_RETURN(quant, xnnpack::calibrate(g, weights, plan, config.weight_seed));
  }

  // Segments: maximal runs of subgraph kernels (one XNNPACK runtime each, like a TFLite
  // delegate partition) and one segment per operator step.
  std::vector<int> segment_of(plan.kernels.size());
  std::vector<bool> segment_is_subgraph;
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const bool sub = plan.kernels[i].step == Step::kSubgraph;
    if (!sub || segment_is_subgraph.empty() || !segment_is_subgraph.back()) segment_is_subgraph.push_back(sub);
    segment_of[i] = static_cast<int>(segment_is_subgraph.size()) - 1;
  }
  const size_t num_segments = segment_is_subgraph.size();

  // Values that live in host buffers: graph inputs and outputs, operator-step operands and
  // anything that crosses a segment boundary.
  std::vector<int> producer(g.values().size(), -1);
  for (size_t i = 0; i < plan.kernels.size(); ++i)
    for (ValueId v : plan.kernels[i].outputs) producer[v.index] = segment_of[i];
  std::vector<bool> is_host(g.values().size(), false), is_io(g.values().size(), false);
  for (ValueId v : g.inputs()) is_host[v.index] = is_io[v.index] = true;
  for (ValueId v : g.outputs()) is_host[v.index] = is_io[v.index] = true;
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const Kernel& k = plan.kernels[i];
    const bool op_step = k.step != Step::kSubgraph;
    for (ValueId v : k.inputs)
      if (op_step || producer[v.index] != segment_of[i]) is_host[v.index] = true;
    for (ValueId v : k.outputs)
      if (op_step) is_host[v.index] = true;
  }
  for (size_t v = 0; v < g.values().size(); ++v) {
    if (!is_host[v]) continue;
    HostTensor& t = host_[static_cast<uint32_t>(v)];
    t.ir_shape = g.values()[v].shape;
    const size_t n = usize(ir::num_elements(t.ir_shape));
    if (!int8 || is_io[v]) t.data.assign(n + kExtraFloats, 0.0f);
    if (int8) t.qdata.assign(n + XNN_EXTRA_BYTES, 0);
  }

  auto add_segment = [&](const std::string& name) -> Segment& {
    segments_.emplace_back();
    segment_names_.push_back(name);
    return segments_.back();
  };
  if (int8) {
    kernel_names_.push_back("quantize");
    ++num_subgraphs_;
    NNLAT_RETURN_IF_ERROR(build_convert_segment(g, weights, g.inputs(), true, quant, add_segment("quantize")));
  }
  for (size_t s = 0; s < num_segments; ++s) {
    std::vector<const Kernel*> kernels;
    for (size_t i = 0; i < plan.kernels.size(); ++i)
      if (segment_of[i] == static_cast<int>(s)) kernels.push_back(&plan.kernels[i]);
    for (const Kernel* k : kernels) kernel_names_.push_back(k->name);
    Segment& segment = add_segment("segment " + std::to_string(s) + " (" + kernels.front()->name +
                                   (kernels.size() > 1 ? ", ..." : "") + ")");
    if (!segment_is_subgraph[s]) {
      ++num_operator_steps_;
      if (kernels.front()->step == Step::kHost) {
        NNLAT_RETURN_IF_ERROR(build_host_step(g, weights, *kernels.front(), segment));
      } else {
        NNLAT_RETURN_IF_ERROR(build_operator_step(g, *kernels.front(), segment));
      }
      continue;
    }
    ++num_subgraphs_;
    std::vector<ValueId> ext_in, ext_out;
    std::vector<bool> seen(g.values().size(), false);
    for (const Kernel* k : kernels) {
      for (ValueId v : k->inputs) {
        if (is_host[v.index] && producer[v.index] != static_cast<int>(s) && !seen[v.index]) {
          seen[v.index] = true;
          ext_in.push_back(v);
        }
      }
      for (ValueId v : k->outputs)
        if (is_host[v.index]) ext_out.push_back(v);
    }
    NNLAT_RETURN_IF_ERROR(build_subgraph(g, weights, kernels, ext_in, ext_out, int8 ? &quant : nullptr, segment));
  }
  if (int8) {
    kernel_names_.push_back("dequantize");
    ++num_subgraphs_;
    NNLAT_RETURN_IF_ERROR(build_convert_segment(g, weights, g.outputs(), false, quant, add_segment("dequantize")));
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::vector<float>> xnnpack_int8_calibration_inputs(const ir::Graph& graph, uint64_t weight_seed) {
  return xnnpack::calibration_inputs(graph, weight_seed);
}

std::string XnnpackBackend::version() const {
  return std::string("xnnpack-2022-02 (libxnnpack0 ") + NNLAT_XNNPACK_PKG_VERSION + ")";
}

Status XnnpackBackend::supports(const ir::Graph& graph, const RunConfig& config) const {
  NNLAT_RETURN_IF_ERROR(xnnpack::make_plan(graph, config));
  return Status::Ok();
}

Result<std::unique_ptr<PreparedGraph>> XnnpackBackend::prepare(const ir::Graph& graph, const RunConfig& config) {
  NNLAT_RETURN_IF_ERROR(initialize_xnnpack());
  // XNNPACK allocates no memory for a value nobody reads and then aborts in setup, so a node
  // whose outputs are all unused (dead code) is refused by name instead.
  {
    std::vector<bool> used(graph.values().size(), false);
    for (const auto& n : graph.nodes()) {
      for (ir::ValueId v : n.inputs) used[v.index] = true;
    }
    for (ir::ValueId v : graph.outputs()) used[v.index] = true;
    for (const auto& n : graph.nodes()) {
      if (std::none_of(n.outputs.begin(), n.outputs.end(), [&](ir::ValueId v) { return used[v.index]; })) {
        return make_error(ErrorCode::kUnsupported, "graph " + graph.name + ": node " + n.name +
                                                       " computes a value nothing uses (dead code); remove it");
      }
    }
  }
  NNLAT_ASSIGN_OR_RETURN(xnnpack::Plan plan, xnnpack::make_plan(graph, config));
  auto prepared = std::make_unique<XnnpackPrepared>();
  if (auto st = prepared->init(graph, config, plan); !st.ok()) {
    return st.error().with_context("graph " + graph.name);
  }
  return std::unique_ptr<PreparedGraph>(std::move(prepared));
}

}  // namespace nnlat::backends
