// Parsing the mobile ML benchmark files and building each model's graph of kernels.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/measure/target.hpp"

namespace nnlat::campaigns {
namespace {

constexpr double kMsPerUs = 1e-3;

// A `device|config|precision|stat` (e2e) or `device|gpu|float` / `device|gpu|kernel` (ops)
// header split at '|'.
std::vector<std::string> split_header(std::string_view h) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t bar = h.find('|', start);
    parts.emplace_back(h.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return parts;
}

Result<std::string> target_from_parts(const std::string& device, const std::string& config,
                                      const std::string& precision, const std::string& where) {
  auto name = measure::parse_target_name(device + ":" + config + ":" + precision);
  if (!name.ok()) return name.error().with_context(where);
  return name->str();
}

// The feature column: a Python-dict-style string {'Key': '12', 'Other': 3, 'X': '-'}.
Result<std::map<std::string, std::string>> parse_feature_dict(std::string_view text, const std::string& where) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto token = [&]() -> std::optional<std::string> {
    skip();
    if (i >= text.size()) return std::nullopt;
    if (text[i] == '\'' || text[i] == '"') {
      const char q = text[i++];
      const size_t end = text.find(q, i);
      if (end == std::string_view::npos) return std::nullopt;
      std::string t(text.substr(i, end - i));
      i = end + 1;
      return t;
    }
    const size_t start = i;
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ':') ++i;
    std::string t(text.substr(start, i - start));
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  };
  skip();
  if (i >= text.size() || text[i] != '{')
    return make_error(ErrorCode::kParseError, where + ": feature is not a {...} dict");
  ++i;
  for (;;) {
    skip();
    if (i < text.size() && text[i] == '}') break;
    auto key = token();
    skip();
    if (!key || i >= text.size() || text[i] != ':') {
      return make_error(ErrorCode::kParseError, where + ": malformed feature dict (expected 'key': value)");
    }
    ++i;
    auto value = token();
    if (!value) return make_error(ErrorCode::kParseError, where + ": malformed feature dict (value of '" + *key + "')");
    out[*key] = *value;
    skip();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '}') break;
    return make_error(ErrorCode::kParseError, where + ": malformed feature dict (expected ',' or '}')");
  }
  return out;
}

// A whole-number feature; nullopt when absent or '-'.
Result<std::optional<int64_t>> int_feature(const std::map<std::string, std::string>& f, const std::string& key,
                                           const std::string& where) {
  auto it = f.find(key);
  if (it == f.end() || it->second == "-" || it->second.empty()) return std::optional<int64_t>();
  NNLAT_ASSIGN_OR_RETURN(auto v, parse_csv_number(it->second, where + ": " + key));
  if (!v || *v < 0 || *v != std::floor(*v) || *v > 1e9) {
    return make_error(ErrorCode::kParseError, where + ": " + key + " '" + it->second + "' is not a whole number >= 0");
  }
  return std::optional<int64_t>(static_cast<int64_t>(*v));
}

Result<int64_t> required(const std::optional<int64_t>& v, const std::string& key, const std::string& op,
                         const std::string& where) {
  if (!v || *v <= 0) return make_error(ErrorCode::kParseError, where + ": " + op + " needs a positive '" + key + "'");
  return *v;
}

// Total padding (split begin = total / 2, end = the rest, as TFLite's SAME) that turns an
// input of `in` into an output of `out` with kernel `k` and stride `s`; the dataset lists
// pre-padded inputs for VALID convolutions, so 0 is common.
Result<int64_t> total_padding(int64_t in, int64_t out, int64_t k, int64_t s, const std::string& where) {
  for (int64_t total = 0; total < k; ++total) {
    if ((in + total - k) >= 0 && (in + total - k) / s + 1 == out) return total;
  }
  return make_error(ErrorCode::kShapeError, where + ": no padding turns input " + std::to_string(in) + " into output " +
                                                std::to_string(out) + " with kernel " + std::to_string(k) +
                                                " and stride " + std::to_string(s));
}

std::vector<int64_t> pads_of(int64_t total) { return {total / 2, total / 2, total - total / 2, total - total / 2}; }

