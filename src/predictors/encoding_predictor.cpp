#include "nnlat/predictors/encoding_predictor.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "nnlat/core/append_arena.hpp"
#include "nnlat/core/flat_hash_map.hpp"
#include "nnlat/fusion/chain_matcher.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/skeleton.hpp"
#include "nnlat/models/nas.hpp"
#include "predictors/kernel_sum.hpp"

namespace nnlat::predictors {
namespace {

// One distinct kernel: its features and, for kernel-wise methods, its estimate. Immutable
// once in the table, and never moved (node-based map), so plans point at it without a lock.
struct KernelEntry {
  features::KernelFeatures features;
  KernelEstimate estimate;
};

// An encoding's network as the kernels it runs, in execution order.
struct Plan {
  std::vector<const KernelEntry*> kernels;
};
// A memoised plan's kernels: a view into EncodingPredictor::Impl::plan_kernels (which never
// moves them until clear_cache), or into a worker's scratch for a plan past the memo's bound.
using PlanView = std::span<const KernelEntry* const>;

// Heterogeneous lookup: an encoding given as a string_view finds its plan without a copy.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Skeleton kernel keys are hashes already (FlatHashMap spreads them once more).
struct KeyHash {
  size_t operator()(uint64_t key) const { return static_cast<size_t>(key); }
};

// NB201 has 15,625 architectures; NB101 and mbv2 have far more than a process sees. Past this
// many kernel pointers in all plans (32 MiB; NB201's whole space takes under 3.6M, at most 228
// kernels a network) an encoding's plan is built for its prediction and not kept, so that a
// stream of distinct encodings does not grow memory without bound (the kernel table and mbv2's
// segments stay small: their kernels repeat).
constexpr size_t kMaxPlannedKernels = size_t{1} << 22;

// Encodings a worker takes at once: few atomic operations, an even load.
constexpr size_t kChunk = 64;

uint64_t mix_key(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

// The kernels of an op skeleton, in execution order: each kernel's key (the skeleton keys of
// its ops, kind, attributes and operand shapes, in chain order, and the operand slot through
// which each absorbed op reads the chain; equal keys: equal kernels, wherever they run), and
// per node the anchor of the kernel that runs it.
struct SkeletonKernels {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> anchors;  // per kernel: its first node
  std::vector<uint32_t> lasts;    // per kernel: its last node (chains run forward)
  std::vector<uint32_t> owner;    // per node: its kernel's anchor (itself when elided)
};

void skeleton_kernels(const ir::OpSkeleton& skeleton, const fusion::RuleIndex& rules, SkeletonKernels& out) {
  out.keys.clear();
  out.anchors.clear();
  out.lasts.clear();
  out.owner.resize(skeleton.nodes.size());
  for (uint32_t n = 0; n < out.owner.size(); ++n) out.owner[n] = n;
  fusion::for_each_kernel(skeleton, rules, [&](std::span<const ir::NodeId> nodes) {
    uint64_t key = mix_key(0xcbf29ce484222325ull, nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const auto& node = skeleton.nodes[nodes[i].index];
      out.owner[nodes[i].index] = nodes.front().index;
      key = mix_key(key, node.key);
      if (i == 0) continue;
      const ir::ValueId chained = skeleton.nodes[nodes[i - 1].index].output;
      for (uint32_t slot = 0; slot < node.input_count; ++slot) {
        if (skeleton.node_inputs[node.first_input + slot] == chained) key = mix_key(key, slot);
      }
    }
    out.keys.push_back(key);
    out.anchors.push_back(nodes.front().index);
    out.lasts.push_back(nodes.back().index);
  });
}

// The whole network's kernels from an abridged skeleton's (ir::OpSkeleton::repeats), as
// indices into them in execution order; false where the repeated cells cannot be shown to run the same kernels,
// and the caller builds the whole skeleton. Per block of three built cells c1, c2, c3: no
// kernel reaches more than one cell border (from before c1, from c1, c2 or c3), and c3 starts
// in c2's state (the same of its ops already run by kernels of the cell before, anchored at
// the same offsets). Then every middle cell of the whole network starts in that state and
// runs c2's kernels, and its last cell runs c3's: c2's kernels stand for full_cells - 2 cells.
bool expand_repeats(const ir::OpSkeleton& skeleton, const SkeletonKernels& k, std::vector<uint32_t>& order) {
  order.clear();
  size_t next = 0;  // the first kernel not yet written
  for (const auto& r : skeleton.repeats) {
    const uint32_t n = r.cell_nodes;
    const uint32_t c1 = r.first_node, c2 = c1 + n, c3 = c2 + n, end = c3 + n;
    if (n == 0) continue;  // the cell runs no op (its output is its input): nothing repeats
    static_assert(ir::OpSkeleton::kAbridgedCells == 3, "c1, c2, c3 below are the abridged cells");
    if (end > skeleton.nodes.size() || r.full_cells < 3) return false;
    for (size_t i = next; i < k.anchors.size() && k.anchors[i] < end; ++i) {
      const uint32_t a = k.anchors[i];
      const uint32_t cell_end = a < c1 ? c1 : c1 + ((a - c1) / n + 1) * n;
      if (k.lasts[i] >= cell_end + n) return false;  // crosses two borders
    }
    for (uint32_t o = 0; o < n; ++o) {
      const uint32_t in2 = k.owner[c2 + o], in3 = k.owner[c3 + o];
      const bool entered2 = in2 < c2, entered3 = in3 < c3;
      if (entered2 != entered3 || (entered2 && in2 + n != in3)) return false;
    }
    size_t i = next;
    for (; i < k.anchors.size() && k.anchors[i] < c2; ++i) order.push_back(static_cast<uint32_t>(i));
    const size_t middle_begin = i;
    while (i < k.anchors.size() && k.anchors[i] < c3) ++i;
    for (uint32_t copy = 0; copy + 2 < r.full_cells; ++copy) {
      for (size_t m = middle_begin; m < i; ++m) order.push_back(static_cast<uint32_t>(m));
    }
    next = i;
  }
  for (size_t i = next; i < k.keys.size(); ++i) order.push_back(static_cast<uint32_t>(i));
  return true;
}

}  // namespace

std::vector<std::string> encoding_space_names() { return {"nb201", "nb101", "mbv2"}; }

struct EncodingPredictor::Impl {
  const LatencyPredictor* predictor = nullptr;
  std::string space;
  fusion::RuleSet rules;
  bool kernel_wise = false;
  bool needs_hashes = false;

