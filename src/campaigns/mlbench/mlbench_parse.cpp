// Parsing the mobile ML benchmark files and building each model's graph of kernels.
#include <set>

#include "campaigns/mlbench/mlbench_rows.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::campaigns {
namespace {

using mlbench_rows::OpRow;
using mlbench_rows::split_header;

constexpr double kMsPerUs = 1e-3;

using ModelRows = std::vector<std::pair<std::string, std::vector<OpRow>>>;

// The GPU API a PyTorch Mobile kernel column shows: the prefix of its kernel names
// ("vulkan.conv2d" → "vulkan"); "" when no row names a kernel.
Result<std::string> torch_gpu_api(const ModelRows& models, size_t column, const std::string& header,
                                  const std::string& source) {
  std::string api;
  for (const auto& [model, rows] : models) {
    for (const auto& r : rows) {
      const std::string& k = r.kernels[column];
      if (k.empty() || k == "-") continue;
      const std::string prefix = k.substr(0, k.find('.'));
      if (prefix != "vulkan" && prefix != "metal") {
        return make_error(ErrorCode::kParseError, source + ":" + std::to_string(r.line) + ": column '" + header +
                                                      "': kernel '" + k + "' is neither vulkan.* nor metal.*");
      }
      if (!api.empty() && api != prefix) {
        return make_error(ErrorCode::kParseError, source + ":" + std::to_string(r.line) + ": column '" + header +
                                                      "' mixes " + api + " and " + prefix + " kernels");
      }
      api = prefix;
    }
  }
  return api;
}

}  // namespace

