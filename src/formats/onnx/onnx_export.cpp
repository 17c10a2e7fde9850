// IR graph -> ONNX ModelProto (opset 14) with random weights. Every IR op has a lowering;
// the importer maps each lowering back to the same IR op (docs/onnx.md).
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <set>

#include "formats/onnx/onnx_common.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/onnx.hpp"

namespace nnlat::formats {
namespace {

using namespace onnx_detail;
using ir::Attrs;
using ir::get_float;
using ir::get_int;
using ir::get_ints;
using ir::get_string;
using ir::OpKind;

std::vector<int64_t> pair_of(const Attrs& a, const std::string& name) {
  auto v = get_ints(a, name, {});
  if (v.size() == 1) return {v[0], v[0]};
  return v;
}

class Exporter {
 public:
  Exporter(const ir::Graph& graph, uint64_t seed) : g_(graph), rng_(seed) {
    for (const auto& v : g_.values()) used_.insert(v.name);
  }

  Result<std::string> run();

 private:
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int k = 1; used_.contains(name); ++k) name = base + "_" + std::to_string(k);
    used_.insert(name);
    return name;
  }
  const std::string& name_of(ir::ValueId v) const { return g_.value(v).name; }

  // Initializer with random values drawn uniformly from [lo, hi].
  std::string weight(const std::string& base, const std::vector<int64_t>& dims, ir::DType dtype, double lo, double hi) {
    std::uniform_real_distribution<double> dist(lo, hi);
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<double> values(static_cast<size_t>(n));
    for (auto& v : values) v = dist(rng_);
    return constant(base, dims, dtype, values);
  }

  std::string constant(const std::string& base, const std::vector<int64_t>& dims, ir::DType dtype,
                       const std::vector<double>& values) {
    onnx::TensorProto* t = gp_->add_initializer();
    const std::string name = fresh(base);
    t->set_name(name);
    for (int64_t d : dims) t->add_dims(d);
    t->set_data_type(dtype_to_onnx(dtype));
    std::string raw;
    raw.resize(values.size() * static_cast<size_t>(ir::dtype_size(dtype)));
    char* p = raw.data();
    auto put = [&p](auto x) {
      std::memcpy(p, &x, sizeof x);
      p += sizeof x;
    };
    for (double v : values) {
      switch (dtype) {
        case ir::DType::kFloat32:
          put(static_cast<float>(v));
          break;
        case ir::DType::kFloat16:
          put(float_to_half(static_cast<float>(v)));
          break;
        case ir::DType::kInt8:
          put(static_cast<int8_t>(std::lround(v)));
          break;
        case ir::DType::kUInt8:
          put(static_cast<uint8_t>(std::lround(std::max(v, 0.0))));
          break;
        case ir::DType::kInt32:
          put(static_cast<int32_t>(std::lround(v)));
          break;
        case ir::DType::kInt64:
          put(static_cast<int64_t>(std::llround(v)));
          break;
      }
    }
    t->set_raw_data(std::move(raw));
    return name;
  }

  std::string ints(const std::string& base, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = gp_->add_initializer();
    const std::string name = fresh(base);
    t->set_name(name);
    t->add_dims(static_cast<int64_t>(values.size()));
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t v : values) t->add_int64_data(v);
    return name;
  }

  std::string scalar(const std::string& base, ir::DType dtype, double value) {
    return constant(base, {}, dtype, {value});
  }

  onnx::NodeProto* node(const std::string& op_type, const std::string& name, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs) {
    onnx::NodeProto* n = gp_->add_node();
    n->set_op_type(op_type);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }

  Status lower(const ir::Node& n);

  const ir::Graph& g_;
  std::mt19937_64 rng_;
  std::set<std::string> used_;
  onnx::GraphProto* gp_ = nullptr;
};

void set_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void set_float(onnx::NodeProto* n, const std::string& name, double v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(static_cast<float>(v));
}
void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void set_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

