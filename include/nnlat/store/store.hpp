// The measurement store (DESIGN.md principle 8): one SQLite file (WAL mode) holding targets,
// networks, kernels, measurement campaigns and every measurement ever taken, append-only.
// The schema is documented in docs/store.md.
//
// Durability: every measurement is committed in its own transaction as it is added, so a
// killed process loses at most the one in flight. Campaigns make long runs resumable: a
// campaign is keyed by a hash of the command's arguments and plans a list of item keys; a
// restarted command reopens the same campaign and skips completed_items().
//
// Every error names the database path. No exceptions cross this API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/target.hpp"

namespace nnlat::store {

// The schema version this nnlat writes and reads. Opening a store with another version is
// an error (a newer one says to upgrade nnlat).
inline constexpr int kSchemaVersion = 3;
// PRAGMA application_id of an nnlat store ("nnlt").
inline constexpr int32_t kApplicationId = 0x6E6E6C74;

// How a network is described in the store. Empty fields are taken from the graph: name from
// graph.name, the others from graph.metadata["source" | "encoding" | "family"].
struct NetworkInfo {
  std::string name;
  std::string source;    // "zoo:mobilenet_v2", "model.onnx", "nb201"
  std::string encoding;  // NAS encoding, e.g. "|nor_conv_3x3~0|+|...|"; "" for real models
  std::string family;    // "mobilenet", "nb201", ...
  // A NAS space ("nb201", "mbv2", ...), set only by a caller whose graph is
  // models::build_space_graph(space, encoding) with default options (models::space_reference
  // tells): the store then keeps the space and encoding instead of the graph, and readers
  // rebuild it (models::stored_network_graph). Never taken from metadata: a graph edited
  // after it was built keeps its metadata.
  std::string space;
};

// One kernel of a measured network run, as the runtime reported it (a profiler's events, a
// dataset's per-op table). `position` is the kernel's index in the network's kernel list
// under the target's rule set (fusion.hpp), so predictors can pair it with features.
struct KernelTiming {
  int position = 0;
  std::string name;            // the runtime's name, e.g. "convolution_2d_1_linked_:_relu_2"
  std::string implementation;  // the implementation it chose, e.g. "convolution_winograd_4x4_6x6"
  double latency_ms = 0;       // >= 0; 0 for a kernel fused into another
};

// One measurement to append. `campaign_id` and `item_key` go together: a measurement taken
// for a campaign names the planned item it completes.
struct MeasurementRecord {
  int64_t target_id = 0;
  std::optional<int64_t> campaign_id;
  std::string item_key;
  measure::ProtocolOptions protocol;
  measure::Measurement measurement;
  measure::Environment environment;
  // Network measurements only: the per-kernel breakdown of the run, stored in the same
  // transaction (positions distinct). Empty when the runtime reports none.
  std::vector<KernelTiming> kernel_timings;
};

// One network measurement of a batch (Store::add_network_measurements).
struct NetworkMeasurement {
  int64_t network_id = 0;
  MeasurementRecord record;
};

struct Campaign {
  int64_t id = 0;
  std::string key;
  std::string kind;  // the command, e.g. "measure-networks", "profile-kernels"
  int64_t target_id = 0;
  std::string arguments_json;
  std::vector<std::string> planned_items;  // in plan order
  std::string created;
  std::optional<std::string> finished;
  bool resumed = false;  // true when open_campaign found an existing campaign with this key
};

struct TargetStats {
  std::string target;  // device:config:precision
  std::string backend;
  int64_t networks = 0;  // distinct networks measured on this target
  int64_t kernels = 0;   // distinct kernels measured on this target
  int64_t network_measurements = 0;
  int64_t kernel_measurements = 0;
  int64_t unstable = 0;  // measurements (both kinds) flagged unstable
};

struct StoreStats {
  int64_t targets = 0;
  int64_t networks = 0;
  int64_t kernels = 0;
  int64_t campaigns = 0;
  int64_t network_measurements = 0;
  int64_t kernel_measurements = 0;
  std::vector<TargetStats> per_target;  // sorted by target name
};

enum class MeasurementKind { kNetwork, kKernel };
const char* measurement_kind_name(MeasurementKind kind);  // "network" / "kernel"

// One measurement joined with its target, subject and campaign, as export writes it.
struct MeasurementRow {
  MeasurementKind kind = MeasurementKind::kNetwork;
  int64_t id = 0;  // row id within its table
  std::string target;
  std::string backend;
  std::string name;  // network name; kernel type for kernels
  std::string source;
  std::string encoding;
  std::string family;
  std::string hash;  // network or kernel hash
  std::optional<int64_t> macs;
  std::optional<int64_t> params;
  double median_ms = 0;
  double mean_ms = 0;
  double std_ms = 0;
  double cv = 0;
  double min_ms = 0;
  std::vector<double> samples_ms;
  bool unstable = false;
  int remeasures = 0;
  std::string campaign_key;  // "" outside a campaign
  std::string item_key;
  std::string protocol_json;
  std::string environment_json;
  std::string created;
  std::vector<KernelTiming> kernel_timings;  // network rows: the per-kernel breakdown, by position
};

// Everything measured about one network or kernel on one target, for training predictors.
struct SubjectLatency {
  MeasurementKind kind = MeasurementKind::kNetwork;
  std::string hash;
  std::string name;  // network name; kernel type for kernels
  std::string source;
  std::string encoding;
  std::string family;  // network family ("" for kernels)
  std::string space;   // NAS networks kept as space + encoding: the space; "" otherwise
  // The network's or standalone kernel's graph; "" for a network kept as space + encoding.
  // Read graphs with models::stored_network_graph, which takes either.
  std::string graph_json;
  double median_ms = 0;  // median over medians_ms
  // One figure per campaign, in order of first measurement: the median of the campaign's
  // measurements of the subject (its rounds); a measurement outside a campaign counts alone.
  std::vector<double> medians_ms;
  double cv = 0;  // largest CV among its measurements
  int measurements = 0;
  bool unstable = false;  // every one of its measurements was flagged unstable
};

// A reference network's figure in one store (campaigns re-measure reference networks at the
// start and end of every round to see the device's drift): the median over its reference
// measurements on one target.
struct ReferenceFigure {
  std::string hash;  // the network's identity (Store::upsert_network)
  std::string name;
  double median_ms = 0;
  int measurements = 0;

