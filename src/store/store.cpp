#include "nnlat/store/store.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/measure/schedule.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "store/store_impl.hpp"

namespace nnlat::store {

using sqlite::Db;
using sqlite::Param;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

// Compact JSON text; invalid UTF-8 (a strange host name, say) is replaced, not thrown.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string metadata_or(const ir::Graph& graph, const std::string& given, const char* key) {
  if (!given.empty()) return given;
  const auto it = graph.metadata.find(key);
  return it == graph.metadata.end() ? std::string() : it->second;
}

Status check_finite(const Db& db, double value, const char* field) {
  if (!std::isfinite(value))
    return db.error(ErrorCode::kInvalidArgument, std::string("measurement ") + field + " is not finite");
  return Status::Ok();
}

// Checks a record before it is appended; returns the JSON texts to store.
struct EncodedRecord {
  std::string protocol_json;
  std::string samples_json;
  std::string environment_json;
};

Result<EncodedRecord> encode_record(const Db& db, const MeasurementRecord& r) {
  const auto& m = r.measurement;
  if (Status s = measure::validate(r.protocol); !s.ok()) return s.error().with_context(db.path());
  NNLAT_RETURN_IF_ERROR(check_finite(db, m.median_ms, "median_ms"));
  NNLAT_RETURN_IF_ERROR(check_finite(db, m.mean_ms, "mean_ms"));
  NNLAT_RETURN_IF_ERROR(check_finite(db, m.std_ms, "std_ms"));
  NNLAT_RETURN_IF_ERROR(check_finite(db, m.cv, "cv"));
  NNLAT_RETURN_IF_ERROR(check_finite(db, m.min_ms, "min_ms"));
  for (double v : m.samples_ms) NNLAT_RETURN_IF_ERROR(check_finite(db, v, "sample"));
  if (m.remeasures < 0) return db.error(ErrorCode::kInvalidArgument, "measurement remeasures is negative");
  if (r.campaign_id.has_value() == r.item_key.empty()) {
    return db.error(ErrorCode::kInvalidArgument, "a measurement names both a campaign and an item key, or neither");
  }
  return EncodedRecord{dump(measure::protocol_to_json(r.protocol)), dump(nlohmann::json(m.samples_ms)),
                       dump(measure::environment_to_json(r.environment))};
}

Result<std::vector<std::string>> campaign_items_query(const Db& db, int64_t campaign_id, const char* sql) {
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare(sql));
  NNLAT_RETURN_IF_ERROR(stmt.bind({campaign_id}));
  std::vector<std::string> items;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    items.push_back(stmt.column_text(0));
  }
  return items;
}

Status check_campaign_exists(const Db& db, int64_t campaign_id) {
  NNLAT_ASSIGN_OR_RETURN(int64_t n, db.query_int64("SELECT count(*) FROM campaigns WHERE id = ?", {campaign_id}));
  if (n == 0) return db.error(ErrorCode::kNotFound, "no campaign with id " + std::to_string(campaign_id));
  return Status::Ok();
}

}  // namespace

const char* measurement_kind_name(MeasurementKind kind) {
  return kind == MeasurementKind::kNetwork ? "network" : "kernel";
}

std::string campaign_key(std::string_view kind, const nlohmann::json& arguments) {
  // nlohmann::json objects keep their keys sorted, so dump() is canonical.
  return stable_hash_hex(std::string(kind) + "\n" + dump(arguments));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::string& Store::path() const { return impl_->db.path(); }

Result<Store> Store::open(const std::string& path, int busy_timeout_ms) {
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "store path is empty");
  NNLAT_ASSIGN_OR_RETURN(Db db, Db::open(path));
  NNLAT_RETURN_IF_ERROR(prepare_store(db, busy_timeout_ms));
  return Store(std::make_unique<Impl>(std::move(db)));
}

// ---- targets, networks, kernels

