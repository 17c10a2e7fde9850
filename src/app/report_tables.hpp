// The tables under a report's plots: the same figures as the plots, as numbers to quote.
#pragma once

#include <vector>

#include "app/report_charts.hpp"
#include "app/report_page.hpp"

namespace nnlat::app {

Table accuracy_table(const EvalResult& eval);
Table family_table(const EvalResult& eval);
Table learning_curve_table(const LearningCurveResult& curve);
Table breakdown_table(const std::vector<BreakdownBar>& bars);

}  // namespace nnlat::app
