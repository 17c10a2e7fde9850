// The tables `nnlat eval` prints: every method beside the noise floor (its MAPE as a multiple
// of the floor's, and the floor's +-10% beside the method's), the spread over draws, the
// chosen method per family, and under leave-one-family-out every method per held-out family.
#include <fmt/core.h>
#include <fmt/format.h>

#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/training_data.hpp"

namespace nnlat::app {
namespace {

// `coverage` < 0: not applicable (printed as "-"); `floor` null: no floor columns.
std::string row(const std::string& label, const eval::Metrics& m, double coverage, const eval::Metrics* floor,
                double ratio) {
  std::string s =
      fmt::format("{:<22} {:>5} {:>7.2f}% {:>7.2f}% {:>10.4f} {:>6.1f}% {:>6.1f}% {:>+6.1f}% {:>6.3f} {:>6.3f} {:>7}",
                  label, m.n, 100 * m.mape, 100 * m.rmspe, m.rmse_ms, 100 * m.acc5, 100 * m.acc10, 100 * m.bias,
                  m.kendall_tau, m.spearman, coverage < 0 ? std::string("-") : fmt::format("{:.0f}%", 100 * coverage));
  if (floor != nullptr) s += fmt::format(" {:>9.2f}x {:>8.1f}%", ratio, 100 * floor->acc10);
  return s + "\n";
}

std::string header(const std::string& first, bool floor_columns) {
  std::string s = fmt::format("{:<22} {:>5} {:>8} {:>8} {:>10} {:>7} {:>7} {:>7} {:>6} {:>6} {:>7}", first, "n", "MAPE",
                              "RMSPE", "RMSE ms", "+-5%", "+-10%", "bias", "tau", "rho", "in-int");
  if (floor_columns) s += fmt::format(" {:>10} {:>9}", "MAPE/floor", "floor10%");
  return s + "\n";
}

// Rows: held-out families; columns: MAPE and +-10% of every method on that family.
std::string per_family_by_method(const std::vector<eval::MethodReport>& reports) {
  std::string s = fmt::format("\nper held-out family, every method (MAPE / +-10%)\n{:<22} {:>5}", "family", "n");
  for (const auto& r : reports) s += fmt::format(" {:>17}", predictors::method_name(r.method));
  s += "\n";
  for (const auto& [family, m] : reports.front().per_family) {
    s += fmt::format("{:<22} {:>5}", family, m.n);
    for (const auto& r : reports) {
      const auto it = r.per_family.find(family);
      s += it == r.per_family.end()
               ? fmt::format(" {:>17}", "-")
               : fmt::format(" {:>7.2f}% / {:>5.1f}%", 100 * it->second.mape, 100 * it->second.acc10);
    }
    s += "\n";
  }
  return s;
}

}  // namespace

std::string EvalResult::to_text() const {
  const bool floor = noise_floor.n > 0;
  std::string s =
      fmt::format("{}: {} networks, {} kernels measured; {}\n", target, networks_measured, kernels_measured, protocol);
  if (calibration) {
    s += fmt::format("calibrated: predictions x{:.4f} (the store's {} reference networks against the predictor's)\n",
                     calibration->factor, calibration->networks);
  }
  s += header(repeated ? "method (mean of draws)" : "method", floor);
  for (const auto& m : reports) {
    s += row(std::string(predictors::method_name(m.method)), repeated ? m.repeat_mean : m.overall,
             intervals_calibrated ? m.interval_coverage : -1, floor ? &noise_floor : nullptr,
             noise_floor_ratio(m, noise_floor));
  }
  for (const auto& m : reports) {
    if (m.implementation_kernels == 0) continue;
    s +=
        fmt::format("kernel selection ({}): {:.1f}% of {} held-out kernels got the implementation the runtime chose\n",
                    predictors::method_name(m.method),
                    100.0 * static_cast<double>(m.implementation_right) / static_cast<double>(m.implementation_kernels),
                    m.implementation_kernels);
  }
  if (floor) {
    s += row("noise floor (2nd run)", noise_floor, -1, nullptr, 0);
  } else {
    s += "(noise floor unknown: no network was measured twice on this target)\n";
  }
  if (repeated) {
    s += "\nspread over draws (standard deviation)\n" + header("method", false);
    for (const auto& m : reports)
      s += row(std::string(predictors::method_name(m.method)), m.repeat_std, -1, nullptr, 0);
  }
  s += fmt::format("\nper network family ({})\n", predictors::method_name(reports.front().method));
  s += header("family", false);
  for (const auto& [family, m] : reports.front().per_family) s += row(family, m, -1, nullptr, 0);
  if (cv == "family") s += per_family_by_method(reports);
  // Last, so the tables above keep their line numbers (scripts cut them by line).
  if (!reference_networks.empty()) {
    s += fmt::format("\nreference networks (always trained on): {}\n", fmt::join(reference_networks, ", "));
  }
  if (!transfer_sources.empty()) s += "\n" + transfer_match_text(transfer_sources, transfer_matches);
  if (opwise_transfer) {
    s += "\nop-wise transfer from " + opwise_source + " (same draws)\n" + header("method (mean of draws)", false);
    s += row("opwise-transfer", opwise_transfer->repeat_mean, -1, nullptr, 0);
  }
  return s;
}

}  // namespace nnlat::app
