#include "nnlat/app/ready_predictors.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>

#include "app/ready_build.hpp"
#include "app/ready_locations.hpp"
#include "app/ready_recipe.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {
namespace {

namespace fs = std::filesystem;
using Progress = std::function<void(const std::string&)>;

// The data read and the cache folder of its key: <user cache>/ready-predictors/<key>/.
struct Context {
  ReadyData data;
  std::string cache;
};

Result<Context> open_context(const ReadyOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(auto folder, ready_data_folder(options.data_dir));
  NNLAT_ASSIGN_OR_RETURN(auto user, user_cache_folder(options.cache_dir));
  Context c;
  NNLAT_ASSIGN_OR_RETURN(c.data, read_ready_data(folder));
  c.cache = (fs::path(user) / "ready-predictors" / c.data.key).string();
  return c;
}

std::string predictor_file(const Context& c, const std::string& target) {
  return ready_predictor_file(c.cache, target);
}

// What a cached file says about itself, from its ready section.
struct Cached {
  std::string method;
  size_t networks = 0;
  double cv_mape = 0;
  double cv_within_10 = 0;
  std::optional<double> cv_transformers_mape;
  std::string cnn_model;  // the CNN-only companion file (recipe 4 core sets), else empty
};

// The cached file of `target`, or why it cannot be used: absent, unreadable, not JSON, built
// from other inputs (key) or for another target, and with `load` whatever
// LatencyPredictor::from_json refuses. The listing skips the full load (it reads every file);
// the path handed to a caller is always loaded once.
Result<Cached> read_cached(const std::string& path, const std::string& key, const std::string& target, bool load) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(ErrorCode::kNotFound, path + ": not built yet");
  NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(path));
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string section(predictors::kReadySection);
  if (j.is_discarded() || !j.is_object() || !j.contains(section) || !j[section].is_object()) {
    return make_error(ErrorCode::kParseError, path + ": not a ready predictor file (cut short or overwritten?)");
  }
  const auto& r = j[section];
  Cached c;
  try {
    if (r.at("key").get<std::string>() != key || r.at("target").get<std::string>() != target) {
      return make_error(ErrorCode::kParseError, path + ": built from other data or for another target");
    }
    c.method = r.at("method").get<std::string>();
    c.networks = r.at("networks").get<size_t>();
    c.cv_mape = r.at("cv").at("mape").get<double>();
    c.cv_within_10 = r.at("cv").at("acc10").get<double>();
    const auto& vit = r.at("cv").at("transformers");
    if (!vit.is_null()) c.cv_transformers_mape = vit.at("mape").get<double>();
    if (r.contains("cnn_model")) c.cnn_model = r.at("cnn_model").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, path + ": malformed ready section (" + e.what() + ")");
  }
  if (load) {
    auto predictor = predictors::LatencyPredictor::from_json(j, path);
    if (!predictor.ok()) return predictor.error();
  }
  // A core set's main file is usable only with its CNN-only companion (written first).
  if (!c.cnn_model.empty()) {
    const std::string companion = (fs::path(path).parent_path() / c.cnn_model).string();
    if (auto cnn = read_cached(companion, key, target, load); !cnn.ok()) return cnn.error();
  }
  return c;
}

ReadyPredictorInfo info_for(const Context& c, const ReadyTarget& t) {
  ReadyPredictorInfo info;
  info.target = t.name;
  info.method = t.method;
  info.networks = t.networks + t.transformer_networks;
  info.transformer_networks = t.transformer_networks;
  info.path = predictor_file(c, t.name);
  if (auto cached = read_cached(info.path, c.data.key, t.name, /*load=*/false); cached.ok()) {
    info.built = true;
    info.method = cached->method;
    info.networks = cached->networks;
    info.cv_mape = cached->cv_mape;
    info.cv_within_10 = cached->cv_within_10;
    info.cv_transformers_mape = cached->cv_transformers_mape;
  }
  return info;
}

Error unknown_target(const std::string& target, const std::vector<ReadyTarget>& known) {
  std::string names;
  for (const auto& t : known) names += (names.empty() ? "" : ", ") + t.name;
  return make_error(ErrorCode::kNotFound, "no ready predictor for target '" + target +
                                              "'; the shipped phone data holds: " + names +
                                              " (`nnlat predictors` lists them)");
}

// The targets named (all when none), in the data's order; an unknown name is an error.
Result<std::vector<ReadyTarget>> select(const std::vector<ReadyTarget>& known, const std::vector<std::string>& names) {
  if (names.empty()) return known;
  for (const auto& name : names) {
    if (std::none_of(known.begin(), known.end(), [&](const ReadyTarget& t) { return t.name == name; })) {
      return unknown_target(name, known);
    }
  }
  std::vector<ReadyTarget> out;
  std::copy_if(known.begin(), known.end(), std::back_inserter(out),
               [&](const ReadyTarget& t) { return std::find(names.begin(), names.end(), t.name) != names.end(); });
  return out;
}

Result<ReadyPredictorsReport> report_for(const Context& c, const std::vector<ReadyTarget>& targets) {
  ReadyPredictorsReport report;
  report.data_dir = c.data.folder;
  report.cache_dir = c.cache;
  for (const auto& t : targets) report.predictors.push_back(info_for(c, t));
  return report;
}

// Builds the targets of `wanted` whose cache file is missing or unusable.
Status build_missing(const Context& c, const std::vector<ReadyTarget>& wanted, const Progress& progress) {
  std::vector<ReadyTarget> todo;
  for (const auto& t : wanted) {
    const std::string path = predictor_file(c, t.name);
    auto cached = read_cached(path, c.data.key, t.name, /*load=*/true);
    if (cached.ok()) continue;
    std::error_code ec;
    if (progress && fs::exists(path, ec)) {
      progress(fmt::format("{}: rebuilding ({})", t.name, cached.error().message));
    }
    todo.push_back(t);
  }
  return build_ready_targets(c.data, c.cache, todo, progress);
}

}  // namespace

