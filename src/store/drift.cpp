// The drift queries of the store (issue 13): reference networks' figures, and each campaign's
// drift, from its reference networks (between campaigns) and from its items (between rounds).
#include <charconv>
#include <cmath>
#include <map>

#include "nnlat/measure/schedule.hpp"
#include "nnlat/store/store.hpp"
#include "store/store_impl.hpp"

namespace nnlat::store {

using sqlite::Db;
using sqlite::Stmt;

namespace {

// A reference network counts for a campaign only with at least this many measurements there:
// the start and the end of one round. One alone (a campaign cut short right after it began)
// is too easily a cold or disturbed run, and would rescale the whole campaign by its error.
constexpr size_t kMinReferenceMeasurements = 2;

// Per campaign, the reference networks' drift: campaign -> (geometric-mean factor, networks).
Result<std::map<int64_t, std::pair<double, int>>> reference_drift(const Db& db, int64_t target_id) {
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare("SELECT network_id, campaign_id, median_ms FROM network_measurements "
                                               "WHERE target_id = ?1 AND item_key LIKE 'ref:%' ORDER BY id"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({target_id}));
  // reference network -> campaign -> its figures there
  std::map<int64_t, std::map<int64_t, std::vector<double>>> figures;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    figures[stmt.column_int64(0)][stmt.column_int64(1)].push_back(stmt.column_double(2));
  }
  std::map<int64_t, std::pair<double, int>> log_sums;  // campaign -> (sum of logs, count)
  for (auto& [network, by_campaign] : figures) {
    std::map<int64_t, double> medians;
    std::vector<double> all;
    for (auto& [campaign, values] : by_campaign) {
      if (values.size() < kMinReferenceMeasurements) continue;
      medians[campaign] = measure::median_of(std::move(values));
      all.push_back(medians[campaign]);
    }
    const double centre = measure::median_of(std::move(all));
    for (const auto& [campaign, m] : medians) {
      if (m <= 0 || centre <= 0) continue;
      auto& [sum, count] = log_sums[campaign];
      sum += std::log(m / centre);
      ++count;
    }
  }
  std::map<int64_t, std::pair<double, int>> out;
  for (const auto& [campaign, sc] : log_sums) out[campaign] = {std::exp(sc.first / sc.second), sc.second};
  return out;
}

// Per campaign measured in rounds, the round factors over its items (networks and kernels).
Result<std::map<int64_t, std::vector<double>>> round_drift(const Db& db, int64_t target_id) {
  NNLAT_ASSIGN_OR_RETURN(
      Stmt stmt, db.prepare("SELECT campaign_id, 'n' || network_id, item_key, median_ms FROM network_measurements "
                            "WHERE target_id = ?1 AND item_key LIKE '%@r%' AND item_key NOT LIKE 'ref:%' "
                            "UNION ALL SELECT campaign_id, 'k' || kernel_id, item_key, median_ms "
                            "FROM kernel_measurements WHERE target_id = ?1 AND item_key LIKE '%@r%'"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({target_id}));
  struct Campaign {
    std::map<std::string, size_t> subjects;
    std::vector<std::vector<double>> per_round;  // [round][subject], NaN: not measured
  };
  std::map<int64_t, Campaign> campaigns;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    const int round = round_of_item_key(stmt.column_text(2));
    if (round < 0) continue;
    Campaign& c = campaigns[stmt.column_int64(0)];
    const size_t subject = c.subjects.emplace(stmt.column_text(1), c.subjects.size()).first->second;
    if (c.per_round.size() <= static_cast<size_t>(round)) c.per_round.resize(static_cast<size_t>(round) + 1);
    for (auto& r : c.per_round) r.resize(c.subjects.size(), std::nan(""));
    c.per_round[static_cast<size_t>(round)][subject] = stmt.column_double(3);
  }
  std::map<int64_t, std::vector<double>> out;
  for (auto& [id, c] : campaigns) {
    if (c.per_round.size() < 2) continue;
    for (auto& r : c.per_round) r.resize(c.subjects.size(), std::nan(""));
    out[id] = measure::round_drift_factors(c.per_round);
  }
  return out;
}

}  // namespace

int round_of_item_key(std::string_view key) {
  const size_t at = key.rfind("@r");
  if (at == std::string_view::npos) return -1;
  const std::string_view digits = key.substr(at + 2);
  int round = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), round);
  if (ec != std::errc() || end != digits.data() + digits.size() || round < 1) return -1;
  return round - 1;
}

Result<std::vector<CampaignDrift>> Store::campaign_drift(const std::string& target) const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(int64_t id, target_id(target));
  NNLAT_ASSIGN_OR_RETURN(auto references, reference_drift(db, id));
  NNLAT_ASSIGN_OR_RETURN(auto rounds, round_drift(db, id));
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt,
                         db.prepare("SELECT id, kind, created FROM campaigns WHERE target_id = ?1 ORDER BY id"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({id}));
  std::vector<CampaignDrift> out;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    CampaignDrift d;
    d.campaign_id = stmt.column_int64(0);
    d.kind = stmt.column_text(1);
    d.created = stmt.column_text(2);
    const auto ref = references.find(d.campaign_id);
    const auto round = rounds.find(d.campaign_id);
    if (ref == references.end() && round == rounds.end()) continue;
    if (ref != references.end()) std::tie(d.factor, d.reference_networks) = ref->second;
    if (round != rounds.end()) d.round_factors = round->second;
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<ReferenceFigure>> Store::reference_figures(const std::string& target) const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(int64_t id, target_id(target));
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare("SELECT n.hash, n.name, m.median_ms FROM network_measurements m "
                                               "JOIN networks n ON n.id = m.network_id WHERE m.target_id = ?1 "
                                               "AND m.item_key LIKE 'ref:%' ORDER BY n.id, m.id"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({id}));
  std::vector<ReferenceFigure> out;
  std::vector<std::vector<double>> figures;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    const std::string hash = stmt.column_text(0);
    if (out.empty() || out.back().hash != hash) {
      out.push_back({hash, stmt.column_text(1), 0, 0});
      figures.emplace_back();
    }
    figures.back().push_back(stmt.column_double(2));
    ++out.back().measurements;
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].median_ms = measure::median_of(std::move(figures[i]));
  return out;
}

}  // namespace nnlat::store