Result<int64_t> Store::upsert_target(const measure::TargetName& target, const std::string& backend) {
  const Db& db = impl_->db;
  const std::string name = target.str();
  if (auto parsed = measure::parse_target_name(name); !parsed.ok()) return parsed.error().with_context(db.path());
  if (backend.empty()) return db.error(ErrorCode::kInvalidArgument, "target " + name + ": backend name is empty");
  NNLAT_ASSIGN_OR_RETURN(Stmt insert, db.prepare("INSERT INTO targets (name, device, config, precision, backend) "
                                                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"));
  NNLAT_RETURN_IF_ERROR(
      insert.run({std::string_view(name), std::string_view(target.device), std::string_view(target.config),
                  std::string_view(target.precision), std::string_view(backend)}));
  NNLAT_ASSIGN_OR_RETURN(Stmt select, db.prepare("SELECT id, backend FROM targets WHERE name = ?"));
  NNLAT_RETURN_IF_ERROR(select.bind({std::string_view(name)}));
  NNLAT_ASSIGN_OR_RETURN(bool row, select.step());
  if (!row) return db.error(ErrorCode::kInternal, "target " + name + " vanished after insert");
  if (select.column_text(1) != backend) {
    return db.error(ErrorCode::kInvalidArgument, "target " + name + " is recorded with backend '" +
                                                     select.column_text(1) + "', not '" + backend + "'");
  }
  return select.column_int64(0);
}

Result<int64_t> Store::target_id(const std::string& name) const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(Stmt select, db.prepare("SELECT id FROM targets WHERE name = ?"));
  NNLAT_RETURN_IF_ERROR(select.bind({std::string_view(name)}));
  NNLAT_ASSIGN_OR_RETURN(bool row, select.step());
  if (!row) return db.error(ErrorCode::kNotFound, "no target named '" + name + "'");
  return select.column_int64(0);
}

Result<int64_t> Store::upsert_network(const ir::Graph& graph, const NetworkInfo& info) {
  const Db& db = impl_->db;
  if (Status s = ir::verify(graph); !s.ok()) {
    return s.error().with_context(db.path() + ": network '" + graph.name + "'");
  }
  // A NAS network kept as space + encoding needs only the hash of its text, not the text.
  const std::string graph_json = info.space.empty() ? formats::graph_to_json(graph) : std::string();
  const std::string hash = info.space.empty() ? stable_hash_hex(graph_json) : formats::graph_json_hash(graph);
  const ir::GraphCost cost = ir::graph_cost(graph);
  const std::string name = info.name.empty() ? graph.name : info.name;
  const std::string source = metadata_or(graph, info.source, "source");
  const std::string encoding = metadata_or(graph, info.encoding, "encoding");
  const std::string family = metadata_or(graph, info.family, "family");
  if (!info.space.empty() && encoding.empty()) {
    return db.error(ErrorCode::kInvalidArgument,
                    "network '" + name + "': kept as space " + info.space + " but it has no encoding");
  }
  // A NAS network is its space and encoding: its graph is rebuilt on demand, not stored.
  // "" not a default string_view: a null pointer would bind SQL NULL (graph_json is NOT NULL).
  const std::string_view stored_graph = info.space.empty() ? std::string_view(graph_json) : std::string_view("");
  NNLAT_ASSIGN_OR_RETURN(
      Stmt insert, db.prepare("INSERT INTO networks (hash, name, source, encoding, family, macs, params, "
                              "graph_json, space) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"));
  NNLAT_RETURN_IF_ERROR(insert.run({std::string_view(hash), std::string_view(name), std::string_view(source),
                                    std::string_view(encoding), std::string_view(family), cost.total.macs,
                                    cost.total.params, stored_graph, std::string_view(info.space)}));
  return db.query_int64("SELECT id FROM networks WHERE hash = ?", {std::string_view(hash)});
}

namespace {

// (text, id) rows of a bound statement as text → id; the first row of a text wins.
Result<std::map<std::string, int64_t>> ids_by_text(Stmt& stmt) {
  std::map<std::string, int64_t> out;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.emplace(stmt.column_text(0), stmt.column_int64(1));
  }
  return out;
}

}  // namespace

Result<std::map<std::string, int64_t>> Store::network_ids_by_encoding(const std::string& space) const {
  if (space.empty()) return impl_->db.error(ErrorCode::kInvalidArgument, "network_ids_by_encoding: no space given");
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, impl_->db.prepare("SELECT encoding, id FROM networks WHERE space = ?"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({std::string_view(space)}));
  return ids_by_text(stmt);
}

Result<int64_t> Store::upsert_kernel(const std::string& hash, const std::string& type, const std::string& features_json,
                                     const std::string& graph_json) {
  const Db& db = impl_->db;
  if (hash.empty()) return db.error(ErrorCode::kInvalidArgument, "kernel hash is empty");
  if (type.empty()) return db.error(ErrorCode::kInvalidArgument, "kernel " + hash + ": type is empty");
  const auto features = nlohmann::json::parse(features_json, nullptr, /*allow_exceptions=*/false);
  if (features.is_discarded() || !features.is_object()) {
    return db.error(ErrorCode::kInvalidArgument, "kernel " + hash + ": features are not a JSON object");
  }
  NNLAT_ASSIGN_OR_RETURN(Stmt insert, db.prepare("INSERT INTO kernels (hash, type, features_json, graph_json) "
                                                 "VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"));
  NNLAT_RETURN_IF_ERROR(insert.run(
      {std::string_view(hash), std::string_view(type), std::string_view(features_json), std::string_view(graph_json)}));
  NNLAT_ASSIGN_OR_RETURN(Stmt select, db.prepare("SELECT id, type FROM kernels WHERE hash = ?"));
  NNLAT_RETURN_IF_ERROR(select.bind({std::string_view(hash)}));
  NNLAT_ASSIGN_OR_RETURN(bool row, select.step());
  if (!row) return db.error(ErrorCode::kInternal, "kernel " + hash + " vanished after insert");
  if (select.column_text(1) != type) {
    return db.error(ErrorCode::kInvalidArgument,
                    "kernel " + hash + " is recorded with type '" + select.column_text(1) + "', not '" + type + "'");
  }
  return select.column_int64(0);
}

