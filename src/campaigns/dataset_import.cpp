#include "campaigns/dataset_import.hpp"

#include <set>

namespace nnlat::campaigns {

measure::Measurement published_measurement(double ms, std::optional<double> std_ms) {
  measure::Measurement m;
  m.median_ms = ms;
  m.mean_ms = ms;
  m.min_ms = ms;
  m.std_ms = std_ms.value_or(0.0);
  m.cv = std_ms ? *std_ms / ms : 0.0;
  return m;
}

Result<DatasetImport> import_target_values(store::Store& store, const std::string& kind, int64_t target_id,
                                           const std::string& target, const nlohmann::json& arguments,
                                           std::vector<DatasetValue>& values,
                                           const std::function<void(const std::string&)>& progress) {
  DatasetImport out;
  if (values.empty()) return out;
  std::vector<std::string> items;
  for (const auto& v : values) items.push_back(v.item);
  NNLAT_ASSIGN_OR_RETURN(auto campaign,
                         store.open_campaign(store::campaign_key(kind, arguments), kind, target_id, arguments, items));
  if (campaign.resumed && campaign.planned_items != items) {
    std::vector<std::string> legacy;
    for (const auto& v : values) legacy.push_back(v.legacy_item.empty() ? v.item : v.legacy_item);
    if (campaign.planned_items == legacy) {
      for (auto& v : values) v.item = v.legacy_item.empty() ? v.item : v.legacy_item;
    }
  }
  NNLAT_ASSIGN_OR_RETURN(auto pending, store.pending_items(campaign.id));
  const std::set<std::string> todo(pending.begin(), pending.end());
  out.already = items.size() - todo.size();
  std::vector<store::NetworkMeasurement> batch;
  for (size_t i = 0; i < values.size(); ++i) {
    DatasetValue& v = values[i];
    if (!todo.contains(v.item)) continue;
    v.record.target_id = target_id;
    v.record.campaign_id = campaign.id;
    v.record.item_key = v.item;
    batch.push_back({v.network_id, v.record});
    out.written.push_back(i);
  }
  NNLAT_RETURN_IF_ERROR(store.add_network_measurements(batch));
  NNLAT_RETURN_IF_ERROR(store.finish_campaign(campaign.id));
  if (progress) {
    progress(target + ": " + std::to_string(out.written.size()) + " measurements added, " +
             std::to_string(out.already) + " already imported");
  }
  return out;
}

}  // namespace nnlat::campaigns