  // Whether the space's networks are assembled from segment plans (models::space_segments)
  // rather than decomposed whole: spaces with segments, when the check at creation found the
  // spliced kernels equal to the whole network's under these rules.
  bool spliced = false;

  // Whether plans come from op skeletons (models::build_space_skeleton): the fusion matcher
  // runs on the skeleton and its kernels are looked up by key, so a new architecture costs no
  // graph unless it holds a kernel no earlier plan had. Cleared for good (plans then come
  // from graphs, same figures, slower) if a graph ever disagrees with its skeleton.
  bool skeletal = false;
  std::optional<fusion::RuleIndex> rule_index;  // `rules` indexed for the skeleton matcher
  mutable std::atomic<bool> skeleton_disagreed{false};
  mutable std::atomic<size_t> whole_skeletons{0};  // plans whose abridged skeleton could not be expanded

  // Guards the memos below. Kernel entries, segment plans and the arenas' contents never move
  // (until clear_cache), so that a pointer or view read under the lock stays valid after it.
  mutable std::shared_mutex lock;
  mutable std::unordered_map<uint64_t, KernelEntry> kernels;  // feature fingerprint → entry
  // Encoding → its plan. Flat tables of views into the arenas: a cold NB201 prediction
  // memoises a plan per network and looks up its kernels by skeleton key, and node-based maps
  // spent more time allocating and chasing nodes than the rest of the lookup (docs/performance.md).
  mutable FlatHashMap<std::string_view, PlanView, StringHash> plans;
  mutable AppendArena<char> plan_encodings;                       // the keys of `plans`
  mutable AppendArena<const KernelEntry*> plan_kernels{1 << 18};  // the plans' kernels (2 MiB blocks)
  mutable std::unordered_map<std::string, Plan, StringHash, std::equal_to<>> segments;  // key → its kernels
  mutable FlatHashMap<uint64_t, const KernelEntry*, KeyHash> kernels_by_skeleton_key;

  // The kernels of an encoding's network, with their features: the space's builder and the
  // predictor's decomposition, exactly as the generic path runs them.
  Result<NetworkKernels> decompose_encoding(std::string_view encoding, bool with_hashes) const {
    NNLAT_ASSIGN_OR_RETURN(auto graph, models::build_space_graph(space, encoding, {}));
    return decompose(graph, rules, predictor->context(), with_hashes, /*with_kernels=*/false);
  }