// ---- measurements

namespace {

// A kernel_timings row read from `first` on: position, name, implementation, latency_ms.
KernelTiming kernel_timing_at(const Stmt& stmt, int first) {
  return {static_cast<int>(stmt.column_int64(first)), stmt.column_text(first + 1), stmt.column_text(first + 2),
          stmt.column_double(first + 3)};
}

// Appends measurements inside the caller's transaction, its statements prepared once: a
// dataset import writes hundreds of thousands of rows through one writer. Every record is
// checked as a single add is; facts that cannot change within a transaction (a target
// exists, a campaign measures a target) are checked once per id.
class MeasurementWriter {
 public:
  static Result<MeasurementWriter> make(const Db& db, MeasurementKind kind) {
    MeasurementWriter w(db, kind);
    const bool network = kind == MeasurementKind::kNetwork;
    NNLAT_ASSIGN_OR_RETURN(w.target_exists_, db.prepare("SELECT count(*) FROM targets WHERE id = ?"));
    NNLAT_ASSIGN_OR_RETURN(w.subject_exists_, db.prepare(std::string("SELECT count(*) FROM ") +
                                                         (network ? "networks" : "kernels") + " WHERE id = ?"));
    NNLAT_ASSIGN_OR_RETURN(w.campaign_target_,
                           db.prepare("SELECT coalesce((SELECT target_id FROM campaigns WHERE id = ?), -1)"));
    NNLAT_ASSIGN_OR_RETURN(w.planned_,
                           db.prepare("SELECT count(*) FROM campaign_items WHERE campaign_id = ? AND item_key = ?"));
    NNLAT_ASSIGN_OR_RETURN(
        w.done_,
        db.prepare("SELECT (SELECT count(*) FROM network_measurements WHERE campaign_id = ?1 AND item_key = ?2) + "
                   "(SELECT count(*) FROM kernel_measurements WHERE campaign_id = ?1 AND item_key = ?2)"));
    NNLAT_ASSIGN_OR_RETURN(
        w.text_insert_, db.prepare("INSERT INTO json_texts (hash, text) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING"));
    NNLAT_ASSIGN_OR_RETURN(w.text_select_, db.prepare("SELECT id, text FROM json_texts WHERE hash = ?"));
    // The inline JSON columns stay empty: the texts are in json_texts (schema version 3).
    NNLAT_ASSIGN_OR_RETURN(
        w.insert_, db.prepare(std::string("INSERT INTO ") + (network ? "network_measurements" : "kernel_measurements") +
                              " (target_id, " + (network ? "network_id" : "kernel_id") +
                              ", campaign_id, item_key, protocol_json, median_ms, mean_ms, std_ms, cv, min_ms, "
                              "n_samples, samples_json, unstable, remeasures, environment_json, protocol_ref, "
                              "environment_ref) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)"));
    if (network) {
      NNLAT_ASSIGN_OR_RETURN(w.timing_, db.prepare("INSERT INTO kernel_timings (measurement_id, position, name, "
                                                   "implementation, latency_ms) VALUES (?, ?, ?, ?, ?)"));
    }
    return w;
  }

  Result<int64_t> write(int64_t subject_id, const MeasurementRecord& r) {
    const Db& db = *db_;
    NNLAT_ASSIGN_OR_RETURN(EncodedRecord encoded, encode_record(db, r));
    if (!r.kernel_timings.empty() && kind_ != MeasurementKind::kNetwork) {
      return db.error(ErrorCode::kInvalidArgument, "a kernel measurement cannot carry kernel timings");
    }
    if (!known_targets_.contains(r.target_id)) {
      NNLAT_ASSIGN_OR_RETURN(int64_t targets, target_exists_.query_int64({r.target_id}));
      if (targets == 0) return db.error(ErrorCode::kNotFound, "no target with id " + std::to_string(r.target_id));
      known_targets_.insert(r.target_id);
    }
    NNLAT_ASSIGN_OR_RETURN(int64_t subjects, subject_exists_.query_int64({subject_id}));
    if (subjects == 0) {
      return db.error(ErrorCode::kNotFound,
                      std::string("no ") + measurement_kind_name(kind_) + " with id " + std::to_string(subject_id));
    }
    if (r.campaign_id) NNLAT_RETURN_IF_ERROR(check_campaign_item(r));
    NNLAT_ASSIGN_OR_RETURN(int64_t protocol_ref, text_id(encoded.protocol_json));
    NNLAT_ASSIGN_OR_RETURN(int64_t environment_ref, text_id(encoded.environment_json));
    const auto& m = r.measurement;
    const Param campaign = r.campaign_id ? Param(*r.campaign_id) : Param(nullptr);
    const Param item = r.campaign_id ? Param(std::string_view(r.item_key)) : Param(nullptr);
    NNLAT_RETURN_IF_ERROR(
        insert_.run({r.target_id, subject_id, campaign, item, m.median_ms, m.mean_ms, m.std_ms, m.cv, m.min_ms,
                     static_cast<int64_t>(m.samples_ms.size()), std::string_view(encoded.samples_json),
                     int64_t{m.unstable ? 1 : 0}, int64_t{m.remeasures}, protocol_ref, environment_ref}));
    const int64_t id = sqlite3_last_insert_rowid(db.handle());
    for (const KernelTiming& t : r.kernel_timings) {
      if (t.position < 0 || !(t.latency_ms >= 0) || !std::isfinite(t.latency_ms)) {
        return db.error(ErrorCode::kInvalidArgument, "kernel timing '" + t.name + "' at position " +
                                                         std::to_string(t.position) +
                                                         " needs a position >= 0 and a finite latency >= 0");
      }
      NNLAT_RETURN_IF_ERROR(timing_.run(
          {id, int64_t{t.position}, std::string_view(t.name), std::string_view(t.implementation), t.latency_ms}));
    }
    return id;
  }