nlohmann::ordered_json ReadyPredictorInfo::to_json() const {
  nlohmann::ordered_json j;
  j["target"] = target;
  j["method"] = method;
  j["networks"] = networks;
  j["cv_mape"] = built ? nlohmann::ordered_json(cv_mape) : nlohmann::ordered_json(nullptr);
  j["cv_within_10"] = built ? nlohmann::ordered_json(cv_within_10) : nlohmann::ordered_json(nullptr);
  j["transformer_networks"] = transformer_networks;
  j["cv_transformers_mape"] =
      cv_transformers_mape ? nlohmann::ordered_json(*cv_transformers_mape) : nlohmann::ordered_json(nullptr);
  j["built"] = built;
  j["path"] = path;
  return j;
}

nlohmann::ordered_json ReadyPredictorsReport::to_json() const {
  nlohmann::ordered_json j;
  j["data_dir"] = data_dir;
  j["cache_dir"] = cache_dir;
  j["cv"] = fmt::format("{}-fold cross-validation by network on the same data, seed {}", kReadyCvFolds, kReadySeed);
  j["predictors"] = nlohmann::ordered_json::array();
  for (const auto& p : predictors) j["predictors"].push_back(p.to_json());
  return j;
}

std::string ReadyPredictorsReport::to_text() const {
  std::string out = fmt::format("ready predictors from {}\ncached in {}\n\n", data_dir, cache_dir);
  size_t width = 24;  // the longest target name (PyTorch Mobile's are the longest)
  for (const auto& p : predictors) width = std::max(width, p.target.size());
  out += fmt::format("{:<{}} {:<12} {:>8} {:>8} {:>7} {:>9}  {}\n", "target", width, "method", "networks", "CV MAPE",
                     "±10%", "ViT MAPE", "built");
  size_t built = 0;
  for (const auto& p : predictors) {
    built += p.built ? 1 : 0;
    const std::string mape = p.built ? fmt::format("{:.2f}%", 100 * p.cv_mape) : "-";
    const std::string within = p.built ? fmt::format("{:.1f}%", 100 * p.cv_within_10) : "-";
    const std::string vit = p.cv_transformers_mape ? fmt::format("{:.2f}%", 100 * *p.cv_transformers_mape) : "-";
    out += fmt::format("{:<{}} {:<12} {:>8} {:>8} {:>7} {:>9}  {}\n", p.target, width, p.method, p.networks, mape,
                       within, vit, p.built ? "yes" : "no");
  }
  out += fmt::format(
      "\n{} of {} built. CV: {}-fold cross-validation by network on the same data (ViT MAPE: its vision "
      "transformers alone, for the CPU core sets that train on them). A target is built on first use "
      "(`nnlat predict --target TARGET`) or ahead with `nnlat predictors --build [TARGET...]`.\n",
      built, predictors.size(), kReadyCvFolds);
  return out;
}

Result<std::vector<ReadyPredictorInfo>> list_ready_predictors(const ReadyOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(auto report, ready_predictors({false, {}, options}));
  return std::move(report.predictors);
}

Result<ReadyPredictorPaths> ready_predictor_paths(const std::string& target, const ReadyOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(const auto c, open_context(options));
  const std::string path = predictor_file(c, target);
  const auto paths_of = [&](const Cached& cached) {
    ReadyPredictorPaths paths{path, path};
    if (!cached.cnn_model.empty()) paths.without_attention = (fs::path(path).parent_path() / cached.cnn_model).string();
    return paths;
  };
  // The common case reads one or two files and parses nothing of the data.
  if (measure::parse_target_name(target).ok()) {
    if (auto cached = read_cached(path, c.data.key, target, /*load=*/true); cached.ok()) return paths_of(*cached);
  }
  NNLAT_ASSIGN_OR_RETURN(const auto known, ready_targets(c.data));
  NNLAT_ASSIGN_OR_RETURN(const auto wanted, select(known, {target}));
  NNLAT_RETURN_IF_ERROR(build_missing(c, wanted, options.progress));
  NNLAT_ASSIGN_OR_RETURN(const auto built, read_cached(path, c.data.key, target, /*load=*/true));
  return paths_of(built);
}

Result<std::string> ready_predictor_path(const std::string& target, const ReadyOptions& options,
                                         ReadyNetworkKind kind) {
  NNLAT_ASSIGN_OR_RETURN(const auto paths, ready_predictor_paths(target, options));
  return paths.for_kind(kind);
}

Result<std::vector<ReadyPredictorInfo>> build_ready_predictors(const std::vector<std::string>& targets,
                                                               const ReadyOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(auto report, ready_predictors({true, targets, options}));
  return std::move(report.predictors);
}

Result<ReadyPredictorsReport> ready_predictors(const ReadyPredictorsRequest& request) {
  if (!request.build && !request.targets.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "targets are only taken with --build");
  }
  NNLAT_ASSIGN_OR_RETURN(const auto c, open_context(request.options));
  NNLAT_ASSIGN_OR_RETURN(const auto known, ready_targets(c.data));
  NNLAT_ASSIGN_OR_RETURN(const auto wanted, select(known, request.targets));
  if (request.build) NNLAT_RETURN_IF_ERROR(build_missing(c, wanted, request.options.progress));
  return report_for(c, wanted);
}

}  // namespace nnlat::app
