#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "models/zoo/families.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

std::span<const ZooEntry> zoo_entries() {
  static const std::vector<ZooEntry> all = [] {
    std::vector<ZooEntry> v;
    for (const auto& e : mobile_zoo_entries()) v.push_back(e);
    for (const auto& e : classic_zoo_entries()) v.push_back(e);
    for (const auto& e : transformer_zoo_entries()) v.push_back(e);
    for (const auto& e : hybrid_transformer_zoo_entries()) v.push_back(e);
    std::sort(v.begin(), v.end(), [](const ZooEntry& a, const ZooEntry& b) { return a.name < b.name; });
    return v;
  }();
  return all;
}

const ZooEntry* find_zoo_entry(std::string_view name) {
  for (const auto& e : zoo_entries()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<ir::Graph> build_zoo_model(std::string_view name, const ZooParams& params) {
  const ZooEntry* entry = find_zoo_entry(name);
  if (!entry) {
    return make_error(ErrorCode::kNotFound, "zoo:" + std::string(name) + ": no such zoo model (see `nnlat zoo`)");
  }
  if (!(params.width > 0.0) || params.width > 4.0) {
    return make_error(ErrorCode::kInvalidArgument, "zoo:" + std::string(name) + ": width must be in (0, 4]");
  }
  if (params.resolution < 0 || params.resolution > 4096 || params.num_classes <= 0 || params.batch <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "zoo:" + std::string(name) + ": resolution, classes or batch out of range");
  }
  auto graph = entry->build(params);
  if (!graph.ok()) return graph.error().with_context("zoo:" + std::string(name));
  // Canonical name: only the parameters that differ from the defaults, in a fixed order.
  std::ostringstream full;
  full << name;
  std::vector<std::string> query;
  if (params.width != 1.0) {
    std::ostringstream w;
    w << params.width;
    query.push_back("width=" + w.str());
  }
  if (params.resolution > 0 && params.resolution != entry->reference_resolution) {
    query.push_back("res=" + std::to_string(params.resolution));
  }
  if (params.num_classes != 1000) query.push_back("classes=" + std::to_string(params.num_classes));
  if (params.batch != 1) query.push_back("batch=" + std::to_string(params.batch));
  for (size_t i = 0; i < query.size(); ++i) full << (i ? "&" : "?") << query[i];
  graph->name = full.str();
  graph->metadata["source"] = "zoo:" + full.str();
  graph->metadata["family"] = std::string(entry->family);
  return graph;
}

int64_t make_divisible(double value, int64_t divisor, int64_t min_value) {
  if (min_value <= 0) min_value = divisor;
  int64_t v = std::max<int64_t>(min_value, static_cast<int64_t>(value + divisor / 2.0) / divisor * divisor);
  if (static_cast<double>(v) < 0.9 * value) v += divisor;
  return v;
}

}  // namespace nnlat::models