 private:
  MeasurementWriter(const Db& db, MeasurementKind kind) : db_(&db), kind_(kind) {}

  Status check_campaign_item(const MeasurementRecord& r) {
    const Db& db = *db_;
    const int64_t campaign = *r.campaign_id;
    auto known = campaign_targets_.find(campaign);
    if (known == campaign_targets_.end()) {
      NNLAT_ASSIGN_OR_RETURN(int64_t target, campaign_target_.query_int64({campaign}));
      if (target < 0) return db.error(ErrorCode::kNotFound, "no campaign with id " + std::to_string(campaign));
      known = campaign_targets_.emplace(campaign, target).first;
    }
    if (known->second != r.target_id) {
      return db.error(ErrorCode::kInvalidArgument, "campaign " + std::to_string(campaign) + " measures target id " +
                                                       std::to_string(known->second) + ", not " +
                                                       std::to_string(r.target_id));
    }
    NNLAT_ASSIGN_OR_RETURN(int64_t planned, planned_.query_int64({campaign, std::string_view(r.item_key)}));
    if (planned == 0) {
      return db.error(ErrorCode::kInvalidArgument,
                      "item '" + r.item_key + "' is not planned in campaign " + std::to_string(campaign));
    }
    NNLAT_ASSIGN_OR_RETURN(int64_t done, done_.query_int64({campaign, std::string_view(r.item_key)}));
    if (done != 0) {
      return db.error(ErrorCode::kInvalidArgument,
                      "item '" + r.item_key + "' is already measured in campaign " + std::to_string(campaign));
    }
    return Status::Ok();
  }

  // The id of a JSON text in json_texts, inserting it on first use. The hash finds it; the
  // text is compared too, so a hash collision is an error, never another row's text.
  Result<int64_t> text_id(const std::string& text) {
    if (const auto it = text_ids_.find(text); it != text_ids_.end()) return it->second;
    const Db& db = *db_;
    const std::string hash = stable_hash_hex(text);
    NNLAT_RETURN_IF_ERROR(text_insert_.run({std::string_view(hash), std::string_view(text)}));
    NNLAT_RETURN_IF_ERROR(text_select_.bind({std::string_view(hash)}));
    NNLAT_ASSIGN_OR_RETURN(bool row, text_select_.step());
    if (!row) return db.error(ErrorCode::kInternal, "JSON text " + hash + " vanished after insert");
    const int64_t id = text_select_.column_int64(0);
    if (text_select_.column_text(1) != text) {
      return db.error(ErrorCode::kInternal, "two JSON texts share the hash " + hash);
    }
    NNLAT_RETURN_IF_ERROR(text_select_.reset());
    if (text_ids_.size() > 1024) text_ids_.clear();  // bounded: profiling rows each carry their own state
    text_ids_.emplace(text, id);
    return id;
  }

  const Db* db_;
  MeasurementKind kind_;
  Stmt target_exists_, subject_exists_, campaign_target_, planned_, done_, text_insert_, text_select_, insert_, timing_;
  std::set<int64_t> known_targets_;
  std::map<int64_t, int64_t> campaign_targets_;
  std::map<std::string, int64_t> text_ids_;
};

Result<int64_t> add_measurement(const Db& db, MeasurementKind kind, int64_t subject_id, const MeasurementRecord& r) {
  NNLAT_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  NNLAT_ASSIGN_OR_RETURN(MeasurementWriter writer, MeasurementWriter::make(db, kind));
  NNLAT_ASSIGN_OR_RETURN(int64_t id, writer.write(subject_id, r));
  NNLAT_RETURN_IF_ERROR(tx.commit());
  return id;
}

}  // namespace

Result<std::map<std::string, int64_t>> Store::network_ids_by_name(const std::string& preferred_source) const {
  // Networks of the preferred source first, then by id: the first of each name wins.
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, impl_->db.prepare("SELECT name, id FROM networks ORDER BY (source = ?1) DESC, id"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({std::string_view(preferred_source)}));
  return ids_by_text(stmt);
}

Result<int64_t> Store::add_network_measurement(int64_t network_id, const MeasurementRecord& record) {
  return add_measurement(impl_->db, MeasurementKind::kNetwork, network_id, record);
}