Error unsupported(const ir::Node& n, const std::string& why) {
  return make_error(ErrorCode::kUnsupported, "node " + n.name + " (" + std::string(ir::op_name(n.op)) + "): " + why);
}

// kernel_shape / strides / dilations / pads / auto_pad of Conv and the pools. IR attributes
// that are absent stay absent in ONNX (their defaults agree), so the importer can mirror them.
Status window_attrs(const ir::Node& n, onnx::NodeProto* p, bool dilation) {
  const Attrs& a = n.attrs;
  set_ints(p, "kernel_shape", pair_of(a, "kernel"));
  if (a.contains("stride")) set_ints(p, "strides", pair_of(a, "stride"));
  if (dilation && a.contains("dilation")) set_ints(p, "dilations", pair_of(a, "dilation"));
  std::string padding = get_string(a, "padding", "explicit");
  if (a.contains("padding")) {
    if (padding == "explicit") {
      set_string(p, "auto_pad", "NOTSET");
    } else if (padding == "same") {
      set_string(p, "auto_pad", "SAME_UPPER");
    } else if (padding == "valid") {
      set_string(p, "auto_pad", "VALID");
    } else {
      return unsupported(n, "padding '" + padding + "'");
    }
  }
  if (padding == "explicit" && a.contains("pads")) set_ints(p, "pads", get_ints(a, "pads", {}));
  return Status::Ok();
}