  friend bool operator==(const ReferenceFigure&, const ReferenceFigure&) = default;
};

// How a campaign's device state drifted. `factor`: the median over its witnesses of (their
// figure in the campaign / their median figure over the target's campaigns that measured
// them); 1.07: 7% slow; 1 when it has none. Witnesses are its reference networks (each
// counts only with two measurements or more in the campaign: one round closed) and its items
// measured in another campaign too (a `--repeat`; their figures divided by the round factors
// first). Small reference networks barely feel a neighbour taking memory bandwidth, the
// campaign's own networks do: where campaigns share items, those set the level.
// `round_factors`: per round, the median over the campaign's items measured in two rounds or
// more of (the item's figure in that round / its median over the campaign's rounds),
// measure::round_drift_factors; empty for a single pass. A round that ran slow for most items
// shows here even when the small reference networks did not feel it.
struct CampaignDrift {
  int64_t campaign_id = 0;
  std::string kind;
  std::string created;
  double factor = 1;
  int reference_networks = 0;
  int shared_items = 0;  // networks and kernels it shares with other campaigns
  std::vector<double> round_factors;
};

// The 0-based round of a campaign item key `ITEM@rK` (campaigns/profiler.hpp), -1 for a key
// without one (a single pass, or a campaign from before rounds).
int round_of_item_key(std::string_view key);

class Store {
 public:
  // Opens or creates the store at `path` (WAL mode, foreign keys on, busy timeout). A file
  // that is not SQLite, an SQLite file that is not an nnlat store, or a schema version
  // other than kSchemaVersion is an error naming the path.
  static Result<Store> open(const std::string& path, int busy_timeout_ms = 5000);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& path() const;

  // Returns the target's id, inserting it on first use. The same name with another backend
  // is an error.
  Result<int64_t> upsert_target(const measure::TargetName& target, const std::string& backend);
  // The id of a target by name ("device:config:precision"); kNotFound if absent.
  Result<int64_t> target_id(const std::string& name) const;

  // Returns the network's id, inserting it on first use. Its identity is
  // stable_hash_hex(formats::graph_to_json(graph)); MACs and params come from ir::graph_cost.
  // The graph must verify. An existing network is never modified.
  Result<int64_t> upsert_network(const ir::Graph& graph, const NetworkInfo& info = {});
  // Networks by name (name → id of the first network stored with it, those whose source is
  // `preferred_source` first), for importers that match measurements to networks imported
  // before (one model imported from two frameworks' files is two graphs of one name).
  Result<std::map<std::string, int64_t>> network_ids_by_name(const std::string& preferred_source = "") const;
  // The networks kept as `space` + encoding (NetworkInfo::space), encoding → id: an importer
  // finds the networks it stored before without building their graphs.
  Result<std::map<std::string, int64_t>> network_ids_by_encoding(const std::string& space) const;
  // Returns the kernel's id, inserting it on first use. The same hash with another type is
  // an error. `features_json` must be a JSON object (it may carry "macs" and "params").
  Result<int64_t> upsert_kernel(const std::string& hash, const std::string& type, const std::string& features_json,
                                const std::string& graph_json);