Result<int64_t> Store::add_kernel_measurement(int64_t kernel_id, const MeasurementRecord& record) {
  return add_measurement(impl_->db, MeasurementKind::kKernel, kernel_id, record);
}

Result<std::vector<int64_t>> Store::add_network_measurements(const std::vector<NetworkMeasurement>& batch) {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  NNLAT_ASSIGN_OR_RETURN(MeasurementWriter writer, MeasurementWriter::make(db, MeasurementKind::kNetwork));
  std::vector<int64_t> ids;
  ids.reserve(batch.size());
  for (const NetworkMeasurement& m : batch) {
    NNLAT_ASSIGN_OR_RETURN(int64_t id, writer.write(m.network_id, m.record));
    ids.push_back(id);
  }
  NNLAT_RETURN_IF_ERROR(tx.commit());
  return ids;
}

// ---- campaigns

Result<Campaign> Store::open_campaign(const std::string& key, const std::string& kind, int64_t target_id,
                                      const nlohmann::json& arguments, const std::vector<std::string>& planned_items) {
  const Db& db = impl_->db;
  if (key.empty()) return db.error(ErrorCode::kInvalidArgument, "campaign key is empty");
  if (kind.empty()) return db.error(ErrorCode::kInvalidArgument, "campaign " + key + ": kind is empty");
  std::set<std::string_view> seen;
  for (const auto& item : planned_items) {
    if (item.empty()) return db.error(ErrorCode::kInvalidArgument, "campaign " + key + ": empty item key");
    if (!seen.insert(item).second) {
      return db.error(ErrorCode::kInvalidArgument, "campaign " + key + ": item '" + item + "' planned twice");
    }
  }

  NNLAT_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  NNLAT_ASSIGN_OR_RETURN(Stmt select, db.prepare("SELECT id, kind, target_id, arguments_json, created, finished "
                                                 "FROM campaigns WHERE key = ?"));
  NNLAT_RETURN_IF_ERROR(select.bind({std::string_view(key)}));
  NNLAT_ASSIGN_OR_RETURN(bool exists, select.step());
  Campaign c;
  c.key = key;
  if (exists) {
    c.id = select.column_int64(0);
    c.kind = select.column_text(1);
    c.target_id = select.column_int64(2);
    c.arguments_json = select.column_text(3);
    c.created = select.column_text(4);
    c.finished = select.column_optional_text(5);
    c.resumed = true;
    if (c.kind != kind) {
      return db.error(ErrorCode::kInvalidArgument,
                      "campaign " + key + " is a '" + c.kind + "' campaign, not '" + kind + "'");
    }
    if (c.target_id != target_id) {
      return db.error(ErrorCode::kInvalidArgument, "campaign " + key + " measures target id " +
                                                       std::to_string(c.target_id) + ", not " +
                                                       std::to_string(target_id));
    }
    NNLAT_ASSIGN_OR_RETURN(
        c.planned_items,
        campaign_items_query(db, c.id, "SELECT item_key FROM campaign_items WHERE campaign_id = ? ORDER BY position"));
    NNLAT_RETURN_IF_ERROR(tx.commit());
    return c;
  }
  NNLAT_ASSIGN_OR_RETURN(int64_t targets, db.query_int64("SELECT count(*) FROM targets WHERE id = ?", {target_id}));
  if (targets == 0) return db.error(ErrorCode::kNotFound, "no target with id " + std::to_string(target_id));
  c.kind = kind;
  c.target_id = target_id;
  c.arguments_json = dump(arguments);
  c.planned_items = planned_items;
  NNLAT_ASSIGN_OR_RETURN(Stmt insert, db.prepare("INSERT INTO campaigns (key, kind, target_id, arguments_json, "
                                                 "planned_items) VALUES (?, ?, ?, ?, ?) RETURNING id, created"));
  NNLAT_RETURN_IF_ERROR(insert.bind({std::string_view(key), std::string_view(kind), target_id,
                                     std::string_view(c.arguments_json), static_cast<int64_t>(planned_items.size())}));
  NNLAT_ASSIGN_OR_RETURN(bool row, insert.step());
  if (!row) return db.error(ErrorCode::kInternal, "campaign " + key + ": insert returned no id");
  c.id = insert.column_int64(0);
  c.created = insert.column_text(1);
  NNLAT_RETURN_IF_ERROR(insert.reset());  // finish the statement before the transaction commits
  NNLAT_ASSIGN_OR_RETURN(Stmt item_insert,
                         db.prepare("INSERT INTO campaign_items (campaign_id, position, item_key) VALUES (?, ?, ?)"));
  for (size_t i = 0; i < planned_items.size(); ++i) {
    NNLAT_RETURN_IF_ERROR(item_insert.run({c.id, static_cast<int64_t>(i), std::string_view(planned_items[i])}));
  }
  NNLAT_RETURN_IF_ERROR(tx.commit());
  return c;
}