Status Exporter::lower(const ir::Node& n) {
  const Attrs& a = n.attrs;
  std::vector<std::string> in;
  for (ir::ValueId v : n.inputs) in.push_back(name_of(v));
  std::vector<std::string> out;
  for (ir::ValueId v : n.outputs) out.push_back(name_of(v));
  const ir::Shape& s = g_.value(n.inputs[0]).shape;
  const ir::DType dt = g_.value(n.inputs[0]).dtype;
  const std::string& nm = n.name;
  const std::string hint = encode_hint(n.op, a);
  // The node that carries the IR node's name, output and hint is the last of a lowering.
  auto final_node = [&](const std::string& op_type, const std::vector<std::string>& inputs) {
    onnx::NodeProto* p = node(op_type, nm, inputs, out);
    p->set_doc_string(hint);
    return p;
  };
  auto tmp = [&](const std::string& suffix) { return fresh(nm + "/" + suffix); };

  switch (n.op) {
    case OpKind::kConv2d: {
      const int64_t oc = get_int(a, "out_channels", 0);
      const int64_t groups = n.attr_int("groups");
      const auto k = pair_of(a, "kernel");
      std::vector<std::string> inputs{in[0], weight(nm + ".weight", {oc, s[1] / groups, k[0], k[1]}, dt, -0.1, 0.1)};
      if (n.attr_int("bias") != 0) inputs.push_back(weight(nm + ".bias", {oc}, dt, -0.1, 0.1));
      onnx::NodeProto* p = final_node("Conv", inputs);
      NNLAT_RETURN_IF_ERROR(window_attrs(n, p, true));
      if (a.contains("groups")) set_int(p, "group", groups);
      return Status::Ok();
    }
    case OpKind::kDepthwiseConv2d: {
      const int64_t oc = s[1] * n.attr_int("multiplier");
      const auto k = pair_of(a, "kernel");
      std::vector<std::string> inputs{in[0], weight(nm + ".weight", {oc, 1, k[0], k[1]}, dt, -0.1, 0.1)};
      if (n.attr_int("bias") != 0) inputs.push_back(weight(nm + ".bias", {oc}, dt, -0.1, 0.1));
      onnx::NodeProto* p = final_node("Conv", inputs);
      NNLAT_RETURN_IF_ERROR(window_attrs(n, p, true));
      set_int(p, "group", s[1]);
      return Status::Ok();
    }
    case OpKind::kFullyConnected: {
      const int64_t nout = get_int(a, "out_features", 0);
      const int64_t k = s.back();
      const bool bias = n.attr_int("bias") != 0;
      if (s.size() == 2) {
        std::vector<std::string> inputs{in[0], weight(nm + ".weight", {nout, k}, dt, -0.1, 0.1)};
        if (bias) inputs.push_back(weight(nm + ".bias", {nout}, dt, -0.1, 0.1));
        set_int(final_node("Gemm", inputs), "transB", 1);
        return Status::Ok();
      }
      const std::string w = weight(nm + ".weight", {k, nout}, dt, -0.1, 0.1);
      if (!bias) {
        final_node("MatMul", {in[0], w});
        return Status::Ok();
      }
      const std::string t = tmp("matmul");
      node("MatMul", t, {in[0], w}, {t});
      final_node("Add", {t, weight(nm + ".bias", {nout}, dt, -0.1, 0.1)});
      return Status::Ok();
    }
    case OpKind::kMatMul:
      final_node("MatMul", in);
      return Status::Ok();
    case OpKind::kBatchNorm: {
      const int64_t c = s[1];
      onnx::NodeProto* p =
          final_node("BatchNormalization",
                     {in[0], weight(nm + ".scale", {c}, dt, 0.5, 1.5), weight(nm + ".shift", {c}, dt, -0.1, 0.1),
                      weight(nm + ".mean", {c}, dt, -0.1, 0.1), weight(nm + ".var", {c}, dt, 0.5, 1.5)});
      if (a.contains("epsilon")) set_float(p, "epsilon", n.attr_float("epsilon"));
      return Status::Ok();
    }
    case OpKind::kRelu:
      final_node("Relu", in);
      return Status::Ok();
    case OpKind::kRelu6:
      final_node("Clip", {in[0], scalar(nm + ".min", dt, 0.0), scalar(nm + ".max", dt, 6.0)});
      return Status::Ok();
    case OpKind::kClamp: {
      std::vector<std::string> inputs{in[0], "", ""};
      if (a.contains("min")) inputs[1] = scalar(nm + ".min", dt, n.attr_float("min"));
      if (a.contains("max")) inputs[2] = scalar(nm + ".max", dt, n.attr_float("max"));
      while (inputs.back().empty()) inputs.pop_back();
      final_node("Clip", inputs);
      return Status::Ok();
    }
    case OpKind::kHardSwish:
      final_node("HardSwish", in);
      return Status::Ok();
    case OpKind::kHardSigmoid: {
      onnx::NodeProto* p = final_node("HardSigmoid", in);
      if (a.contains("alpha")) set_float(p, "alpha", n.attr_float("alpha"));
      if (a.contains("beta")) set_float(p, "beta", n.attr_float("beta"));
      return Status::Ok();
    }
    case OpKind::kSigmoid:
      final_node("Sigmoid", in);
      return Status::Ok();
    case OpKind::kTanh:
      final_node("Tanh", in);
      return Status::Ok();
    case OpKind::kSwish: {
      const std::string sg = tmp("sigmoid");
      node("Sigmoid", sg, {in[0]}, {sg});
      final_node("Mul", {in[0], sg});
      return Status::Ok();
    }
    case OpKind::kGelu: {
      const std::string approx = n.attr_string("approximate");
      const std::string& x = in[0];
      if (approx == "none") {
        // 0.5 * x * (1 + erf(x / sqrt(2))), as PyTorch exports it before opset 20.
        const std::string t1 = tmp("div"), t2 = tmp("erf"), t3 = tmp("add"), t4 = tmp("mul");
        node("Div", t1, {x, scalar(nm + ".sqrt2", dt, std::sqrt(2.0))}, {t1});
        node("Erf", t2, {t1}, {t2});
        node("Add", t3, {t2, scalar(nm + ".one", dt, 1.0)}, {t3});
        node("Mul", t4, {x, t3}, {t4});
        final_node("Mul", {t4, scalar(nm + ".half", dt, 0.5)});
        return Status::Ok();
      }
      if (approx == "tanh") {
        // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
        const std::string p = tmp("pow"), m1 = tmp("mul_c"), a1 = tmp("add_x"), m2 = tmp("mul_k"), t = tmp("tanh"),
                          a2 = tmp("add_one"), m3 = tmp("mul_x");
        node("Pow", p, {x, scalar(nm + ".three", dt, 3.0)}, {p});
        node("Mul", m1, {p, scalar(nm + ".c", dt, 0.044715)}, {m1});
        node("Add", a1, {x, m1}, {a1});
        node("Mul", m2, {a1, scalar(nm + ".k", dt, std::sqrt(2.0 / std::numbers::pi))}, {m2});
        node("Tanh", t, {m2}, {t});
        node("Add", a2, {t, scalar(nm + ".one", dt, 1.0)}, {a2});
        node("Mul", m3, {x, a2}, {m3});
        final_node("Mul", {m3, scalar(nm + ".half", dt, 0.5)});
        return Status::Ok();
      }
      return unsupported(n, "approximate '" + approx + "' (none or tanh)");
    }
    case OpKind::kMaxPool2d: {
      onnx::NodeProto* p = final_node("MaxPool", in);
      NNLAT_RETURN_IF_ERROR(window_attrs(n, p, true));
      if (a.contains("ceil_mode")) set_int(p, "ceil_mode", n.attr_int("ceil_mode"));
      return Status::Ok();
    }
    case OpKind::kAvgPool2d: {
      onnx::NodeProto* p = final_node("AveragePool", in);
      NNLAT_RETURN_IF_ERROR(window_attrs(n, p, false));
      if (a.contains("ceil_mode")) set_int(p, "ceil_mode", n.attr_int("ceil_mode"));
      if (a.contains("count_include_pad")) set_int(p, "count_include_pad", n.attr_int("count_include_pad"));
      return Status::Ok();
    }
    case OpKind::kGlobalAvgPool:
      final_node("GlobalAveragePool", in);
      return Status::Ok();
    case OpKind::kReduceMean: {
      onnx::NodeProto* p = final_node("ReduceMean", in);
      set_ints(p, "axes", get_ints(a, "axes", {}));
      if (a.contains("keepdims")) set_int(p, "keepdims", n.attr_int("keepdims"));
      return Status::Ok();
    }
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv: {
      const char* op_type = n.op == OpKind::kAdd   ? "Add"
                            : n.op == OpKind::kSub ? "Sub"
                            : n.op == OpKind::kMul ? "Mul"
                                                   : "Div";
      if (in.size() == 2) {
        final_node(op_type, in);
      } else if (a.contains("operand")) {
        final_node(op_type, {in[0], weight(nm + ".operand", get_ints(a, "operand", {}), dt, 0.5, 1.5)});
      } else {
        final_node(op_type, {in[0], scalar(nm + ".scalar", dt, get_float(a, "scalar", 0))});
      }
      return Status::Ok();
    }
    case OpKind::kConcat: {
      std::vector<std::string> inputs = in;
      if (a.contains("operand")) {
        const auto at = std::min(static_cast<size_t>(std::max<int64_t>(0, n.attr_int("operand_index"))), inputs.size());
        inputs.insert(inputs.begin() + static_cast<std::ptrdiff_t>(at),
                      weight(nm + ".operand", get_ints(a, "operand", {}), dt, -0.1, 0.1));
      }
      set_int(final_node("Concat", inputs), "axis", get_int(a, "axis", 1));
      return Status::Ok();
    }
    case OpKind::kLayerNorm: {
      // The decomposition PyTorch writes before opset 17 (the importer fuses it back):
      // (x - mean) / sqrt(var + eps) * scale + shift over the axes [axis, rank).
      const auto rank = static_cast<int64_t>(s.size());
      int64_t axis = n.attr_int("axis");
      if (axis < 0) axis += rank;
      std::vector<int64_t> axes;
      ir::Shape normalized;
      for (int64_t d = axis; d < rank; ++d) {
        axes.push_back(d - rank);
        normalized.push_back(s[static_cast<size_t>(d)]);
      }
      const bool affine = n.attr_int("affine") != 0;
      const std::string m = tmp("mean"), c = tmp("sub"), p2 = tmp("pow"), v = tmp("var"), ve = tmp("add_eps"),
                        sd = tmp("sqrt"), nr = affine ? tmp("div") : std::string(),
                        sc = affine ? tmp("scale") : std::string();
      set_ints(node("ReduceMean", m, {in[0]}, {m}), "axes", axes);
      node("Sub", c, {in[0], m}, {c});
      node("Pow", p2, {c, scalar(nm + ".two", dt, 2.0)}, {p2});
      set_ints(node("ReduceMean", v, {p2}, {v}), "axes", axes);
      node("Add", ve, {v, scalar(nm + ".epsilon", dt, n.attr_float("epsilon"))}, {ve});
      node("Sqrt", sd, {ve}, {sd});
      if (!affine) {
        final_node("Div", {c, sd});
        return Status::Ok();
      }
      node("Div", nr, {c, sd}, {nr});
      node("Mul", sc, {nr, weight(nm + ".scale", normalized, dt, 0.5, 1.5)}, {sc});
      final_node("Add", {sc, weight(nm + ".shift", normalized, dt, -0.1, 0.1)});
      return Status::Ok();
    }
    case OpKind::kL2Normalize: {
      // x / max(||x||, eps), as PyTorch writes F.normalize (the importer fuses it back).
      const std::string l2 = tmp("l2"), cl = tmp("clip");
      onnx::NodeProto* r = node("ReduceL2", l2, {in[0]}, {l2});
      set_ints(r, "axes", {n.attr_int("axis")});
      node("Clip", cl, {l2, scalar(nm + ".epsilon", dt, n.attr_float("epsilon"))}, {cl});
      final_node("Div", {in[0], cl});
      return Status::Ok();
    }
    case OpKind::kSlice: {
      std::vector<std::string> inputs{in[0], ints(nm + ".starts", get_ints(a, "starts", {})),
                                      ints(nm + ".ends", get_ints(a, "ends", {})),
                                      ints(nm + ".axes", get_ints(a, "axes", {}))};
      if (a.contains("steps")) inputs.push_back(ints(nm + ".steps", get_ints(a, "steps", {})));
      final_node("Slice", inputs);
      return Status::Ok();
    }
    case OpKind::kChannelShuffle: {
      const int64_t groups = n.attr_int("groups");
      const std::string r1 = tmp("reshape"), t = tmp("transpose");
      node("Reshape", r1, {in[0], ints(nm + ".shape5", {s[0], groups, s[1] / groups, s[2], s[3]})}, {r1});
      set_ints(node("Transpose", t, {r1}, {t}), "perm", {0, 2, 1, 3, 4});
      final_node("Reshape", {t, ints(nm + ".shape4", s)});
      return Status::Ok();
    }
    case OpKind::kSplit:
      set_int(final_node("Split", {in[0], ints(nm + ".sizes", get_ints(a, "sizes", {}))}), "axis",
              get_int(a, "axis", 1));
      return Status::Ok();
    case OpKind::kReshape:
      final_node("Reshape", {in[0], ints(nm + ".shape", get_ints(a, "shape", {}))});
      return Status::Ok();
    case OpKind::kFlatten: {
      onnx::NodeProto* p = final_node("Flatten", in);
      if (a.contains("axis")) set_int(p, "axis", get_int(a, "axis", 1));
      return Status::Ok();
    }
    case OpKind::kTranspose:
      set_ints(final_node("Transpose", in), "perm", get_ints(a, "perm", {}));
      return Status::Ok();
    case OpKind::kPad: {
      std::vector<std::string> inputs{in[0], ints(nm + ".pads", get_ints(a, "pads", {}))};
      if (a.contains("value")) inputs.push_back(scalar(nm + ".value", dt, get_float(a, "value", 0)));
      onnx::NodeProto* p = final_node("Pad", inputs);
      if (a.contains("mode")) set_string(p, "mode", get_string(a, "mode", "constant"));
      return Status::Ok();
    }
    case OpKind::kResize: {
      std::vector<std::string> inputs{in[0], ""};
      if (a.contains("size")) {
        const auto size = get_ints(a, "size", {});
        inputs.push_back("");
        inputs.push_back(ints(nm + ".sizes", {s[0], s[1], size.at(0), size.at(1)}));
      } else {
        const auto sc = ir::get_floats(a, "scales", {});
        inputs.push_back(constant(nm + ".scales", {4}, ir::DType::kFloat32, {1.0, 1.0, sc.at(0), sc.at(1)}));
      }
      onnx::NodeProto* p = final_node("Resize", inputs);
      if (a.contains("mode")) {
        const std::string mode = get_string(a, "mode", "nearest");
        set_string(p, "mode", mode == "bilinear" ? "linear" : mode);
      }
      return Status::Ok();
    }
    case OpKind::kSoftmax: {
      onnx::NodeProto* p = final_node("Softmax", in);
      if (a.contains("axis")) set_int(p, "axis", get_int(a, "axis", -1));
      return Status::Ok();
    }
    case OpKind::kIdentity:
      final_node("Identity", in);
      return Status::Ok();
  }
  return unsupported(n, "no ONNX lowering");
}

