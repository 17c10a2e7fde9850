#include "app/report_charts.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace nnlat::app {
namespace {

using nlohmann::json;

std::string method_of(const eval::MethodReport& report) { return std::string(predictors::method_name(report.method)); }

// The methods in the order of the eval's reports: the legend and colours follow it.
json method_order(const EvalResult& eval) {
  json order = json::array();
  for (const auto& r : eval.reports) order.push_back(method_of(r));
  return order;
}

json log_axis(const std::string& field, const std::string& title) {
  return {{"field", field}, {"type", "quantitative"}, {"title", title}, {"scale", {{"type", "log"}}}};
}

// How the eval split the networks, for every caption that draws from it.
std::string eval_provenance(const EvalResult& eval) {
  return fmt::format("Target {}; {} ({} splits) over {} measured networks and {} measured kernels.", eval.target,
                     eval.protocol, eval.splits, eval.networks_measured, eval.kernels_measured);
}

// One method's panel: the ±10% band and the y = x line over the measured range, then a point
// per held-out prediction.
json scatter_panel(const eval::MethodReport& report, double lo, double hi) {
  json points = json::array();
  for (const auto& n : report.results) {
    points.push_back(
        {{"network", n.name}, {"family", n.family}, {"measured_ms", n.measured_ms}, {"predicted_ms", n.predicted_ms}});
  }
  json band = json::array();
  for (const double x : {lo, hi}) band.push_back({{"measured_ms", x}, {"low", 0.9 * x}, {"high", 1.1 * x}, {"y", x}});
  const json x_axis = log_axis("measured_ms", "measured (ms)");
  return {{"title", fmt::format("{} (MAPE {:.1f}%)", method_of(report),
                                100 * (report.per_repeat.empty() ? report.overall.mape : report.repeat_mean.mape))},
          {"width", 260},
          {"height", 260},
          {"layer",
           json::array({
               {{"data", {{"values", band}}},
                {"mark", {{"type", "area"}, {"opacity", 0.18}, {"color", "#4c78a8"}}},
                {"encoding", {{"x", x_axis}, {"y", log_axis("low", "predicted (ms)")}, {"y2", {{"field", "high"}}}}}},
               {{"data", {{"values", band}}},
                {"mark", {{"type", "line"}, {"color", "#888"}, {"strokeDash", {4, 3}}}},
                {"encoding", {{"x", x_axis}, {"y", log_axis("y", "predicted (ms)")}}}},
               {{"data", {{"values", points}}},
                {"mark", {{"type", "point"}, {"filled", true}, {"size", 30}}},
                {"encoding",
                 {{"x", x_axis},
                  {"y", log_axis("predicted_ms", "predicted (ms)")},
                  {"color", {{"field", "family"}, {"type", "nominal"}, {"title", "family"}}},
                  {"tooltip", json::array({{{"field", "network"}},
                                           {{"field", "family"}},
                                           {{"field", "measured_ms"}, {"format", ".3f"}},
                                           {{"field", "predicted_ms"}, {"format", ".3f"}}})}}}},
           })}};
}

}  // namespace

Chart predicted_vs_measured_chart(const EvalResult& eval) {
  Chart chart{
      .id = "predicted-vs-measured", .title = "Predicted vs measured latency", .caption = {}, .spec = {}, .rows = 0};
  double lo = INFINITY;
  double hi = 0;
  for (const auto& r : eval.reports) {
    for (const auto& n : r.results) {
      lo = std::min({lo, n.measured_ms, n.predicted_ms});
      hi = std::max({hi, n.measured_ms, n.predicted_ms});
      ++chart.rows;
    }
  }
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;  // a non-positive prediction cannot sit on a log axis
  json panels = json::array();
  for (const auto& r : eval.reports) panels.push_back(scatter_panel(r, lo, hi));
  chart.spec = {{"concat", panels}, {"columns", 2}, {"resolve", {{"scale", {{"color", "shared"}}}}}};
  chart.caption = fmt::format(
      "Each point is one held-out network: its measured latency (median over its measurements) against the "
      "prediction of a model that never saw it, {} points in all. The dashed line is y = x, the band ±10%. {}",
      chart.rows, eval_provenance(eval));
  return chart;
}

