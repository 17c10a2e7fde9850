#include "nnlat/app/drift.hpp"

#include <fmt/core.h>

#include <filesystem>

#include "nnlat/eval/evaluation.hpp"

namespace nnlat::app {
namespace {

// The floor `eval` reports, over the networks' campaign figures as stored or drift-corrected.
Result<eval::Metrics> noise_floor(const store::Store& store, const std::string& target, bool corrected) {
  NNLAT_ASSIGN_OR_RETURN(auto subjects, store.subject_latencies(target, store::MeasurementKind::kNetwork, corrected));
  std::vector<std::vector<double>> repeats;
  for (auto& s : subjects) repeats.push_back(std::move(s.medians_ms));
  return eval::noise_floor_of_repeats(repeats);
}

std::string metrics_line(const eval::Metrics& m) {
  return fmt::format("{} networks, MAPE {:.2f}%, within ±10% {:.1f}%, within ±5% {:.1f}%", m.n, 100 * m.mape,
                     100 * m.acc10, 100 * m.acc5);
}

}  // namespace

Result<DriftResult> drift_report(const std::string& db, const std::string& target) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return make_error(ErrorCode::kNotFound, db + ": no such store");
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(db));
  DriftResult r;
  r.db = db;
  r.target = target;
  NNLAT_ASSIGN_OR_RETURN(r.campaigns, store.campaign_drift(target));
  NNLAT_ASSIGN_OR_RETURN(r.references, store.reference_figures(target));
  NNLAT_ASSIGN_OR_RETURN(r.noise_floor, noise_floor(store, target, false));
  NNLAT_ASSIGN_OR_RETURN(r.noise_floor_corrected, noise_floor(store, target, true));
  return r;
}

nlohmann::ordered_json DriftResult::to_json() const {
  nlohmann::ordered_json campaigns_json = nlohmann::ordered_json::array();
  for (const auto& c : campaigns) {
    campaigns_json.push_back({{"campaign_id", c.campaign_id},
                              {"kind", c.kind},
                              {"created", c.created},
                              {"factor", c.factor},
                              {"reference_networks", c.reference_networks},
                              {"shared_items", c.shared_items},
                              {"round_factors", c.round_factors}});
  }
  nlohmann::ordered_json refs = nlohmann::ordered_json::array();
  for (const auto& f : references) {
    refs.push_back({{"name", f.name}, {"hash", f.hash}, {"median_ms", f.median_ms}, {"measurements", f.measurements}});
  }
  return {{"db", db},
          {"target", target},
          {"campaigns", campaigns_json},
          {"references", refs},
          {"noise_floor", eval::metrics_to_json(noise_floor)},
          {"noise_floor_drift_corrected", eval::metrics_to_json(noise_floor_corrected)}};
}

std::string DriftResult::to_text() const {
  std::string out = fmt::format("{} on {}\n", target, db);
  if (campaigns.empty()) {
    out += "no campaign measured reference networks or ran in rounds (profile with --references, --rounds)\n";
  } else {
    out += fmt::format("{:>8}  {:<18} {:<24} {:>24}  {}\n", "campaign", "kind", "created", "level (refs + shared)",
                       "rounds (items' figure in the round / their median over rounds)");
    for (const auto& c : campaigns) {
      std::string rounds;
      for (double f : c.round_factors) rounds += fmt::format(" {:+.1f}%", 100 * (f - 1));
      const bool witnessed = c.reference_networks + c.shared_items > 0;
      out += fmt::format(
          "{:>8}  {:<18} {:<24} {:>24} {}\n", c.campaign_id, c.kind, c.created,
          witnessed ? fmt::format("{:+.1f}% ({} + {})", 100 * (c.factor - 1), c.reference_networks, c.shared_items)
                    : "-",
          rounds.empty() ? " -" : rounds);
    }
    for (const auto& f : references) {
      out += fmt::format("reference {}: {:.4f} ms (median of {} measurements)\n", f.name, f.median_ms, f.measurements);
    }
  }
  if (noise_floor.n == 0) {
    out += "noise floor: no network measured in two campaigns (profile networks --repeat TAG)\n";
  } else {
    out += "noise floor (2nd campaign vs 1st), as stored: " + metrics_line(noise_floor) + "\n";
    out += "noise floor, drift-corrected:               " + metrics_line(noise_floor_corrected) + "\n";
  }
  return out;
}

}  // namespace nnlat::app