  // Appends one measurement in its own transaction and returns its row id. Adding the same
  // data again appends another row; measurements are never updated or deleted. With a
  // campaign, the item must be planned in it, the target must be the campaign's, and an
  // item already measured in the campaign is an error.
  Result<int64_t> add_network_measurement(int64_t network_id, const MeasurementRecord& record);
  Result<int64_t> add_kernel_measurement(int64_t kernel_id, const MeasurementRecord& record);
  // Appends a batch of network measurements in one transaction, each checked as
  // add_network_measurement checks it; the first bad one rolls the whole batch back. Ids in
  // batch order. A dataset import writes a target's values this way (one commit, not one
  // per value).
  Result<std::vector<int64_t>> add_network_measurements(const std::vector<NetworkMeasurement>& batch);

  // Returns the campaign with this key, creating it with the given plan if absent
  // (`resumed` tells which). Reopening with another kind or target is an error; the stored
  // plan wins over `planned_items` when resuming. Item keys must be non-empty and distinct.
  Result<Campaign> open_campaign(const std::string& key, const std::string& kind, int64_t target_id,
                                 const nlohmann::json& arguments, const std::vector<std::string>& planned_items);
  // Planned items that already have a measurement (either kind) in the campaign, in plan
  // order; and those that have none yet.
  Result<std::vector<std::string>> completed_items(int64_t campaign_id) const;
  Result<std::vector<std::string>> pending_items(int64_t campaign_id) const;
  // Records the finish time (the first call wins).
  Status finish_campaign(int64_t campaign_id);

  Result<StoreStats> stats() const;

  // Calls `visit` for every measurement, network rows then kernel rows, each in insertion
  // order; only the target named `target` if given (kNotFound if there is none). Stops at
  // the first error `visit` returns.
  Status for_each_measurement(const std::optional<std::string>& target,
                              const std::function<Status(const MeasurementRow&)>& visit) const;

  // One entry per network (or kernel) measured on `target`, in first-insertion order;
  // kNotFound if the target does not exist. With `correct_drift`, each measurement is first
  // divided by its campaign's drift factor and by its round's factor (campaign_drift). Reference measurements (item
  // keys `ref:...`) are the yardstick drift is read from, not data: they are left out, or a
  // reference would count many times over and its drift-corrected floor be zero by design.
  Result<std::vector<SubjectLatency>> subject_latencies(const std::string& target, MeasurementKind kind,
                                                        bool correct_drift = false) const;
  // Per campaign on `target` that measured reference networks, in creation order: how much
  // slower the device ran in it than usual. Campaigns without references are absent (their
  // factor is 1).
  Result<std::vector<CampaignDrift>> campaign_drift(const std::string& target) const;
  // The reference networks measured on `target` (item keys "ref:..."), by network id; empty
  // when no campaign measured any. kNotFound for an unknown target.
  Result<std::vector<ReferenceFigure>> reference_figures(const std::string& target) const;

  // The per-kernel breakdowns of `target`'s network measurements, by network hash: for each
  // network, the breakdown of its first measurement that has one, sorted by position.
  // kNotFound if the target does not exist.
  Result<std::map<std::string, std::vector<KernelTiming>>> kernel_timings(const std::string& target) const;

  // Runs `work` as one transaction: what it wrote through this store is committed when it
  // returns Ok, and none of it when it returns an error, so a failed import leaves the store
  // as it was. The writes inside (each add_*, upsert_*, campaign call) keep their own checks
  // and become savepoints of this transaction. The store stays locked for writers in other
  // processes while `work` runs (they wait up to their busy timeout). Not re-entrant.
  Status transaction(const std::function<Status()>& work);

  // PRAGMA integrity_check; an error listing the problems when it is not "ok".
  Status check_integrity() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The campaign key of a command: stable_hash_hex over the kind and the arguments' canonical
// JSON (object keys sorted), so rerunning the same command finds the same campaign.
std::string campaign_key(std::string_view kind, const nlohmann::json& arguments);

}  // namespace nnlat::store