Result<std::vector<std::string>> Store::completed_items(int64_t campaign_id) const {
  const Db& db = impl_->db;
  NNLAT_RETURN_IF_ERROR(check_campaign_exists(db, campaign_id));
  return campaign_items_query(
      db, campaign_id,
      "SELECT ci.item_key FROM campaign_items ci WHERE ci.campaign_id = ?1 AND ("
      "EXISTS (SELECT 1 FROM network_measurements m WHERE m.campaign_id = ?1 AND m.item_key = ci.item_key) OR "
      "EXISTS (SELECT 1 FROM kernel_measurements m WHERE m.campaign_id = ?1 AND m.item_key = ci.item_key)) "
      "ORDER BY ci.position");
}

Result<std::vector<std::string>> Store::pending_items(int64_t campaign_id) const {
  const Db& db = impl_->db;
  NNLAT_RETURN_IF_ERROR(check_campaign_exists(db, campaign_id));
  return campaign_items_query(
      db, campaign_id,
      "SELECT ci.item_key FROM campaign_items ci WHERE ci.campaign_id = ?1 AND NOT ("
      "EXISTS (SELECT 1 FROM network_measurements m WHERE m.campaign_id = ?1 AND m.item_key = ci.item_key) OR "
      "EXISTS (SELECT 1 FROM kernel_measurements m WHERE m.campaign_id = ?1 AND m.item_key = ci.item_key)) "
      "ORDER BY ci.position");
}

Status Store::finish_campaign(int64_t campaign_id) {
  const Db& db = impl_->db;
  NNLAT_RETURN_IF_ERROR(check_campaign_exists(db, campaign_id));
  NNLAT_ASSIGN_OR_RETURN(Stmt update, db.prepare("UPDATE campaigns SET finished = strftime('%Y-%m-%dT%H:%M:%fZ', "
                                                 "'now') WHERE id = ? AND finished IS NULL"));
  return update.run({campaign_id});
}

// ---- reading

Result<StoreStats> Store::stats() const {
  const Db& db = impl_->db;
  StoreStats s;
  NNLAT_ASSIGN_OR_RETURN(Stmt totals,
                         db.prepare("SELECT (SELECT count(*) FROM targets), (SELECT count(*) FROM networks), "
                                    "(SELECT count(*) FROM kernels), (SELECT count(*) FROM campaigns), "
                                    "(SELECT count(*) FROM network_measurements), "
                                    "(SELECT count(*) FROM kernel_measurements)"));
  NNLAT_ASSIGN_OR_RETURN(bool row, totals.step());
  if (!row) return db.error(ErrorCode::kInternal, "statistics query returned no row");
  s.targets = totals.column_int64(0);
  s.networks = totals.column_int64(1);
  s.kernels = totals.column_int64(2);
  s.campaigns = totals.column_int64(3);
  s.network_measurements = totals.column_int64(4);
  s.kernel_measurements = totals.column_int64(5);

  NNLAT_ASSIGN_OR_RETURN(
      Stmt per_target,
      db.prepare("SELECT t.name, t.backend, "
                 "(SELECT count(DISTINCT network_id) FROM network_measurements WHERE target_id = t.id), "
                 "(SELECT count(DISTINCT kernel_id) FROM kernel_measurements WHERE target_id = t.id), "
                 "(SELECT count(*) FROM network_measurements WHERE target_id = t.id), "
                 "(SELECT count(*) FROM kernel_measurements WHERE target_id = t.id), "
                 "(SELECT count(*) FROM network_measurements WHERE target_id = t.id AND unstable = 1) + "
                 "(SELECT count(*) FROM kernel_measurements WHERE target_id = t.id AND unstable = 1) "
                 "FROM targets t ORDER BY t.name"));
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool more, per_target.step());
    if (!more) break;
    TargetStats t;
    t.target = per_target.column_text(0);
    t.backend = per_target.column_text(1);
    t.networks = per_target.column_int64(2);
    t.kernels = per_target.column_int64(3);
    t.network_measurements = per_target.column_int64(4);
    t.kernel_measurements = per_target.column_int64(5);
    t.unstable = per_target.column_int64(6);
    s.per_target.push_back(std::move(t));
  }
  return s;
}