  // The features of a segment's kernels, from its standalone graph.
  Result<std::vector<features::KernelFeatures>> decompose_segment(std::string_view key) const {
    NNLAT_ASSIGN_OR_RETURN(auto graph, models::build_segment_graph(space, key));
    NNLAT_ASSIGN_OR_RETURN(auto network, decompose(graph, rules, predictor->context(), false, false));
    return std::move(network.features);
  }

  // Kernels as table entries, in order: entries of kernels seen before, new ones (with their
  // estimates) otherwise. Estimates of new kernels are computed outside the lock (the model
  // evaluation is the slow part); a kernel another thread adds meanwhile keeps its first
  // entry. Returns with `write` holding the lock, for the caller to store what it built.
  Plan intern(const std::vector<features::KernelFeatures>& fs, std::unique_lock<std::shared_mutex>& write) const {
    std::vector<uint64_t> keys(fs.size());
    std::vector<std::optional<KernelEntry>> fresh(fs.size());
    {
      const std::shared_lock read(lock);
      for (size_t i = 0; i < keys.size(); ++i) {
        keys[i] = fs[i].fingerprint();
        if (!kernels.contains(keys[i])) fresh[i] = KernelEntry{fs[i], {}};
      }
    }
    for (auto& entry : fresh) {
      if (entry && kernel_wise) entry->estimate = predictor->estimate_kernel(entry->features);
    }
    write = std::unique_lock(lock);
    Plan plan;
    plan.kernels.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      auto it = kernels.find(keys[i]);
      if (it == kernels.end()) {
        it = kernels.emplace(keys[i], fresh[i] ? std::move(*fresh[i]) : KernelEntry{fs[i], {}}).first;
        if (kernel_wise && !fresh[i]) it->second.estimate = predictor->estimate_kernel(it->second.features);
      }
      plan.kernels.push_back(&it->second);
    }
    return plan;
  }

  Result<const Plan*> segment_plan(const std::string& key) const {
    {
      const std::shared_lock read(lock);
      const auto it = segments.find(key);
      if (it != segments.end()) return &it->second;
    }
    NNLAT_ASSIGN_OR_RETURN(auto fs, decompose_segment(key));
    std::unique_lock<std::shared_mutex> write;
    Plan plan = intern(fs, write);
    return &segments.try_emplace(key, std::move(plan)).first->second;
  }

  // The plan of an encoding from its op skeleton: kernels looked up by skeleton key; at the
  // first sight of a kernel, the network's graph is decomposed once and its kernels (the
  // same matcher over the same ops, so the same order) give the keys their entries. A key
  // already known whose graph kernel differs means the skeleton and the graph disagree:
  // skeletons are then abandoned. Writes the kernels into `out`; returns with `write` holding
  // the lock.
  Status skeleton_plan(std::string_view encoding, std::vector<const KernelEntry*>& out,
                       std::unique_lock<std::shared_mutex>& write) const {
    thread_local ir::OpSkeleton skeleton;
    thread_local SkeletonKernels found;
    thread_local std::vector<uint32_t> order;  // the network's kernels as indices into found's
    thread_local std::vector<const KernelEntry*> entries;
    out.clear();
    NNLAT_RETURN_IF_ERROR(models::build_space_skeleton(space, encoding, skeleton, /*abridged=*/true));
    skeleton_kernels(skeleton, *rule_index, found);
    bool abridged = true;
    if (!expand_repeats(skeleton, found, order)) {  // rare: the whole skeleton, matched as it is
      abridged = false;
      whole_skeletons.fetch_add(1, std::memory_order_relaxed);
      NNLAT_RETURN_IF_ERROR(models::build_space_skeleton(space, encoding, skeleton, /*abridged=*/false));
      skeleton_kernels(skeleton, *rule_index, found);
      order.resize(found.keys.size());
      std::iota(order.begin(), order.end(), 0u);
    }
    // Each kernel of the abridged skeleton is looked up once, however often its cell repeats.
    entries.assign(found.keys.size(), nullptr);
    bool all_known = true;
    {
      const std::shared_lock read(lock);
      for (size_t i = 0; i < found.keys.size() && all_known; ++i) {
        const KernelEntry* const* entry = kernels_by_skeleton_key.find(found.keys[i]);
        if (entry == nullptr)
          all_known = false;
        else
          entries[i] = *entry;
      }
    }
    if (all_known) {
      out.resize(order.size());
      for (size_t i = 0; i < order.size(); ++i) out[i] = entries[order[i]];
      write = std::unique_lock(lock);
      return Status::Ok();
    }
    // First sight of a kernel: the graph the skeleton stands for (the abridged network when
    // the skeleton is), decomposed as the generic path does, gives each key its entry.
    auto graph =
        abridged ? models::build_abridged_space_graph(space, encoding) : models::build_space_graph(space, encoding, {});
    if (!graph.ok()) return graph.error();
    NNLAT_ASSIGN_OR_RETURN(auto network, decompose(*graph, rules, predictor->context(), false, false));
    const Plan built = intern(network.features, write);
    if (built.kernels.size() != found.keys.size()) {
      skeleton_disagreed = true;
      write.unlock();
      NNLAT_ASSIGN_OR_RETURN(auto whole, decompose_encoding(encoding, false));
      out = intern(whole.features, write).kernels;
      return Status::Ok();
    }
    for (size_t i = 0; i < found.keys.size(); ++i) {
      const auto [entry, added] = kernels_by_skeleton_key.try_emplace(found.keys[i], built.kernels[i]);
      if (!added && *entry != built.kernels[i]) skeleton_disagreed = true;
    }
    out.resize(order.size());
    for (size_t i = 0; i < order.size(); ++i) out[i] = built.kernels[order[i]];
    return Status::Ok();
  }

