// The report's Vega-Lite specs and page (app/report_charts.hpp, app/report_page.hpp): shape,
// captions and data counts from a hand-made eval result, and the page's refusals.
#include <gtest/gtest.h>

#include <string>

#include "app/charting_library.hpp"
#include "app/report_analysis_charts.hpp"
#include "app/report_charts.hpp"
#include "app/report_page.hpp"

namespace nnlat::app {
namespace {

using nlohmann::json;

eval::MethodReport method_report(predictors::Method method, const std::vector<std::pair<double, double>>& points) {
  eval::MethodReport r;
  r.method = method;
  int i = 0;
  for (const auto& [measured, predicted] : points) {
    const std::string family = i % 2 == 0 ? "mobilenet" : "resnet";
    r.results.push_back({.name = "net" + std::to_string(i++),
                         .family = family,
                         .measured_ms = measured,
                         .predicted_ms = predicted,
                         .low_ms = 0.9 * predicted,
                         .high_ms = 1.1 * predicted,
                         .repeat = 0});
    r.per_family[family].n += 1;
  }
  r.per_family["mobilenet"].mape = 0.05;
  r.per_family["resnet"].mape = 0.2;
  r.overall.n = points.size();
  r.overall.mape = 0.1;
  r.interval_coverage = 0.75;
  return r;
}

// Two methods: opwise-gbdt with 4 predictions (errors 0%, 10%, 20%, 50%), flops with 3.
EvalResult sample_eval() {
  EvalResult eval;
  eval.target = "pixel4:gpu:float";
  eval.protocol = "5-fold cross-validation by network";
  eval.cv = "kfold";
  eval.splits = 5;
  eval.networks_measured = 4;
  eval.kernels_measured = 123;
  eval.reports.push_back(method_report(predictors::Method::kOpwiseGbdt, {{10, 10}, {20, 22}, {5, 4}, {40, 60}}));
  eval.reports.push_back(method_report(predictors::Method::kFlops, {{10, 30}, {20, 5}, {5, 5}}));
  return eval;
}

TEST(ReportCharts, PredictedVsMeasuredHasOnePanelPerMethodWithBandAndPoints) {
  const auto chart = predicted_vs_measured_chart(sample_eval());
  EXPECT_EQ(chart.rows, 7u);
  ASSERT_TRUE(chart.spec.contains("concat"));
  const auto& panels = chart.spec["concat"];
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_NE(panels[0]["title"].get<std::string>().find("opwise-gbdt"), std::string::npos);
  EXPECT_NE(panels[1]["title"].get<std::string>().find("flops"), std::string::npos);
  const auto& layers = panels[0]["layer"];
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0]["mark"]["type"], "area");
  EXPECT_EQ(layers[2]["data"]["values"].size(), 4u);
  EXPECT_EQ(panels[1]["layer"][2]["data"]["values"].size(), 3u);
  // The band spans the whole range of both axes (4 .. 60 ms) at ±10%.
  const auto& band = layers[0]["data"]["values"];
  EXPECT_DOUBLE_EQ(band[0]["measured_ms"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(band[1]["measured_ms"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(band[1]["high"].get<double>(), 66.0);
  EXPECT_EQ(layers[2]["encoding"]["x"]["scale"]["type"], "log");
  EXPECT_EQ(layers[2]["encoding"]["y"]["scale"]["type"], "log");
  for (const char* fact : {"pixel4:gpu:float", "5-fold cross-validation by network", "7 points", "4 measured networks",
                           "123 measured kernels", "±10%"}) {
    EXPECT_NE(chart.caption.find(fact), std::string::npos) << fact << " not in: " << chart.caption;
  }
}

TEST(ReportCharts, ErrorCdfIsSortedAndEndsAtOnePerMethod) {
  const auto chart = error_cdf_chart(sample_eval());
  const auto& rows = chart.spec["data"]["values"];
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(chart.rows, 7u);
  // opwise-gbdt: errors 0, 10, 20, 50 % in that order, shares 1/4 .. 1.
  const std::vector<double> errors = {0, 10, 20, 50};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i]["method"], "opwise-gbdt");
    EXPECT_NEAR(rows[i]["error_pct"].get<double>(), errors[i], 1e-9);
    EXPECT_DOUBLE_EQ(rows[i]["share"].get<double>(), (i + 1) / 4.0);
  }
  EXPECT_DOUBLE_EQ(rows[6]["share"].get<double>(), 1.0);
  EXPECT_EQ(chart.spec["encoding"]["color"]["sort"], json({"opwise-gbdt", "flops"}));
}

TEST(ReportCharts, FamilyBarsAndCoverage) {
  const auto eval = sample_eval();
  const auto family = family_error_chart(eval);
  EXPECT_EQ(family.rows, 4u);  // 2 methods x 2 families
  EXPECT_DOUBLE_EQ(family.spec["data"]["values"][1]["mape_pct"].get<double>(), 20.0);
  const auto coverage = interval_coverage_chart(eval, 0.9);
  EXPECT_EQ(coverage.rows, 2u);
  EXPECT_DOUBLE_EQ(coverage.spec["layer"][1]["data"]["values"][0]["nominal"].get<double>(), 0.9);
  EXPECT_NE(coverage.caption.find("nominal 90%"), std::string::npos);
  EXPECT_EQ(coverage.caption.find("not calibrated"), std::string::npos);
  auto uncalibrated = eval;
  uncalibrated.intervals_calibrated = false;
  EXPECT_NE(interval_coverage_chart(uncalibrated, 0.9).caption.find("not calibrated"), std::string::npos);
}

TEST(ReportCharts, LearningCurveAndBreakdown) {
  LearningCurveResult curve;
  curve.target = "local:xnnpack-t1:float";
  curve.method = "opwise-gbdt";
  curve.repeats = 2;
  curve.curve.test_networks = 7;
  for (const size_t kernels : {50, 100, 400}) {
    eval::LearningCurvePoint p;
    p.kernels = kernels;
    p.networks = 20;
    p.mean.mape = 1.0 / static_cast<double>(kernels);
    p.mape_std = 0.5 / static_cast<double>(kernels);
    curve.curve.points.push_back(p);
  }
  const auto chart = learning_curve_chart(curve, "");
  EXPECT_EQ(chart.rows, 3u);
  EXPECT_DOUBLE_EQ(chart.spec["data"]["values"][0]["mape_pct"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(chart.spec["data"]["values"][0]["high"].get<double>(), 3.0);
  EXPECT_NE(chart.caption.find("7 held-out networks"), std::string::npos);
  EXPECT_NE(chart.caption.find("2 repeats"), std::string::npos);

  predictors::NetworkPrediction prediction;
  prediction.latency_ms = 10;
  prediction.kernel_sum_ms = 9;
  prediction.kernels = {{.name = "a", .type = "conv", .family = "conv", .latency_ms = 4, .extrapolated = false},
                        {.name = "b", .type = "conv", .family = "conv", .latency_ms = 2, .extrapolated = false},
                        {.name = "c", .type = "fc", .family = "fc", .latency_ms = 3, .extrapolated = false}};
  auto bars = predicted_breakdown(prediction);
  ASSERT_EQ(bars.size(), 3u);  // conv, fc, overhead
  EXPECT_DOUBLE_EQ(bars[0].ms, 6.0);
  EXPECT_EQ(bars[2].family, "overhead");
  EXPECT_DOUBLE_EQ(bars[2].ms, 1.0);
  bars.push_back({"measured", "conv", 5});
  const auto breakdown = breakdown_chart("mobilenet_v2", bars, "caption");
  EXPECT_EQ(breakdown.rows, 4u);
  EXPECT_EQ(breakdown.spec["encoding"]["y"]["sort"], json({"predicted", "measured"}));
  EXPECT_EQ(breakdown.spec["encoding"]["x"]["stack"], "zero");
}

TEST(ReportCharts, ScalingKeepsTheDevicesGroupsOnly) {
  auto group = [](const std::string& device, const std::string& precision) {
    eval::ThreadsAnalysis g;
    g.device = device;
    g.framework = "tflite";
    g.precision = precision;
    for (const int threads : {1, 2, 4}) {
      eval::ScalingPoint p;
      p.core_set = std::to_string(threads) + "small";
      p.cluster = "small";
      p.threads = threads;
      p.speedup = 0.8 * threads;
      p.networks = 102;
      g.points.push_back(p);
    }
    return g;
  };
  const auto chart =
      scaling_chart({group("pixel4", "float"), group("s10", "float"), group("pixel4", "quant")}, "pixel4");
  ASSERT_EQ(chart.spec["concat"].size(), 2u);  // pixel4 float and quant, not s10
  EXPECT_EQ(chart.rows, 6u);
  const auto& points = chart.spec["concat"][0]["layer"][2]["data"]["values"];
  ASSERT_EQ(points.size(), 3u);
  EXPECT_DOUBLE_EQ(points[2]["speedup"].get<double>(), 3.2);
  // The perfect-scaling line runs from 1 to the largest thread count.
  EXPECT_EQ(chart.spec["concat"][0]["layer"][0]["data"]["values"][1]["speedup"], 4);
  EXPECT_NE(chart.caption.find("up to 102 networks"), std::string::npos);
}

TEST(ReportCharts, ImplementationMapOneCellPerBucket) {
  eval::ImplementationAnalysis analysis;
  analysis.target = "pixel4:gpu:float";
  eval::ClassImplementations conv;
  conv.kernel_class = "convkxk";
  conv.kernels = 30;
  for (const int64_t channels : {16, 64}) {
    eval::ShapeBucket b;
    b.kernel_size = 3;
    b.stride = 1;
    b.in_channels_min = channels;
    b.in_channels_max = 2 * channels - 1;
    b.out_size_min = b.out_size_max = 28;
    b.kernels = 15;
    b.implementations = {{channels > 32 ? "winograd" : "direct", 12, 0.8}, {"other", 3, 0.2}};
    conv.buckets.push_back(b);
  }
  analysis.classes.push_back(conv);
  const auto chart = implementation_map_chart(analysis);
  EXPECT_EQ(chart.rows, 2u);
  const auto& cells = chart.spec["concat"][0]["data"]["values"];
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0]["implementation"], "direct");
  EXPECT_EQ(cells[1]["implementation"], "winograd");
  EXPECT_EQ(cells[1]["channels"], "64–127");
  EXPECT_EQ(cells[0]["shape"], "k3 s1, out 28");
  EXPECT_NE(chart.caption.find("30 kernels"), std::string::npos);
}

ChartingLibrary fake_library() {
  return {.vega = {"var vega = {};", "1"},
          .vega_lite = {"var vegaLite = {};", "2"},
          .vega_embed = {"var vegaEmbed = function () {};", "3"},
          .missing_reason = ""};
}

TEST(ReportPage, HoldsEveryChartItsSummaryAndEscapesScriptEnds) {
  Page page;
  page.title = "nnlat report: <t>";
  page.summary = {{"Target", "pixel4:gpu:float"}};
  auto eval = sample_eval();
  eval.reports[0].results[0].name = "</script><b>x";
  page.charts = {predicted_vs_measured_chart(eval), error_cdf_chart(eval)};
  page.tables = {{.title = "t", .header = {"a"}, .rows = {{"<1>"}}}};
  const auto html = render_page(page, fake_library());
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_NE(html->find("<div id=\"chart-predicted-vs-measured\""), std::string::npos);
  EXPECT_NE(html->find("<div id=\"chart-error-cdf\""), std::string::npos);
  EXPECT_NE(html->find("nnlat report: &lt;t&gt;"), std::string::npos);
  EXPECT_NE(html->find("<td>&lt;1&gt;</td>"), std::string::npos);
  EXPECT_NE(html->find("<\\/script><b>x"), std::string::npos);
  // The only "</script" are the ends of the 3 libraries, the specs and the drawing script.
  size_t ends = 0;
  for (size_t at = html->find("</script"); at != std::string::npos; at = html->find("</script", at + 1)) ++ends;
  EXPECT_EQ(ends, 5u);
  // Summary before plots before tables.
  EXPECT_LT(html->find("pixel4:gpu:float"), html->find("<h2>Plots</h2>"));
  EXPECT_LT(html->find("<h2>Plots</h2>"), html->find("<h2>Tables</h2>"));
}

TEST(ReportPage, RefusesWithoutTheChartingLibrary) {
  auto library = fake_library();
  library.vega = {};
  library.vega_lite = {};
  library.vega_embed = {};
  library.missing_reason = "npm was not found when nnlat was built";
  const auto html = render_page(Page{}, library);
  ASSERT_FALSE(html.ok());
  EXPECT_NE(html.error().message.find("charting library"), std::string::npos);
  EXPECT_NE(html.error().message.find("npm was not found"), std::string::npos);

  auto unsafe = fake_library();
  unsafe.vega = {"x = '</script>';", "1"};
  EXPECT_FALSE(render_page(Page{}, unsafe).ok());
}

TEST(ReportPage, EmbeddedLibraryIsCompleteOrSaysWhy) {
  const auto& library = embedded_charting_library();
  if (!library.missing_reason.empty()) {
    EXPECT_TRUE(library.vega.source.empty() && library.vega_lite.source.empty() && library.vega_embed.source.empty());
    GTEST_SKIP() << "charting library not installed at build time: " << library.missing_reason;
  }
  EXPECT_GT(library.vega.source.size(), 100000u);
  EXPECT_GT(library.vega_lite.source.size(), 100000u);
  EXPECT_GT(library.vega_embed.source.size(), 10000u);
  EXPECT_FALSE(library.vega.version.empty());
  EXPECT_TRUE(render_page(Page{}, library).ok());
}

}  // namespace
}  // namespace nnlat::app