namespace {

// Column list shared by both measurement kinds; the subject columns differ.
constexpr const char* kNetworkRowsSql =
    "SELECT m.id, t.name, t.backend, n.name, n.source, n.encoding, n.family, n.hash, n.macs, n.params, "
    "m.median_ms, m.mean_ms, m.std_ms, m.cv, m.min_ms, m.samples_json, m.unstable, m.remeasures, "
    "coalesce(c.key, ''), coalesce(m.item_key, ''), coalesce(pj.text, m.protocol_json), "
    "coalesce(ej.text, m.environment_json), m.created "
    "FROM network_measurements m JOIN targets t ON t.id = m.target_id JOIN networks n ON n.id = m.network_id "
    "LEFT JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN json_texts pj ON pj.id = m.protocol_ref "
    "LEFT JOIN json_texts ej ON ej.id = m.environment_ref WHERE ?1 IS NULL OR m.target_id = ?1 ORDER BY m.id";
constexpr const char* kKernelRowsSql =
    "SELECT m.id, t.name, t.backend, k.type, '', '', '', k.hash, "
    "CASE WHEN json_type(k.features_json, '$.macs') = 'integer' THEN json_extract(k.features_json, '$.macs') END, "
    "CASE WHEN json_type(k.features_json, '$.params') = 'integer' THEN json_extract(k.features_json, '$.params') END, "
    "m.median_ms, m.mean_ms, m.std_ms, m.cv, m.min_ms, m.samples_json, m.unstable, m.remeasures, "
    "coalesce(c.key, ''), coalesce(m.item_key, ''), coalesce(pj.text, m.protocol_json), "
    "coalesce(ej.text, m.environment_json), m.created "
    "FROM kernel_measurements m JOIN targets t ON t.id = m.target_id JOIN kernels k ON k.id = m.kernel_id "
    "LEFT JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN json_texts pj ON pj.id = m.protocol_ref "
    "LEFT JOIN json_texts ej ON ej.id = m.environment_ref WHERE ?1 IS NULL OR m.target_id = ?1 ORDER BY m.id";

}  // namespace

Status Store::for_each_measurement(const std::optional<std::string>& target,
                                   const std::function<Status(const MeasurementRow&)>& visit) const {
  const Db& db = impl_->db;
  Param target_param = nullptr;
  if (target) {
    NNLAT_ASSIGN_OR_RETURN(int64_t id, target_id(*target));
    target_param = id;
  }
  NNLAT_ASSIGN_OR_RETURN(Stmt timings,
                         db.prepare("SELECT position, name, implementation, latency_ms FROM kernel_timings "
                                    "WHERE measurement_id = ? ORDER BY position"));
  for (MeasurementKind kind : {MeasurementKind::kNetwork, MeasurementKind::kKernel}) {
    NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare(kind == MeasurementKind::kNetwork ? kNetworkRowsSql : kKernelRowsSql));
    NNLAT_RETURN_IF_ERROR(stmt.bind({target_param}));
    for (;;) {
      NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      MeasurementRow r;
      r.kind = kind;
      r.id = stmt.column_int64(0);
      r.target = stmt.column_text(1);
      r.backend = stmt.column_text(2);
      r.name = stmt.column_text(3);
      r.source = stmt.column_text(4);
      r.encoding = stmt.column_text(5);
      r.family = stmt.column_text(6);
      r.hash = stmt.column_text(7);
      r.macs = stmt.column_optional_int64(8);
      r.params = stmt.column_optional_int64(9);
      r.median_ms = stmt.column_double(10);
      r.mean_ms = stmt.column_double(11);
      r.std_ms = stmt.column_double(12);
      r.cv = stmt.column_double(13);
      r.min_ms = stmt.column_double(14);
      const auto samples = nlohmann::json::parse(stmt.column_text(15), nullptr, /*allow_exceptions=*/false);
      if (samples.is_discarded() || !samples.is_array()) {
        return db.error(ErrorCode::kParseError, std::string(measurement_kind_name(kind)) + " measurement " +
                                                    std::to_string(r.id) + ": samples_json is not a JSON array");
      }
      for (const auto& v : samples) {
        if (!v.is_number()) {
          return db.error(ErrorCode::kParseError, std::string(measurement_kind_name(kind)) + " measurement " +
                                                      std::to_string(r.id) + ": a sample is not a number");
        }
        r.samples_ms.push_back(v.get<double>());
      }
      r.unstable = stmt.column_int64(16) != 0;
      r.remeasures = static_cast<int>(stmt.column_int64(17));
      r.campaign_key = stmt.column_text(18);
      r.item_key = stmt.column_text(19);
      r.protocol_json = stmt.column_text(20);
      r.environment_json = stmt.column_text(21);
      r.created = stmt.column_text(22);
      if (kind == MeasurementKind::kNetwork) {
        NNLAT_RETURN_IF_ERROR(timings.reset());
        NNLAT_RETURN_IF_ERROR(timings.bind({r.id}));
        for (;;) {
          NNLAT_ASSIGN_OR_RETURN(bool t, timings.step());
          if (!t) break;
          r.kernel_timings.push_back(kernel_timing_at(timings, 0));
        }
      }
      NNLAT_RETURN_IF_ERROR(visit(r));
    }
  }
  return Status::Ok();
}

Result<std::map<std::string, std::vector<KernelTiming>>> Store::kernel_timings(const std::string& target) const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(int64_t id, target_id(target));
  NNLAT_ASSIGN_OR_RETURN(
      Stmt stmt, db.prepare("SELECT n.hash, t.measurement_id, t.position, t.name, t.implementation, t.latency_ms "
                            "FROM kernel_timings t JOIN network_measurements m ON m.id = t.measurement_id "
                            "JOIN networks n ON n.id = m.network_id WHERE m.target_id = ?1 "
                            "ORDER BY n.id, t.measurement_id, t.position"));
  NNLAT_RETURN_IF_ERROR(stmt.bind({id}));
  std::map<std::string, std::vector<KernelTiming>> out;
  std::map<std::string, int64_t> chosen_measurement;  // the first measurement with a breakdown
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    const std::string hash = stmt.column_text(0);
    const int64_t measurement = stmt.column_int64(1);
    const auto [it, inserted] = chosen_measurement.emplace(hash, measurement);
    if (it->second != measurement) continue;
    out[hash].push_back(kernel_timing_at(stmt, 2));
  }
  return out;
}