// A delegate name without its trailing node numbers: "convolution_winograd_4x4_6x6_1" →
// "convolution_winograd_4x4_6x6", "depthwise_conv_plus_1x1_conv_5_6_7" →
// "depthwise_conv_plus_1x1_conv", "relu_18" → "relu".
std::string_view without_node_numbers(std::string_view s) {
  for (;;) {
    const size_t us = s.rfind('_');
    if (us == std::string_view::npos || us + 1 >= s.size()) return s;
    const std::string_view last = s.substr(us + 1);
    if (!std::all_of(last.begin(), last.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
      return s;
    s = s.substr(0, us);
  }
}

// The linked element-wise ops a kernel name lists, in order:
// "convolution_2d_16_linked_:_add_17_linked_:_relu_18" → {add, relu}.
std::vector<std::string> linked_ops(std::string_view kernel_name) {
  constexpr std::string_view kLink = "_linked_:_";
  std::vector<std::string> ops;
  size_t at = kernel_name.find(kLink);
  while (at != std::string_view::npos) {
    const size_t start = at + kLink.size();
    at = kernel_name.find(kLink, start);
    std::string_view part =
        kernel_name.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    part = without_node_numbers(part);
    if (!part.empty()) ops.emplace_back(part);
  }
  return ops;
}

struct OpRow {
  size_t line = 0;
  std::string op;
  std::map<std::string, std::string> features;
  std::vector<std::optional<double>> times_ms;  // per GPU target
  std::vector<std::string> kernels;             // per GPU target
};

struct GpuColumns {
  std::string target;
  size_t time = 0;
  size_t kernel = 0;
};

// kernel, stride and pads of a k×k window op (conv, pool) that turns an h×h input into the
// listed output size.
Result<ir::Attrs> window_attrs(const std::optional<int64_t>& kernel, const std::optional<int64_t>& out_hw,
                               const std::optional<int64_t>& stride, int64_t h, const std::string& op,
                               const std::string& where) {
  NNLAT_ASSIGN_OR_RETURN(int64_t k, required(kernel, "Kernel", op, where));
  NNLAT_ASSIGN_OR_RETURN(int64_t oh, required(out_hw, "Output_shape", op, where));
  const int64_t s = stride && *stride > 0 ? *stride : 1;
  NNLAT_ASSIGN_OR_RETURN(int64_t pad, total_padding(h, oh, k, s, where));
  return ir::Attrs{
      {"kernel", std::vector<int64_t>{k, k}}, {"stride", std::vector<int64_t>{s, s}}, {"pads", pads_of(pad)}};
}

std::string next_input_name(ir::GraphBuilder& b) { return "in" + std::to_string(b.graph().inputs().size()); }

// One op row as graph nodes: its own input, the op, then its linked tail.
Status add_island(ir::GraphBuilder& b, const OpRow& row, const std::string& where, std::vector<ir::ValueId>& outputs) {
  using ir::OpKind;
  const auto& f = row.features;
  NNLAT_ASSIGN_OR_RETURN(auto in_hw, int_feature(f, "Input_shape", where));
  NNLAT_ASSIGN_OR_RETURN(auto in_c, int_feature(f, "Input_channel", where));
  NNLAT_ASSIGN_OR_RETURN(auto out_hw, int_feature(f, "Output_shape", where));
  NNLAT_ASSIGN_OR_RETURN(auto stride, int_feature(f, "Stride", where));
  NNLAT_ASSIGN_OR_RETURN(auto kernel, int_feature(f, "Kernel", where));
  NNLAT_ASSIGN_OR_RETURN(auto filters, int_feature(f, "Filter", where));
  NNLAT_ASSIGN_OR_RETURN(auto group, int_feature(f, "Group", where));
  NNLAT_ASSIGN_OR_RETURN(int64_t c, required(in_c, "Input_channel", row.op, where));
  const std::string& op = row.op;
  ir::ValueId y;
  if (op == "FULLY_CONNECTED") {
    NNLAT_ASSIGN_OR_RETURN(int64_t n, required(filters, "Filter", op, where));
    y = b.fully_connected(b.input({1, c}, next_input_name(b)), n);
  } else {
    NNLAT_ASSIGN_OR_RETURN(int64_t h, required(in_hw, "Input_shape", op, where));
    const ir::ValueId x = b.input({1, c, h, h}, next_input_name(b));
    if (op == "CONV_2D" || op == "CONV_2D_GROUP" || op == "DEPTHWISE_CONV_2D") {
      NNLAT_ASSIGN_OR_RETURN(ir::Attrs a, window_attrs(kernel, out_hw, stride, h, op, where));
      if (op == "DEPTHWISE_CONV_2D") {
        if (filters.value_or(1) != 1) {
          return make_error(ErrorCode::kUnsupported, where + ": depthwise channel multiplier " +
                                                         std::to_string(*filters) + " (only 1 is supported)");
        }
        y = b.op(OpKind::kDepthwiseConv2d, {x}, std::move(a));
      } else {
        NNLAT_ASSIGN_OR_RETURN(int64_t n, required(filters, "Filter", op, where));
        const int64_t g = group && *group > 0 ? *group : 1;
        if (c % g != 0 || n % g != 0) {
          return make_error(ErrorCode::kShapeError, where + ": " + std::to_string(g) + " groups do not divide " +
                                                        std::to_string(c) + " input and " + std::to_string(n) +
                                                        " output channels");
        }
        a["out_channels"] = n;
        if (g != 1) a["groups"] = g;
        y = b.op(OpKind::kConv2d, {x}, std::move(a));
      }
    } else if (op == "MAX_POOL_2D" || op == "AVERAGE_POOL_2D") {
      NNLAT_ASSIGN_OR_RETURN(ir::Attrs a, window_attrs(kernel, out_hw, stride, h, op, where));
      y = b.op(op == "MAX_POOL_2D" ? OpKind::kMaxPool2d : OpKind::kAvgPool2d, {x}, std::move(a));
    } else if (op == "MEAN") {
      y = b.global_avg_pool(x);
    } else if (op == "CONCATENATION") {
      // `Kernel` is the number of inputs, `Input_channel` the first input's channels and
      // `Filter` the output's: the rest is split evenly (the file does not say how).
      NNLAT_ASSIGN_OR_RETURN(int64_t parts, required(kernel, "Kernel", op, where));
      NNLAT_ASSIGN_OR_RETURN(int64_t total, required(filters, "Filter", op, where));
      if (parts < 2 || total <= c || total - c < parts - 1) {
        return make_error(ErrorCode::kShapeError, where + ": concatenation of " + std::to_string(parts) +
                                                      " inputs from " + std::to_string(c) + " to " +
                                                      std::to_string(total) + " channels");
      }
      std::vector<ir::ValueId> xs{x};
      const int64_t rest = total - c;
      for (int64_t p = 1; p < parts; ++p) {
        const int64_t share = rest / (parts - 1) + (p == parts - 1 ? rest % (parts - 1) : 0);
        xs.push_back(b.input({1, share, h, h}, next_input_name(b)));
      }
      y = b.concat(std::move(xs));
    } else {
      return make_error(ErrorCode::kUnsupported, where + ": unknown operation '" + op + "'");
    }
  }
  // The linked tail: the longest list among the GPUs (a Winograd kernel's name may omit it).
  std::vector<std::string> tail;
  for (const auto& k : row.kernels) {
    auto ops = linked_ops(k);
    if (ops.size() > tail.size()) tail = std::move(ops);
  }
  for (const auto& t : tail) {
    if (t == "relu") {
      y = b.op(OpKind::kRelu, {y});
    } else if (t == "hard_swish") {
      y = b.op(OpKind::kHardSwish, {y});
    } else if (t == "sigmoid") {
      y = b.op(OpKind::kSigmoid, {y});
    } else if (t == "minimum") {
      y = b.op(OpKind::kClamp, {y}, {{"max", 6.0}});
    } else if (t == "add" || t == "mul") {
      // The other operand has the kernel's output shape (the file does not say more).
      const ir::ValueId other = b.input(b.shape(y), next_input_name(b));
      y = b.op(t == "add" ? OpKind::kAdd : OpKind::kMul, {y, other});
    } else {
      return make_error(ErrorCode::kUnsupported, where + ": unknown linked operation '" + t + "'");
    }
  }
  if (out_hw && row.op != "FULLY_CONNECTED" && row.op != "MEAN" && row.op != "CONCATENATION") {
    const auto& shape = b.shape(y);
    if (shape.size() == 4 && shape[2] != *out_hw) {
      return make_error(ErrorCode::kShapeError, where + ": computed output " + std::to_string(shape[2]) +
                                                    " differs from Output_shape " + std::to_string(*out_hw));
    }
  }
  outputs.push_back(y);
  return Status::Ok();
}

}  // namespace

std::string mlbench_implementation(std::string_view kernel_name) {
  return std::string(without_node_numbers(kernel_name.substr(0, kernel_name.find("_linked_"))));
}

std::string mlbench_family(std::string_view model) {
  std::string s(model.substr(0, model.find('_')));
  size_t end = s.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(s[end - 1]))) --end;
  if (end > 0 && end < s.size() && s[end - 1] == 'v') return s;  // mobilenetv2: a version
  return end == 0 ? s : s.substr(0, end);
}

