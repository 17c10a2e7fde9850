#include "app/report_tables.hpp"

#include <fmt/core.h>

#include <map>
#include <set>

namespace nnlat::app {
namespace {

std::string pct(double fraction) { return fmt::format("{:.1f}%", 100 * fraction); }

}  // namespace

Table accuracy_table(const EvalResult& eval) {
  Table table{.title = "Accuracy on held-out networks (" + eval.protocol + ")",
              .header = {"method", "networks", "MAPE", "RMSPE", "within 10%", "bias", "Kendall tau", "coverage",
                         "MAPE / noise floor"},
              .rows = {}};
  for (const auto& r : eval.reports) {
    const auto& m = r.per_repeat.empty() ? r.overall : r.repeat_mean;
    const double ratio = noise_floor_ratio(r, eval.noise_floor);
    table.rows.push_back({std::string(predictors::method_name(r.method)), std::to_string(r.overall.n), pct(m.mape),
                          pct(m.rmspe), pct(m.acc10), fmt::format("{:+.1f}%", 100 * m.bias),
                          fmt::format("{:.3f}", m.kendall_tau),
                          eval.intervals_calibrated ? pct(r.interval_coverage) : "not calibrated",
                          ratio > 0 ? fmt::format("{:.1f}x", ratio) : "no floor"});
  }
  if (eval.noise_floor.n > 0) {
    table.rows.push_back({"noise floor (run to run)", std::to_string(eval.noise_floor.n), pct(eval.noise_floor.mape),
                          pct(eval.noise_floor.rmspe), pct(eval.noise_floor.acc10),
                          fmt::format("{:+.1f}%", 100 * eval.noise_floor.bias),
                          fmt::format("{:.3f}", eval.noise_floor.kendall_tau), "", "1.0x"});
  }
  return table;
}

Table family_table(const EvalResult& eval) {
  Table table{.title = "MAPE per network family", .header = {"family", "networks"}, .rows = {}};
  std::set<std::string> families;
  for (const auto& r : eval.reports) {
    table.header.push_back(std::string(predictors::method_name(r.method)));
    for (const auto& [family, m] : r.per_family) families.insert(family);
  }
  for (const auto& family : families) {
    std::vector<std::string> row = {family, ""};
    for (const auto& r : eval.reports) {
      const auto it = r.per_family.find(family);
      row.push_back(it == r.per_family.end() ? "" : pct(it->second.mape));
      if (it != r.per_family.end()) row[1] = std::to_string(it->second.n);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table learning_curve_table(const LearningCurveResult& curve) {
  Table table{.title = "Learning curve (" + curve.method + ")",
              .header = {"kernels", "networks", "MAPE", "MAPE spread", "within 10%", "Kendall tau", "repeats"},
              .rows = {}};
  for (const auto& p : curve.curve.points) {
    table.rows.push_back({std::to_string(p.kernels), std::to_string(p.networks), pct(p.mean.mape), pct(p.mape_std),
                          pct(p.mean.acc10), fmt::format("{:.3f}", p.mean.kendall_tau), std::to_string(p.repeats)});
  }
  return table;
}

Table breakdown_table(const std::vector<BreakdownBar>& bars) {
  std::map<std::string, std::map<std::string, double>> by_family;  // family -> bar -> ms
  for (const auto& b : bars) by_family[b.family][b.bar] += b.ms;
  Table table{
      .title = "Breakdown per kernel family (ms)", .header = {"kernel family", "predicted", "measured"}, .rows = {}};
  for (const auto& [family, family_values] : by_family) {
    // A named reference, not the structured binding: clang 14 cannot capture bindings.
    const auto& values = family_values;
    auto cell = [&values](const char* bar) {
      const auto it = values.find(bar);
      return it == values.end() ? std::string() : fmt::format("{:.3f}", it->second);
    };
    table.rows.push_back({family, cell("predicted"), cell("measured")});
  }
  return table;
}

}  // namespace nnlat::app