Chart error_cdf_chart(const EvalResult& eval) {
  Chart chart{.id = "error-cdf", .title = "Cumulative distribution of the error", .caption = {}, .spec = {}, .rows = 0};
  json rows = json::array();
  for (const auto& r : eval.reports) {
    std::vector<double> errors;
    for (const auto& n : r.results) {
      if (n.measured_ms > 0) errors.push_back(100 * std::abs(n.predicted_ms - n.measured_ms) / n.measured_ms);
    }
    std::sort(errors.begin(), errors.end());
    for (size_t i = 0; i < errors.size(); ++i) {
      rows.push_back({{"method", method_of(r)},
                      {"error_pct", errors[i]},
                      {"share", static_cast<double>(i + 1) / static_cast<double>(errors.size())}});
    }
  }
  chart.rows = rows.size();
  chart.spec = {
      {"width", 520},
      {"height", 300},
      {"data", {{"values", rows}}},
      {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"point", false}}},
      {"encoding",
       {{"x", {{"field", "error_pct"}, {"type", "quantitative"}, {"title", "absolute error (%)"}}},
        {"y",
         {{"field", "share"}, {"type", "quantitative"}, {"title", "share of networks"}, {"axis", {{"format", "%"}}}}},
        {"color", {{"field", "method"}, {"type", "nominal"}, {"sort", method_order(eval)}}}}}};
  chart.caption = fmt::format(
      "For each method, the share of held-out networks predicted within x% of their measured latency ({} "
      "predictions). Further left and higher is better. {}",
      chart.rows, eval_provenance(eval));
  return chart;
}

Chart family_error_chart(const EvalResult& eval) {
  Chart chart{.id = "family-error", .title = "Error per network family", .caption = {}, .spec = {}, .rows = 0};
  json rows = json::array();
  for (const auto& r : eval.reports) {
    for (const auto& [family, m] : r.per_family) {
      rows.push_back({{"method", method_of(r)}, {"family", family}, {"mape_pct", 100 * m.mape}, {"networks", m.n}});
    }
  }
  chart.rows = rows.size();
  chart.spec = {{"width", 520},
                {"height", 300},
                {"data", {{"values", rows}}},
                {"mark", "bar"},
                {"encoding",
                 {{"x", {{"field", "family"}, {"type", "nominal"}, {"title", "network family"}}},
                  {"xOffset", {{"field", "method"}, {"sort", method_order(eval)}}},
                  {"y", {{"field", "mape_pct"}, {"type", "quantitative"}, {"title", "MAPE (%)"}}},
                  {"color", {{"field", "method"}, {"type", "nominal"}, {"sort", method_order(eval)}}},
                  {"tooltip", json::array({{{"field", "method"}},
                                           {{"field", "family"}},
                                           {{"field", "mape_pct"}, {"format", ".1f"}},
                                           {{"field", "networks"}}})}}}};
  chart.caption = fmt::format(
      "Mean absolute percentage error of the held-out predictions of each network family, per method ({} bars; "
      "the tables below give each family's network count). {}",
      chart.rows, eval_provenance(eval));
  return chart;
}

Chart interval_coverage_chart(const EvalResult& eval, double nominal) {
  Chart chart{.id = "interval-coverage", .title = "Prediction interval coverage", .caption = {}, .spec = {}, .rows = 0};
  json rows = json::array();
  for (const auto& r : eval.reports) {
    rows.push_back({{"method", method_of(r)}, {"coverage", r.interval_coverage}, {"networks", r.overall.n}});
  }
  chart.rows = rows.size();
  chart.spec = {
      {"width", 420},
      {"height", 40.0 * static_cast<double>(std::max<size_t>(rows.size(), 2))},
      {"layer", json::array({{{"data", {{"values", rows}}},
                              {"mark", "bar"},
                              {"encoding",
                               {{"y", {{"field", "method"}, {"type", "nominal"}, {"sort", method_order(eval)}}},
                                {"x",
                                 {{"field", "coverage"},
                                  {"type", "quantitative"},
                                  {"title", "measured latencies inside the interval"},
                                  {"scale", {{"domain", {0, 1}}}},
                                  {"axis", {{"format", "%"}}}}}}}},
                             {{"data", {{"values", json::array({{{"nominal", nominal}}})}}},
                              {"mark", {{"type", "rule"}, {"color", "#d62728"}, {"strokeWidth", 2}}},
                              {"encoding", {{"x", {{"field", "nominal"}, {"type", "quantitative"}}}}}}})}};
  chart.caption = fmt::format(
      "Share of held-out networks whose measured latency lies inside the method's prediction interval; the red rule "
      "is the nominal {:.0f}%. {}{}",
      100 * nominal, eval_provenance(eval),
      eval.intervals_calibrated ? ""
                                : " The intervals were not calibrated in this run (--no-intervals): the bars show "
                                  "uncalibrated intervals, not what a trained predictor reports.");
  return chart;
}