  // The plan of `encoding`: from the memo (unless the caller has just found it missing), or
  // built into `scratch` and memoised (kept in `scratch` when the memo is full).
  Result<PlanView> plan_of(std::string_view encoding, std::vector<const KernelEntry*>& scratch,
                           bool look_up_first = true) const {
    if (look_up_first) {
      const std::shared_lock read(lock);
      if (const PlanView* plan = plans.find(encoding)) return *plan;
    }
    std::unique_lock<std::shared_mutex> write;
    if (spliced) {
      scratch.clear();
      NNLAT_ASSIGN_OR_RETURN(const auto keys, models::space_segments(space, encoding));
      for (const auto& key : keys) {
        NNLAT_ASSIGN_OR_RETURN(const Plan* part, segment_plan(key));
        scratch.insert(scratch.end(), part->kernels.begin(), part->kernels.end());
      }
      write = std::unique_lock(lock);
    } else if (skeletal && !skeleton_disagreed.load(std::memory_order_relaxed)) {
      NNLAT_RETURN_IF_ERROR(skeleton_plan(encoding, scratch, write));
    } else {
      NNLAT_ASSIGN_OR_RETURN(auto network, decompose_encoding(encoding, false));
      scratch = intern(network.features, write).kernels;
    }
    if (plan_kernels.size() + scratch.size() > kMaxPlannedKernels) return PlanView(scratch);
    // Copied before the insertion: when another worker stored this encoding meanwhile, its
    // plan is kept and these copies are left unused in the arenas (rare, and no extra lookup).
    const auto key = plan_encodings.append(encoding);
    const PlanView plan = plan_kernels.append(scratch);
    return *plans.try_emplace(std::string_view(key.data(), key.size()), plan).first;
  }

  // Splicing is sound for these rules if no kernel fuses across a segment border; checked on
  // sampled networks (every kind of segment appears in a few): their spliced kernels must
  // equal their whole decomposition's, feature for feature. Otherwise encodings are
  // decomposed whole (slower, same figures).
  Result<bool> splicing_agrees() const {
    if (!models::space_has_segments(space)) return false;
    NNLAT_ASSIGN_OR_RETURN(const auto probe, models::sample_space(space, 8, 20261205));
    for (const auto& encoding : probe) {
      NNLAT_ASSIGN_OR_RETURN(const auto keys, models::space_segments(space, encoding));
      if (keys.empty()) return false;
      std::vector<uint64_t> spliced_keys;
      for (const auto& key : keys) {
        NNLAT_ASSIGN_OR_RETURN(const auto fs, decompose_segment(key));
        for (const auto& f : fs) spliced_keys.push_back(f.fingerprint());
      }
      NNLAT_ASSIGN_OR_RETURN(const auto whole, decompose_encoding(encoding, false));
      std::vector<uint64_t> whole_keys;
      for (const auto& f : whole.features) whole_keys.push_back(f.fingerprint());
      if (spliced_keys != whole_keys) return false;
    }
    return true;
  }

