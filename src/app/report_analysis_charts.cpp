#include "app/report_analysis_charts.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace nnlat::app {
namespace {

using nlohmann::json;

std::string range(int64_t lo, int64_t hi) { return lo == hi ? std::to_string(lo) : fmt::format("{}–{}", lo, hi); }

json scaling_panel(const eval::ThreadsAnalysis& group, size_t& rows) {
  json points = json::array();
  int max_threads = 1;
  for (const auto& p : group.points) {
    points.push_back({{"core_set", p.core_set},
                      {"cluster", p.cluster},
                      {"threads", p.threads},
                      {"speedup", p.speedup},
                      {"efficiency", p.efficiency},
                      {"networks", p.networks},
                      {"cores", p.single_cluster ? "one cluster" : "several clusters"}});
    max_threads = std::max(max_threads, p.threads);
  }
  rows += points.size();
  json ideal = json::array({{{"threads", 1}, {"speedup", 1}}, {{"threads", max_threads}, {"speedup", max_threads}}});
  const json x = {{"field", "threads"}, {"type", "quantitative"}, {"title", "threads (cores)"}};
  const json y = {{"field", "speedup"}, {"type", "quantitative"}, {"title", "speed-up over one core of the cluster"}};
  return {{"title", fmt::format("{} {} {}{}", group.device, group.framework, group.precision,
                                group.suffix.empty() ? "" : " " + group.suffix)},
          {"width", 260},
          {"height", 220},
          {"layer",
           json::array({{{"data", {{"values", ideal}}},
                         {"mark", {{"type", "line"}, {"color", "#aaa"}, {"strokeDash", {4, 3}}}},
                         {"encoding", {{"x", x}, {"y", y}}}},
                        {{"data", {{"values", points}}},
                         {"transform", json::array({{{"filter", "datum.cores === 'one cluster'"}}})},
                         {"mark", "line"},
                         {"encoding", {{"x", x}, {"y", y}, {"color", {{"field", "cluster"}, {"type", "nominal"}}}}}},
                        {{"data", {{"values", points}}},
                         {"mark", {{"type", "point"}, {"filled", true}, {"size", 50}}},
                         {"encoding",
                          {{"x", x},
                           {"y", y},
                           {"color", {{"field", "cluster"}, {"type", "nominal"}}},
                           {"shape", {{"field", "cores"}, {"type", "nominal"}}},
                           {"tooltip", json::array({{{"field", "core_set"}},
                                                    {{"field", "speedup"}, {"format", ".2f"}},
                                                    {{"field", "efficiency"}, {"format", ".2f"}},
                                                    {{"field", "networks"}}})}}}}})}};
}

}  // namespace

Chart scaling_chart(const std::vector<eval::ThreadsAnalysis>& groups, const std::string& device) {
  Chart chart{
      .id = "thread-scaling", .title = "Threads and core sets: " + device, .caption = {}, .spec = {}, .rows = 0};
  json panels = json::array();
  size_t networks = 0;
  for (const auto& g : groups) {
    if (g.device != device) continue;
    panels.push_back(scaling_panel(g, chart.rows));
    for (const auto& p : g.points) networks = std::max(networks, p.networks);
  }
  chart.spec = {{"concat", panels}, {"columns", 2}};
  chart.caption = fmt::format(
      "Measured end-to-end speed-up of each core set of {} over one core of the same cluster (geometric mean over "
      "the networks measured on both, up to {} networks; {} core sets in {} panels). Lines join the sets within one "
      "cluster; the dashed line is perfect scaling. From `nnlat analyze` on measurements only.",
      device, networks, chart.rows, panels.size());
  return chart;
}

Chart implementation_map_chart(const eval::ImplementationAnalysis& analysis) {
  Chart chart{.id = "implementation-map",
              .title = "GPU implementation choice: " + analysis.target,
              .caption = {},
              .spec = {},
              .rows = 0};
  json panels = json::array();
  size_t kernels = 0;
  for (const auto& c : analysis.classes) {
    if (c.buckets.empty()) continue;
    json rows = json::array();
    for (const auto& b : c.buckets) {
      if (b.implementations.empty()) continue;
      const auto& top = b.implementations.front();
      rows.push_back(
          {{"channels", range(b.in_channels_min, b.in_channels_max)},
           {"channels_min", b.in_channels_min},
           {"shape", fmt::format("k{} s{}, out {}", b.kernel_size, b.stride, range(b.out_size_min, b.out_size_max))},
           {"implementation", top.implementation},
           {"share", top.share},
           {"kernels", b.kernels}});
      kernels += b.kernels;
    }
    chart.rows += rows.size();
    panels.push_back(
        {{"title", fmt::format("{} ({} kernels)", c.kernel_class, c.kernels)},
         {"data", {{"values", rows}}},
         {"mark", "rect"},
         {"encoding",
          {{"x",
            {{"field", "channels"},
             {"type", "ordinal"},
             {"title", "input channels"},
             {"sort", {{"field", "channels_min"}}}}},
           {"y", {{"field", "shape"}, {"type", "ordinal"}, {"title", "kernel, stride, output size"}}},
           {"color", {{"field", "implementation"}, {"type", "nominal"}}},
           {"opacity",
            {{"field", "share"}, {"type", "quantitative"}, {"scale", {{"domain", {0.3, 1}}}}, {"title", "its share"}}},
           {"tooltip", json::array({{{"field", "implementation"}},
                                    {{"field", "share"}, {"format", ".0%"}},
                                    {{"field", "kernels"}},
                                    {{"field", "shape"}},
                                    {{"field", "channels"}}})}}}});
  }
  chart.spec = {{"concat", panels}, {"columns", 2}, {"resolve", {{"scale", {{"color", "shared"}}}}}};
  chart.caption = fmt::format(
      "The implementation the runtime chose for the kernels timed inside network runs on {}, per kernel class and "
      "shape bucket ({} buckets, {} kernels): each cell's colour is the most frequent implementation, its opacity "
      "that implementation's share of the bucket. From `nnlat analyze` on measurements only.",
      analysis.target, chart.rows, kernels);
  return chart;
}

}  // namespace nnlat::app
