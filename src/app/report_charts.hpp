// The charts of an HTML report as Vega-Lite specifications, written from nnlat's own results
// (eval, learning curve, a network's breakdown). Pure functions: a chart is data, drawn by the
// page (report_page.hpp), so tests check its shape, caption and row counts without a browser.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/learning_curve.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {

struct Chart {
  std::string id;  // stable, for the page's anchors and tests: "predicted-vs-measured", ...
  std::string title;
  std::string caption;  // what was measured and how: target, protocol, counts
  nlohmann::json spec;  // a complete Vega-Lite specification with its data inline
  size_t rows = 0;      // data rows drawn (points, bars, steps)
};

// One panel per method (the chosen one first, then the baselines), log-log, with the y = x
// line and the ±10% band; every held-out prediction is a point.
Chart predicted_vs_measured_chart(const EvalResult& eval);
// Share of held-out networks whose absolute error is at most x%, one step line per method.
Chart error_cdf_chart(const EvalResult& eval);
// MAPE per network family, one bar per method in each family.
Chart family_error_chart(const EvalResult& eval);
// Share of measured latencies inside each method's prediction interval, against the nominal
// coverage; the caption says when the intervals were not calibrated (eval --no-intervals).
Chart interval_coverage_chart(const EvalResult& eval, double nominal);
// MAPE on the held-out networks against the kernels trained on, one line per network budget,
// with the spread over repeats.
Chart learning_curve_chart(const LearningCurveResult& curve, const std::string& caption_extra);

// A network's time per kernel family, predicted and measured, as two stacked bars.
struct BreakdownBar {
  std::string bar;     // "predicted" / "measured"
  std::string family;  // kernel family, or "overhead" (end-to-end minus the kernels' sum)
  double ms = 0;
};
Chart breakdown_chart(const std::string& network, const std::vector<BreakdownBar>& bars, const std::string& caption);

// Per family of kernels, the prediction's sum (kernel_sum_ms) and the overhead the composition
// adds: the "predicted" bar of breakdown_chart.
std::vector<BreakdownBar> predicted_breakdown(const predictors::NetworkPrediction& prediction);

}  // namespace nnlat::app