Result<std::vector<SubjectLatency>> Store::subject_latencies(const std::string& target, MeasurementKind kind,
                                                             bool correct_drift) const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(int64_t id, target_id(target));
  std::map<int64_t, CampaignDrift> drift;
  if (correct_drift) {
    NNLAT_ASSIGN_OR_RETURN(auto campaigns, campaign_drift(target));
    for (auto& c : campaigns) drift[c.campaign_id] = std::move(c);
  }
  const char* sql = kind == MeasurementKind::kNetwork
                        ? "SELECT n.id, n.hash, n.name, n.source, n.encoding, n.family, n.graph_json, m.median_ms, "
                          "m.cv, m.unstable, m.campaign_id, m.item_key, n.space FROM network_measurements m "
                          "JOIN networks n ON n.id = m.network_id "
                          "WHERE m.target_id = ?1 AND (m.item_key IS NULL OR m.item_key NOT LIKE 'ref:%') "
                          "ORDER BY n.id, m.id"
                        : "SELECT k.id, k.hash, k.type, '', '', '', k.graph_json, m.median_ms, m.cv, m.unstable, "
                          "m.campaign_id, m.item_key, '' "
                          "FROM kernel_measurements m JOIN kernels k ON k.id = m.kernel_id "
                          "WHERE m.target_id = ?1 ORDER BY k.id, m.id";
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare(sql));
  NNLAT_RETURN_IF_ERROR(stmt.bind({id}));
  std::vector<SubjectLatency> out;
  // Per subject, the measurements grouped by campaign in order of first appearance: a
  // campaign's rounds (and reference re-measurements) are one figure, their median. A
  // measurement outside any campaign is a group of its own.
  std::vector<std::vector<std::vector<double>>> groups;
  std::map<int64_t, size_t> group_of_campaign;
  int64_t current = -1;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    const int64_t subject = stmt.column_int64(0);
    if (subject != current) {
      current = subject;
      SubjectLatency s;
      s.kind = kind;
      s.hash = stmt.column_text(1);
      s.name = stmt.column_text(2);
      s.source = stmt.column_text(3);
      s.encoding = stmt.column_text(4);
      s.family = stmt.column_text(5);
      s.graph_json = stmt.column_text(6);
      s.space = stmt.column_text(12);
      s.unstable = true;
      out.push_back(std::move(s));
      groups.emplace_back();
      group_of_campaign.clear();
    }
    SubjectLatency& s = out.back();
    auto& subject_groups = groups.back();
    size_t group = subject_groups.size();
    double factor = 1;
    if (const auto campaign = stmt.column_optional_int64(10)) {
      group = group_of_campaign.emplace(*campaign, subject_groups.size()).first->second;
      if (const auto it = drift.find(*campaign); it != drift.end()) {
        factor = it->second.factor;
        const int round = round_of_item_key(stmt.column_text(11));
        if (round >= 0 && static_cast<size_t>(round) < it->second.round_factors.size()) {
          factor *= it->second.round_factors[static_cast<size_t>(round)];
        }
      }
    }
    if (group == subject_groups.size()) subject_groups.emplace_back();
    subject_groups[group].push_back(stmt.column_double(7) / factor);
    s.cv = std::max(s.cv, stmt.column_double(8));
    s.unstable = s.unstable && stmt.column_int64(9) != 0;
    ++s.measurements;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    for (auto& g : groups[i]) out[i].medians_ms.push_back(measure::median_of(std::move(g)));
    out[i].median_ms = measure::median_of(out[i].medians_ms);
  }
  return out;
}

Status Store::transaction(const std::function<Status()>& work) {
  const Db& db = impl_->db;
  if (sqlite3_get_autocommit(db.handle()) == 0) {
    return db.error(ErrorCode::kInternal, "Store::transaction: a transaction is already open");
  }
  NNLAT_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  NNLAT_RETURN_IF_ERROR(work());
  return tx.commit();
}

Status Store::check_integrity() const {
  const Db& db = impl_->db;
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, db.prepare("PRAGMA integrity_check"));
  std::string problems;
  for (;;) {
    NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    const std::string line = stmt.column_text(0);
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  NNLAT_ASSIGN_OR_RETURN(Stmt fk, db.prepare("PRAGMA foreign_key_check"));
  NNLAT_ASSIGN_OR_RETURN(bool fk_row, fk.step());
  if (fk_row) {
    if (!problems.empty()) problems += "; ";
    problems += "foreign key violation in table " + fk.column_text(0);
  }
  if (!problems.empty()) return db.error(ErrorCode::kParseError, "integrity check failed: " + problems);
  return Status::Ok();
}

}  // namespace nnlat::store