void set_value_info(onnx::ValueInfoProto* vi, const ir::Value& v) {
  vi->set_name(v.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype_to_onnx(v.dtype));
  auto* shape = tt->mutable_shape();
  for (int64_t d : v.shape) shape->add_dim()->set_dim_value(d);
}

Result<std::string> Exporter::run() {
  if (auto st = ir::verify(g_); !st.ok()) return st.error().with_context("ONNX export of " + g_.name);
  NNLAT_ASSIGN_OR_RETURN(auto order, g_.topological_order());
  onnx::ModelProto model;
  model.set_ir_version(kExportIrVersion);
  model.set_producer_name("nnlat");
  model.set_producer_version(NNLAT_VERSION);
  model.set_doc_string("Exported by nnlat with random weights; node doc_strings carry the exact nnlat op.");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kExportOpset);
  for (const auto& [k, v] : g_.metadata) {
    auto* prop = model.add_metadata_props();
    prop->set_key(k);
    prop->set_value(v);
  }
  gp_ = model.mutable_graph();
  gp_->set_name(g_.name.empty() ? "nnlat" : g_.name);
  for (ir::ValueId v : g_.inputs()) set_value_info(gp_->add_input(), g_.value(v));
  for (ir::NodeId id : order) {
    if (auto st = lower(g_.node(id)); !st.ok()) return st.error().with_context("ONNX export of " + g_.name);
  }
  for (ir::ValueId v : g_.outputs()) set_value_info(gp_->add_output(), g_.value(v));
  if (model.ByteSizeLong() > static_cast<size_t>(INT_MAX)) {
    return make_error(ErrorCode::kUnsupported, "ONNX export of " + g_.name +
                                                   ": the model exceeds protobuf's 2 GiB limit (external data is not "
                                                   "supported)");
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    return make_error(ErrorCode::kInternal, "ONNX export of " + g_.name + ": protobuf serialisation failed");
  }
  return bytes;
}

}  // namespace

Result<std::string> export_onnx_bytes(const ir::Graph& graph, uint64_t seed) {
  try {
    return Exporter(graph, seed).run();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, "ONNX export of " + graph.name + ": " + e.what());
  }
}

Status export_onnx_file(const ir::Graph& graph, const std::string& path, uint64_t seed) {
  NNLAT_ASSIGN_OR_RETURN(std::string bytes, export_onnx_bytes(graph, seed));
  return write_file_atomic(path, bytes);
}

}  // namespace nnlat::formats