Chart learning_curve_chart(const LearningCurveResult& curve, const std::string& caption_extra) {
  Chart chart{.id = "learning-curve", .title = "Learning curve", .caption = {}, .spec = {}, .rows = 0};
  json rows = json::array();
  for (const auto& p : curve.curve.points) {
    const double mape = 100 * p.mean.mape;
    const double spread = 100 * p.mape_std;
    rows.push_back({{"kernels", p.kernels},
                    {"networks", fmt::format("{} training networks", p.networks)},
                    {"mape_pct", mape},
                    {"low", std::max(0.0, mape - spread)},
                    {"high", mape + spread}});
  }
  chart.rows = rows.size();
  const json x = {{"field", "kernels"},
                  {"type", "quantitative"},
                  {"title", "profiled kernels trained on"},
                  {"scale", {{"type", "log"}}}};
  const json color = {{"field", "networks"}, {"type", "nominal"}, {"title", "networks"}};
  chart.spec = {
      {"width", 520},
      {"height", 300},
      {"data", {{"values", rows}}},
      {"layer", json::array({{{"mark", {{"type", "errorband"}, {"opacity", 0.2}}},
                              {"encoding",
                               {{"x", x},
                                {"y", {{"field", "low"}, {"type", "quantitative"}, {"title", "MAPE (%)"}}},
                                {"y2", {{"field", "high"}}},
                                {"color", color}}}},
                             {{"mark", {{"type", "line"}, {"point", true}}},
                              {"encoding",
                               {{"x", x},
                                {"y", {{"field", "mape_pct"}, {"type", "quantitative"}, {"title", "MAPE (%)"}}},
                                {"color", color}}}}})}};
  chart.caption = fmt::format(
      "MAPE of {} on {} held-out networks as the profiling budget grows ({} points, mean over {} repeats; the "
      "band is ± one standard deviation over the repeats). Target {}; the kernels of held-out networks are never "
      "trained on; the pool held {} networks and {} kernels.{}",
      curve.method, curve.curve.test_networks, chart.rows, curve.repeats, curve.target, curve.curve.pool_networks,
      curve.curve.pool_kernels, caption_extra);
  return chart;
}

std::vector<BreakdownBar> predicted_breakdown(const predictors::NetworkPrediction& prediction) {
  std::map<std::string, double> per_family;
  for (const auto& k : prediction.kernels) per_family[k.family] += k.latency_ms;
  std::vector<BreakdownBar> bars;
  for (const auto& [family, ms] : per_family) bars.push_back({"predicted", family, ms});
  if (!prediction.kernels.empty())
    bars.push_back({"predicted", "overhead", prediction.latency_ms - prediction.kernel_sum_ms});
  return bars;
}

Chart breakdown_chart(const std::string& network, const std::vector<BreakdownBar>& bars, const std::string& caption) {
  Chart chart{.id = "breakdown", .title = "Where the time goes: " + network, .caption = caption, .spec = {}, .rows = 0};
  json rows = json::array();
  json order = json::array();  // the bars top to bottom as first given
  for (const auto& b : bars) {
    rows.push_back({{"bar", b.bar}, {"family", b.family}, {"ms", b.ms}});
    if (std::find(order.begin(), order.end(), b.bar) == order.end()) order.push_back(b.bar);
  }
  chart.rows = rows.size();
  chart.spec = {
      {"width", 520},
      {"height", 40.0 * static_cast<double>(std::max<size_t>(order.size(), 2))},
      {"data", {{"values", rows}}},
      {"mark", "bar"},
      {"encoding",
       {{"y", {{"field", "bar"}, {"type", "nominal"}, {"title", nullptr}, {"sort", order}}},
        {"x", {{"field", "ms"}, {"type", "quantitative"}, {"title", "latency (ms)"}, {"stack", "zero"}}},
        {"color", {{"field", "family"}, {"type", "nominal"}, {"title", "kernel family"}}},
        {"tooltip", json::array({{{"field", "bar"}}, {{"field", "family"}}, {{"field", "ms"}, {"format", ".3f"}}})}}}};
  return chart;
}

}  // namespace nnlat::app