  // The plan's prediction: kernel-wise methods add the memoised estimates and compose
  // (LatencyPredictor::compose, the code predict runs); other methods predict from the
  // plan's features.
  NetworkPrediction predict_plan(PlanView plan) const {
    if (kernel_wise) {
      NetworkPrediction sums;
      FamilyTotals totals;
      for (const KernelEntry* k : plan) add_kernel(sums, totals, k->features, k->estimate);
      return predictor->compose(std::move(sums), totals);
    }
    NetworkKernels network;
    network.features.reserve(plan.size());
    for (const KernelEntry* k : plan) {
      network.features.push_back(k->features);
      network.macs += k->features.macs;
      network.params += k->features.params;
    }
    return predictor->predict(network, /*with_breakdown=*/false);
  }

  // The memoised plans of a chunk of encodings (empty where there is none yet) under one
  // acquisition of the shared lock: a lock per encoding would have every core write the lock's
  // reader count millions of times a second.
  template <class EncodingAt>
  void find_plans(size_t begin, size_t end, const EncodingAt& encoding_at,
                  std::span<std::optional<PlanView>> found) const {
    const std::shared_lock read(lock);
    for (size_t i = begin; i < end; ++i) {
      const PlanView* plan = plans.find(std::string_view(encoding_at(i)));
      found[i - begin] = plan ? std::optional(*plan) : std::nullopt;
    }
  }

  // Every predict_batch: encodings (strings or views) in, predictions or latencies out.
  template <class Encoding, class Out>
  Status run_batch(std::span<const Encoding> encodings, std::span<Out> out, int threads, size_t* failed_index) const {
    if (failed_index) *failed_index = encodings.size();  // none
    if (threads < 0) return make_error(ErrorCode::kInvalidArgument, "threads must be >= 0 (0: one per core)");
    if (out.size() != encodings.size()) {
      return make_error(ErrorCode::kInvalidArgument, "predict_batch: " + std::to_string(encodings.size()) +
                                                         " encodings but room for " + std::to_string(out.size()));
    }
    auto encoding_at = [&](size_t i) -> std::string_view { return encodings[i]; };
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex failure_lock;
    std::optional<std::pair<size_t, Error>> failure;  // the lowest failing index
    auto work = [&] {
      std::vector<const KernelEntry*> scratch;  // the worker's own: plans are built here
      while (!stop.load(std::memory_order_relaxed)) {
        const size_t begin = next.fetch_add(kChunk);
        if (begin >= encodings.size()) return;
        const size_t end = std::min(begin + kChunk, encodings.size());
        std::array<std::optional<PlanView>, kChunk> found{};
        if (!needs_hashes) find_plans(begin, end, encoding_at, found);
        for (size_t i = begin; i < end; ++i) {
          const std::optional<PlanView>& plan = found[i - begin];
          // A miss was just looked up: the plan is built without looking again.
          auto r = plan ? Result<NetworkPrediction>(predict_plan(*plan))
                        : predict_one(encoding_at(i), scratch, /*look_up_first=*/needs_hashes);
          // The same refusal as predict on a graph: an extrapolating kernel model must give an
          // error naming the encoding, never an infinite or NaN latency in the search's array.
          if (r.ok() && !std::isfinite(r->latency_ms)) r = require_finite(*r, std::string(encoding_at(i))).error();
          if (r.ok()) {
            if constexpr (std::is_same_v<Out, double>) {
              out[i] = r->latency_ms;
            } else {
              out[i] = std::move(*r);
            }
            continue;
          }
          const std::lock_guard guard(failure_lock);
          if (!failure || i < failure->first) failure.emplace(i, r.error());
          stop = true;
          return;
        }
      }
    };
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const size_t workers = std::min<size_t>(threads == 0 ? cores : static_cast<size_t>(threads), encodings.size());
    if (workers <= 1) {
      work();
    } else {
      std::vector<std::thread> pool;
      for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
      for (auto& t : pool) t.join();
    }
    if (!failure) return Status::Ok();
    if (failed_index) *failed_index = failure->first;
    return failure->second.with_context("encoding " + std::to_string(failure->first));
  }

