#include "nnlat/models/model_ref.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

Result<int64_t> parse_int(std::string_view text, std::string_view what) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + " must be an integer, got '" + std::string(text) + "'");
  }
  return v;
}

Result<double> parse_double(std::string_view text, std::string_view what) {
  try {
    size_t used = 0;
    const std::string s(text);
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(what) + " must be a number, got '" + std::string(text) + "'");
}

// zoo:NAME?width=W&res=R&classes=K&batch=B
Result<ir::Graph> load_zoo(std::string_view ref) {
  std::string_view body = ref.substr(4);
  ZooParams params;
  const size_t q = body.find('?');
  const std::string_view name = body.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = body.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view kv = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const size_t eq = kv.find('=');
      if (eq == std::string_view::npos) {
        return make_error(ErrorCode::kInvalidArgument,
                          std::string(ref) + ": parameter '" + std::string(kv) + "' needs a value");
      }
      const std::string_view key = kv.substr(0, eq);
      const std::string_view val = kv.substr(eq + 1);
      Result<int64_t> iv = int64_t{0};
      if (key == "width") {
        auto w = parse_double(val, "width");
        if (!w.ok()) return w.error().with_context(std::string(ref));
        params.width = *w;
        continue;
      }
      iv = parse_int(val, key);
      if (!iv.ok()) return iv.error().with_context(std::string(ref));
      if (key == "res" || key == "resolution")
        params.resolution = *iv;
      else if (key == "classes")
        params.num_classes = *iv;
      else if (key == "batch")
        params.batch = *iv;
      else {
        return make_error(ErrorCode::kInvalidArgument, std::string(ref) + ": unknown parameter '" + std::string(key) +
                                                           "' (width, res, classes, batch)");
      }
    }
  }
  return build_zoo_model(name, params);
}

Result<ir::Graph> load_file(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".onnx") return formats::import_onnx_file(path);
  if (ext == ".tflite") return formats::import_tflite_file(path);
  if (ext == ".json") {
    NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(path));
    return formats::graph_from_json(text, path);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    path +
                        ": unknown model reference (expected a .onnx/.tflite/.json file or zoo:, nb201:, nb101:, "
                        "space:SPACE: prefix)");
}

}  // namespace

Result<ir::Graph> load_model(std::string_view reference) {
  const std::string ref(reference);
  if (starts_with(reference, "zoo:")) return load_zoo(reference);
  if (starts_with(reference, "nb201:")) {
    auto g = build_space_graph("nb201", reference.substr(6), {});
    if (!g.ok()) return g.error().with_context(ref);
    return g;
  }
  if (starts_with(reference, "nb101:")) {
    const std::string path(reference.substr(6));
    NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(path));
    NNLAT_ASSIGN_OR_RETURN(std::string encoding, nb101_encoding_from_spec_json(text, path));
    auto g = build_space_graph("nb101", encoding, {});
    if (!g.ok()) return g.error().with_context(path);
    return g;
  }
  if (starts_with(reference, "space:")) {
    const std::string_view rest = reference.substr(6);
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, ref + ": expected space:SPACE:ENCODING");
    }
    auto g = build_space_graph(rest.substr(0, colon), rest.substr(colon + 1), {});
    if (!g.ok()) return g.error().with_context(ref);
    return g;
  }
  return load_file(ref);
}

Result<std::vector<std::string>> expand_model_references(const std::vector<std::string>& arguments) {
  std::vector<std::string> out;
  for (const auto& arg : arguments) {
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        const std::string ext = lower_extension(entry.path().string());
        if (entry.is_regular_file() && (ext == ".json" || ext == ".onnx" || ext == ".tflite") &&
            entry.path().filename() != "index.json") {
          files.push_back(entry.path().string());
        }
      }
      if (ec) return make_error(ErrorCode::kIoError, arg + ": cannot list directory (" + ec.message() + ")");
      std::sort(files.begin(), files.end());
      if (files.empty())
        return make_error(ErrorCode::kNotFound, arg + ": directory holds no .json/.onnx/.tflite models");
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

}  // namespace nnlat::models
