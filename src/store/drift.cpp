// The drift queries of the store (issue 13): reference networks' figures, and each campaign's
// drift, from its reference networks and the items it shares with other campaigns (between
// campaigns) and from its items (between rounds).
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

// Per campaign, the log deviations of its witnesses: for each subject measured in two
// campaigns or more, log(its figure in the campaign / its median figure over those campaigns).
using Deviations = std::map<int64_t, std::vector<double>>;

// `figures`: subject -> campaign -> the subject's figure there.
void add_deviations(const std::map<std::string, std::map<int64_t, double>>& figures, Deviations& out) {
  for (const auto& [subject, by_campaign] : figures) {
    if (by_campaign.size() < 2) continue;  // a subject one campaign measured says nothing about levels
    std::vector<double> all;
    for (const auto& [campaign, f] : by_campaign) all.push_back(f);
    const double centre = measure::median_of(std::move(all));
    for (const auto& [campaign, f] : by_campaign) {
      if (f > 0 && centre > 0) out[campaign].push_back(std::log(f / centre));
    }
  }
}

// The reference networks' deviations (a reference's figure in a campaign: the median of its
// measurements there, at least kMinReferenceMeasurements of them).
Result<Deviations> reference_deviations(const Db& db, int64_t target_id) {
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare("SELECT network_id, campaign_id, median_ms FROM network_measurements "
                                               "WHERE target_id = ?1 AND item_key LIKE 'ref:%' ORDER BY id"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({target_id}));
  std::map<std::string, std::map<int64_t, std::vector<double>>> measured;  // reference -> campaign -> figures
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    measured[std::to_string(stmt.column_int64(0))][stmt.column_int64(1)].push_back(stmt.column_double(2));
  }
  std::map<std::string, std::map<int64_t, double>> figures;
  for (auto& [network, by_campaign] : measured) {
    for (auto& [campaign, values] : by_campaign) {
      if (values.size() >= kMinReferenceMeasurements)
        figures[network][campaign] = measure::median_of(std::move(values));
    }
  }
  Deviations out;
  add_deviations(figures, out);
  return out;
}

// One measurement of a campaign's own item (a network or a kernel; reference networks are not
// items): the per-round and per-campaign drift are both read from these.
struct ItemMeasurement {
  int64_t campaign = 0;
  std::string subject;  // 'n' or 'k' and the id: a network and a kernel never share one
  int round = -1;       // 0-based, -1: a single pass
  double ms = 0;
};

Result<std::vector<ItemMeasurement>> campaign_items(const Db& db, int64_t target_id) {
  NNLAT_ASSIGN_OR_RETURN(
      Stmt stmt, db.prepare("SELECT campaign_id, 'n' || network_id, item_key, median_ms FROM network_measurements "
                            "WHERE target_id = ?1 AND campaign_id IS NOT NULL AND item_key NOT LIKE 'ref:%' "
                            "UNION ALL SELECT campaign_id, 'k' || kernel_id, item_key, median_ms "
                            "FROM kernel_measurements WHERE target_id = ?1 AND campaign_id IS NOT NULL"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({target_id}));
  std::vector<ItemMeasurement> out;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back(
        {stmt.column_int64(0), stmt.column_text(1), round_of_item_key(stmt.column_text(2)), stmt.column_double(3)});
  }
  return out;
}

// The deviations of the campaigns' own items measured in more than one campaign (a `--repeat`
// campaign re-measures every network of the first): each item's figure in a campaign is the
// median over its rounds there, each round's measurement divided by that round's factor
// first, so that a slow round inside one campaign does not pass for the campaign's level.
Deviations shared_item_deviations(const std::vector<ItemMeasurement>& items,
                                  const std::map<int64_t, std::vector<double>>& round_factors) {
  std::map<std::string, std::map<int64_t, std::vector<double>>> measured;  // item -> campaign -> figures
  for (const auto& m : items) {
    double ms = m.ms;
    if (const auto it = round_factors.find(m.campaign);
        it != round_factors.end() && m.round >= 0 && static_cast<size_t>(m.round) < it->second.size()) {
      ms /= it->second[static_cast<size_t>(m.round)];
    }
    measured[m.subject][m.campaign].push_back(ms);
  }
  std::map<std::string, std::map<int64_t, double>> figures;
  for (auto& [item, by_campaign] : measured) {
    for (auto& [campaign, values] : by_campaign) figures[item][campaign] = measure::median_of(std::move(values));
  }
  Deviations out;
  add_deviations(figures, out);
  return out;
}

// Per campaign measured in rounds, the round factors over its items (networks and kernels).
std::map<int64_t, std::vector<double>> round_drift(const std::vector<ItemMeasurement>& items) {
  struct Campaign {
    std::map<std::string, size_t> subjects;
    std::vector<std::vector<double>> per_round;  // [round][subject], NaN: not measured
  };
  std::map<int64_t, Campaign> campaigns;
  for (const auto& m : items) {
    if (m.round < 0) continue;
    Campaign& c = campaigns[m.campaign];
    const size_t subject = c.subjects.emplace(m.subject, c.subjects.size()).first->second;
    if (c.per_round.size() <= static_cast<size_t>(m.round)) c.per_round.resize(static_cast<size_t>(m.round) + 1);
    for (auto& r : c.per_round) r.resize(c.subjects.size(), std::nan(""));
    c.per_round[static_cast<size_t>(m.round)][subject] = m.ms;
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
  NNLAT_ASSIGN_OR_RETURN(const auto items, campaign_items(db, id));  // one pass over the measurements for both
  const auto rounds = round_drift(items);
  const auto shared = shared_item_deviations(items, rounds);
  NNLAT_ASSIGN_OR_RETURN(auto references, reference_deviations(db, id));
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
    std::vector<double> witnesses;
    if (const auto ref = references.find(d.campaign_id); ref != references.end()) {
      witnesses = ref->second;
      d.reference_networks = static_cast<int>(ref->second.size());
    }
    if (const auto items = shared.find(d.campaign_id); items != shared.end()) {
      witnesses.insert(witnesses.end(), items->second.begin(), items->second.end());
      d.shared_items = static_cast<int>(items->second.size());
    }
    const auto round = rounds.find(d.campaign_id);
    if (witnesses.empty() && round == rounds.end()) continue;
    // The median, not the mean: a few witnesses that a slow phase hit harder than the rest
    // (or spared) do not set the level of all (for one or two it is their geometric mean).
    if (!witnesses.empty()) d.factor = std::exp(measure::median_of(std::move(witnesses)));
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
