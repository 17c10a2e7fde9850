// `nnlat report` as a library call: one self-contained HTML file with the plots and tables of
// a target's measurements and predictions (docs/report.md). Also the pages that
// `eval --report` and `predict --report` write from their own results.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/predict.hpp"
#include "nnlat/app/training_options.hpp"

namespace nnlat::app {

struct ReportRequest {
  std::string db;
  std::string target;  // empty: the store's only target (an error naming them when it has several)
  std::string output = "nnlat-report.html";
  std::string cv = "5";  // as `eval --cv`
  std::string network;   // the network whose breakdown is drawn; empty: the slowest with a measured breakdown
  std::vector<size_t> kernel_budgets = {50, 100, 200, 500, 0};  // the learning curve's (0: all)
  int curve_repeats = 2;
  bool learning_curve = true;  // false: leave the learning curve out (it trains many models)
  TrainingFlags training;      // the method and its training flags, for every plot
};

struct ReportResult {
  std::string output;
  std::string target;
  std::vector<std::string> charts;  // ids of the charts drawn, in page order
  std::vector<std::string> notes;   // what the page leaves out and why
  size_t bytes = 0;
  // `nnlat report`: the evaluation behind the plots, so the command also prints eval's tables.
  std::optional<EvalResult> eval;

  nlohmann::json to_json() const;  // {"output", "target", "charts", "notes", "bytes"[, "eval"]}
  std::string to_text() const;     // eval's tables, then where the file is and what it holds
};

Result<ReportResult> report(const ReportRequest& request);

// An error saying why, when the charting library was not installed at build time (a page
// could not draw): `eval --report` and `predict --report` ask before their work.
Status check_report_library();

// The page of one `eval` run: its plots (predicted vs measured, error CDF, per family,
// interval coverage) and tables, written to `path`.
Result<ReportResult> write_eval_report(const EvalRequest& request, const EvalResult& eval, const std::string& path);
// The page of one `predict` run: each model's predicted time per kernel family and a table.
Result<ReportResult> write_predict_report(const PredictResult& predict, const std::string& path);

}  // namespace nnlat::app