Result<MlbenchE2e> parse_mlbench_e2e(std::string_view text, const std::string& source) {
  NNLAT_ASSIGN_OR_RETURN(CsvTable t, parse_csv(text, source));
  const auto model_col = t.column("model");
  if (!model_col) return make_error(ErrorCode::kParseError, source + ": no 'model' column in the header");
  struct Setting {
    std::string target;
    size_t mean = 0;
    std::optional<size_t> std;
  };
  std::vector<Setting> settings;
  for (size_t c = 0; c < t.header.size(); ++c) {
    const auto parts = split_header(t.header[c]);
    if (parts.size() != 4 || parts[3] != "mean") continue;
    NNLAT_ASSIGN_OR_RETURN(std::string target,
                           target_from_parts(parts[0], parts[1], parts[2], source + ": column '" + t.header[c] + "'"));
    const std::string std_name = parts[0] + "|" + parts[1] + "|" + parts[2] + "|std";
    settings.push_back({target, c, t.column(std_name)});
  }
  if (settings.empty()) {
    return make_error(
        ErrorCode::kParseError,
        source + ": no 'device|config|precision|mean' columns in the header (is this an end-to-end file?)");
  }
  MlbenchE2e out;
  for (const auto& s : settings) out.targets.push_back(s.target);
  std::set<std::string> seen;
  for (const auto& row : t.rows) {
    const std::string& model = row.fields[*model_col];
    const std::string where = source + ":" + std::to_string(row.line);
    if (model.empty()) return make_error(ErrorCode::kParseError, where + ": empty model name");
    if (!seen.insert(model).second)
      return make_error(ErrorCode::kParseError, where + ": model '" + model + "' repeated");
    for (const auto& s : settings) {
      const std::string cell = where + ": column '" + t.header[s.mean] + "'";
      NNLAT_ASSIGN_OR_RETURN(auto mean, parse_csv_number(row.fields[s.mean], cell));
      if (!mean) {
        ++out.missing;
        continue;
      }
      if (*mean <= 0) return make_error(ErrorCode::kParseError, cell + ": latency must be positive");
      std::optional<double> sd;
      if (s.std) {
        NNLAT_ASSIGN_OR_RETURN(sd, parse_csv_number(row.fields[*s.std], where + ": column '" + t.header[*s.std] + "'"));
        if (sd && *sd < 0) return make_error(ErrorCode::kParseError, where + ": negative standard deviation");
        if (sd) *sd *= kMsPerUs;
      }
      out.values.push_back({model, s.target, *mean * kMsPerUs, sd, row.line});
    }
  }
  return out;
}