Result<MlbenchE2e> parse_mlbench_e2e(std::string_view text, const std::string& source, const MlbenchNaming& naming) {
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
    NNLAT_ASSIGN_OR_RETURN(std::string target, mlbench_target(parts[0], parts[1], parts[2], naming,
                                                              source + ": column '" + t.header[c] + "'"));
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
  struct GpuHeader {
    std::vector<std::string> parts;  // device, config, precision
    size_t time = 0;
    size_t kernel = 0;
  };
  std::vector<GpuHeader> headers;
  for (size_t c = 0; c < t.header.size(); ++c) {
    auto parts = split_header(t.header[c]);
    if (parts.size() != 3 || parts[2] == "kernel") continue;
    const auto kernel_col = t.column(parts[0] + "|" + parts[1] + "|kernel");
    if (!kernel_col) {
      return make_error(ErrorCode::kParseError, source + ": column '" + t.header[c] + "' has no '" + parts[0] + "|" +
                                                    parts[1] + "|kernel' column beside it");
    }
    headers.push_back({std::move(parts), c, *kernel_col});
  }
  if (headers.empty()) {
    return make_error(ErrorCode::kParseError, source + ": no 'device|gpu|float' columns in the header");
  }

  // Rows grouped by model, models in order of first appearance. TFLite files list a model's
  // rows contiguously and in execution order (checked); PyTorch Mobile files group them by
  // operation, which is harmless because the islands carry no edges.
  ModelRows models;
  std::map<std::string, size_t> model_index;
  std::optional<bool> torch;
  for (const auto& row : t.rows) {
    const std::string where = source + ":" + std::to_string(row.line);
    const std::string& model = row.fields[*model_col];
    if (model.empty()) return make_error(ErrorCode::kParseError, where + ": empty model name");
    OpRow r;
    r.line = row.line;
    r.op = row.fields[*op_col];
    const bool row_torch = mlbench_rows::is_torch_operation(r.op);
    if (torch && *torch != row_torch) {
      return make_error(ErrorCode::kParseError, where + ": operation '" + r.op + "' is " +
                                                    (row_torch ? "PyTorch's" : "TFLite's") +
                                                    " but the rows before name the other framework's");
    }
    torch = row_torch;
    auto [at, inserted] = model_index.emplace(model, models.size());
    if (inserted) {
      models.emplace_back(model, std::vector<OpRow>{});
    } else if (!row_torch && at->second + 1 != models.size()) {
      return make_error(ErrorCode::kParseError, where + ": rows of model '" + model + "' are not contiguous");
    }
    NNLAT_ASSIGN_OR_RETURN(r.features, mlbench_rows::parse_feature_dict(row.fields[*feature_col], where));
    for (const auto& h : headers) {
      NNLAT_ASSIGN_OR_RETURN(auto v,
                             parse_csv_number(row.fields[h.time], where + ": column '" + t.header[h.time] + "'"));
      if (v && *v < 0)
        return make_error(ErrorCode::kParseError, where + ": negative time in '" + t.header[h.time] + "'");
      r.times_ms.push_back(v ? std::optional<double>(*v * kMsPerUs) : std::nullopt);
      r.kernels.push_back(row.fields[h.kernel]);
    }
    models[at->second].second.push_back(std::move(r));
  }

  MlbenchOps out;
  out.framework = torch.value_or(false) ? MlbenchFramework::kTorch : MlbenchFramework::kTflite;
  MlbenchNaming naming{out.framework, {}};
  for (size_t gi = 0; gi < headers.size(); ++gi) {
    const auto& h = headers[gi];
    const std::string where = source + ": column '" + t.header[h.time] + "'";
    if (out.framework == MlbenchFramework::kTorch && h.parts[1] == "gpu") {
      NNLAT_ASSIGN_OR_RETURN(std::string api, torch_gpu_api(models, gi, t.header[h.kernel], source));
      if (!api.empty()) naming.gpu_api[h.parts[0]] = api;
    }
    NNLAT_ASSIGN_OR_RETURN(std::string target, mlbench_target(h.parts[0], h.parts[1], h.parts[2], naming, where));
    out.targets.push_back(std::move(target));
  }
  out.gpu_api = naming.gpu_api;
  if (out.framework == MlbenchFramework::kTorch) {
    // Metal's times re-paired with their rows, Vulkan's as the yardstick.
    std::vector<size_t> metal, vulkan;
    for (size_t gi = 0; gi < headers.size(); ++gi) {
      const auto api = out.gpu_api.find(headers[gi].parts[0]);
      if (headers[gi].parts[1] != "gpu" || api == out.gpu_api.end()) continue;
      (api->second == "metal" ? metal : vulkan).push_back(gi);
    }
    for (auto& [name, rows] : models) {
      for (size_t gi : metal) out.metal_rows_repaired += mlbench_rows::repair_metal_order(rows, gi, vulkan);
    }
  }
  // Each op row must be exactly one kernel under the framework's GPU rules, so that the
  // timings' positions name the right kernels.
  const char* rules_name = out.framework == MlbenchFramework::kTorch ? "torch-vulkan" : "tflite-gpu";
  NNLAT_ASSIGN_OR_RETURN(const fusion::RuleSet gpu_rules, fusion::load_rule_set(rules_name));
  auto add_island =
      out.framework == MlbenchFramework::kTorch ? mlbench_rows::add_torch_island : mlbench_rows::add_tflite_island;
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
    g.metadata["source"] = mlbench_network_source(out.framework);
    g.metadata["family"] = mlbench_family(name);
    if (auto st = ir::verify(g); !st.ok()) return st.error().with_context(source + ": model '" + name + "'");
    NNLAT_ASSIGN_OR_RETURN(auto kernels, fusion::detect_kernels(g, gpu_rules));
    if (kernels.size() != rows.size()) {
      return make_error(ErrorCode::kInternal, source + ": model '" + name + "' has " + std::to_string(rows.size()) +
                                                  " op rows but its graph has " + std::to_string(kernels.size()) +
                                                  " kernels under the " + rules_name + " rules");
    }
    m.graph = std::move(g);
    for (size_t gi = 0; gi < out.targets.size(); ++gi) {
      std::vector<store::KernelTiming> timings;
      bool complete = true;
      for (size_t i = 0; i < rows.size() && complete; ++i) {
        const auto& r = rows[i];
        const bool no_kernel = r.kernels[gi].empty() || r.kernels[gi] == "-";
        store::KernelTiming kt;
        kt.position = static_cast<int>(i);
        if (out.framework == MlbenchFramework::kTorch && no_kernel && !r.times_ms[gi]) {
          // Metal lists no kernel and no time for activations and batch norms: they ran
          // inside a neighbouring kernel, whose time holds theirs.
          kt.implementation = "fused";
          kt.latency_ms = 0;
          timings.push_back(std::move(kt));
          continue;
        }
        if (!r.times_ms[gi] || no_kernel) {
          complete = false;
          break;
        }
        kt.name = r.kernels[gi];
        kt.implementation = mlbench_implementation(kt.name);
        kt.latency_ms = *r.times_ms[gi];
        if (out.framework == MlbenchFramework::kTflite && i > 0 && rows[i - 1].kernels[gi] == kt.name) {
          kt.implementation = "fused";  // one kernel ran this row and the previous one
          kt.latency_ms = 0;
        }
        timings.push_back(std::move(kt));
      }
      if (complete) {
        m.timings[out.targets[gi]] = std::move(timings);
      } else {
        ++out.missing;
      }
    }
    out.models.push_back(std::move(m));
  }
  return out;
}

}  // namespace nnlat::campaigns