  Result<NetworkPrediction> predict_one(std::string_view encoding, std::vector<const KernelEntry*>& scratch,
                                        bool look_up_first = true) const {
    if (needs_hashes) {  // lut: kernels are looked up by hash, which only the built graph gives
      NNLAT_ASSIGN_OR_RETURN(auto network, decompose_encoding(encoding, true));
      return predictor->predict(network, /*with_breakdown=*/false);
    }
    NNLAT_ASSIGN_OR_RETURN(const PlanView plan, plan_of(encoding, scratch, look_up_first));
    return predict_plan(plan);
  }
};

EncodingPredictor::EncodingPredictor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EncodingPredictor::EncodingPredictor(EncodingPredictor&&) noexcept = default;
EncodingPredictor& EncodingPredictor::operator=(EncodingPredictor&&) noexcept = default;
EncodingPredictor::~EncodingPredictor() = default;

Result<EncodingPredictor> EncodingPredictor::create(const LatencyPredictor& predictor, std::string_view space) {
  const auto spaces = encoding_space_names();
  if (std::find(spaces.begin(), spaces.end(), space) == spaces.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown encoding space '" + std::string(space) + "' (nb201, nb101 or mbv2)");
  }
  auto impl = std::make_unique<Impl>();
  impl->predictor = &predictor;
  impl->space = std::string(space);
  NNLAT_ASSIGN_OR_RETURN(impl->rules, predictor.rule_set());
  impl->kernel_wise = predictor.kernel_wise();
  impl->needs_hashes = predictor.needs_hashes();
  NNLAT_ASSIGN_OR_RETURN(impl->spliced, impl->splicing_agrees());
  impl->skeletal = models::space_has_skeleton(space);
  if (impl->skeletal) impl->rule_index.emplace(impl->rules);
  return EncodingPredictor(std::move(impl));
}

const std::string& EncodingPredictor::space() const { return impl_->space; }
const LatencyPredictor& EncodingPredictor::predictor() const { return *impl_->predictor; }
bool EncodingPredictor::splices_segments() const { return impl_->spliced; }
bool EncodingPredictor::uses_skeletons() const {
  return impl_->skeletal && !impl_->skeleton_disagreed.load(std::memory_order_relaxed);
}

size_t EncodingPredictor::whole_skeletons() const { return impl_->whole_skeletons.load(std::memory_order_relaxed); }

Result<NetworkPrediction> EncodingPredictor::predict(std::string_view encoding) const {
  std::vector<const KernelEntry*> scratch;
  NNLAT_ASSIGN_OR_RETURN(auto prediction, impl_->predict_one(encoding, scratch));
  NNLAT_RETURN_IF_ERROR(require_finite(prediction, std::string(encoding)));
  return prediction;
}

Status EncodingPredictor::predict_batch(std::span<const std::string> encodings, std::span<NetworkPrediction> out,
                                        int threads, size_t* failed_index) const {
  return impl_->run_batch(encodings, out, threads, failed_index);
}
Status EncodingPredictor::predict_batch(std::span<const std::string> encodings, std::span<double> out_ms, int threads,
                                        size_t* failed_index) const {
  return impl_->run_batch(encodings, out_ms, threads, failed_index);
}
Status EncodingPredictor::predict_batch(std::span<const std::string_view> encodings, std::span<NetworkPrediction> out,
                                        int threads, size_t* failed_index) const {
  return impl_->run_batch(encodings, out, threads, failed_index);
}
Status EncodingPredictor::predict_batch(std::span<const std::string_view> encodings, std::span<double> out_ms,
                                        int threads, size_t* failed_index) const {
  return impl_->run_batch(encodings, out_ms, threads, failed_index);
}

size_t EncodingPredictor::cached_kernels() const {
  const std::shared_lock read(impl_->lock);
  return impl_->kernels.size();
}

size_t EncodingPredictor::cached_encodings() const {
  const std::shared_lock read(impl_->lock);
  return impl_->plans.size();
}

void EncodingPredictor::clear_cache() {
  const std::unique_lock write(impl_->lock);
  impl_->plans.clear();
  impl_->plan_encodings.clear();
  impl_->plan_kernels.clear();
  impl_->segments.clear();
  impl_->kernels_by_skeleton_key.clear();
  impl_->kernels.clear();
}

}  // namespace nnlat::predictors