Result<MlbenchOps> parse_mlbench_ops(std::string_view text, const std::string& source) {
  NNLAT_ASSIGN_OR_RETURN(CsvTable t, parse_csv(text, source));
  const auto model_col = t.column("model");
  const auto op_col = t.column("operation");
  const auto feature_col = t.column("feature");
  if (!model_col || !op_col || !feature_col) {
    return make_error(ErrorCode::kParseError, source + ": the header needs 'model', 'operation' and 'feature' columns");
  }
  std::vector<GpuColumns> gpus;
  for (size_t c = 0; c < t.header.size(); ++c) {
    const auto parts = split_header(t.header[c]);
    if (parts.size() != 3 || parts[2] == "kernel") continue;
    const auto kernel_col = t.column(parts[0] + "|" + parts[1] + "|kernel");
    if (!kernel_col) {
      return make_error(ErrorCode::kParseError, source + ": column '" + t.header[c] + "' has no '" + parts[0] + "|" +
                                                    parts[1] + "|kernel' column beside it");
    }
    NNLAT_ASSIGN_OR_RETURN(std::string target,
                           target_from_parts(parts[0], parts[1], parts[2], source + ": column '" + t.header[c] + "'"));
    gpus.push_back({target, c, *kernel_col});
  }
  if (gpus.empty()) return make_error(ErrorCode::kParseError, source + ": no 'device|gpu|float' columns in the header");

  // Rows grouped by model, models in file order; a model's rows must be contiguous.
  std::vector<std::pair<std::string, std::vector<OpRow>>> models;
  std::set<std::string> closed;
  for (const auto& row : t.rows) {
    const std::string where = source + ":" + std::to_string(row.line);
    const std::string& model = row.fields[*model_col];
    if (model.empty()) return make_error(ErrorCode::kParseError, where + ": empty model name");
    if (models.empty() || models.back().first != model) {
      if (!models.empty()) closed.insert(models.back().first);
      if (closed.contains(model)) {
        return make_error(ErrorCode::kParseError, where + ": rows of model '" + model + "' are not contiguous");
      }
      models.emplace_back(model, std::vector<OpRow>{});
    }
    OpRow r;
    r.line = row.line;
    r.op = row.fields[*op_col];
    NNLAT_ASSIGN_OR_RETURN(r.features, parse_feature_dict(row.fields[*feature_col], where));
    for (const auto& g : gpus) {
      NNLAT_ASSIGN_OR_RETURN(auto v,
                             parse_csv_number(row.fields[g.time], where + ": column '" + t.header[g.time] + "'"));
      if (v && *v < 0) return make_error(ErrorCode::kParseError, where + ": negative time for " + g.target);
      r.times_ms.push_back(v ? std::optional<double>(*v * kMsPerUs) : std::nullopt);
      r.kernels.push_back(row.fields[g.kernel]);
    }
    models.back().second.push_back(std::move(r));
  }

  MlbenchOps out;
  for (const auto& g : gpus) out.targets.push_back(g.target);
  NNLAT_ASSIGN_OR_RETURN(const fusion::RuleSet gpu_rules, fusion::load_rule_set("tflite-gpu"));
  for (auto& [name, rows] : models) {
    MlbenchModel m;
    m.name = name;
    std::vector<ir::ValueId> outputs;
    ir::GraphBuilder b(name);
    size_t line = rows.front().line;
    try {
      for (const auto& row : rows) {
        line = row.line;
        NNLAT_RETURN_IF_ERROR(add_island(b, row, source + ":" + std::to_string(row.line), outputs));
      }
    } catch (const ir::BuildError& e) {
      return make_error(ErrorCode::kShapeError, source + ":" + std::to_string(line) + ": " + e.what());
    }
    ir::Graph g = b.finish(outputs);
    g.metadata["source"] = "mlbench";
    g.metadata["family"] = mlbench_family(name);
    if (auto st = ir::verify(g); !st.ok()) return st.error().with_context(source + ": model '" + name + "'");
    // Each op row must be exactly one kernel under the GPU delegate's rules, so that the
    // timings' positions name the right kernels.
    NNLAT_ASSIGN_OR_RETURN(auto kernels, fusion::detect_kernels(g, gpu_rules));
    if (kernels.size() != rows.size()) {
      return make_error(ErrorCode::kInternal, source + ": model '" + name + "' has " + std::to_string(rows.size()) +
                                                  " op rows but its graph has " + std::to_string(kernels.size()) +
                                                  " kernels under the tflite-gpu rules");
    }
    m.graph = std::move(g);
    for (size_t gi = 0; gi < gpus.size(); ++gi) {
      std::vector<store::KernelTiming> timings;
      bool complete = true;
      for (size_t i = 0; i < rows.size() && complete; ++i) {
        const auto& r = rows[i];
        if (!r.times_ms[gi] || r.kernels[gi].empty() || r.kernels[gi] == "-") {
          complete = false;
          break;
        }
        store::KernelTiming kt;
        kt.position = static_cast<int>(i);
        kt.name = r.kernels[gi];
        kt.implementation = mlbench_implementation(kt.name);
        kt.latency_ms = *r.times_ms[gi];
        if (i > 0 && rows[i - 1].kernels[gi] == kt.name) {
          kt.implementation = "fused";  // one kernel ran this row and the previous one
          kt.latency_ms = 0;
        }
        timings.push_back(std::move(kt));
      }
      if (complete) {
        m.timings[gpus[gi].target] = std::move(timings);
      } else {
        ++out.missing;
      }
    }
    out.models.push_back(std::move(m));
  }
  return out;
}

}  // namespace nnlat::campaigns
