// nnlat.Predictor: a trained predictor file, predicting batches of models (references,
// nnlat.Model objects) on worker threads with the GIL released, NAS encodings through the
// memoised fast path (predictors/encoding_predictor.hpp), and the per-kernel breakdown of one
// model.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <thread>
#include <variant>

#include "errors.hpp"
#include "model.hpp"
#include "nnlat/app/ready_predictors.hpp"
#include "nnlat/ir/attention.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/predictors/encoding_predictor.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::python {
namespace py = pybind11;

namespace {

// One predictor file, loaded.
struct PredictorFile {
  std::shared_ptr<const predictors::LatencyPredictor> model;
  std::shared_ptr<const fusion::RuleSet> rules;
  std::string path;
};

struct Predictor {
  std::shared_ptr<const predictors::LatencyPredictor> model;
  std::shared_ptr<const fusion::RuleSet> rules;
  std::string path;
  // A ready core set's CNN-only model (recipe 4, docs/ready-predictors.md): networks without
  // attention (ir::has_attention) are predicted by it, the others by `model`. Empty elsewhere.
  std::optional<PredictorFile> without_attention;
  // The encoding fast path per space, made on first use and kept, so that its memos (plans
  // of encodings, kernel estimates) serve every later call. Touched with the GIL held.
  std::shared_ptr<std::map<std::string, std::shared_ptr<const predictors::EncodingPredictor>>> encoding_paths =
      std::make_shared<std::map<std::string, std::shared_ptr<const predictors::EncodingPredictor>>>();
};

PredictorFile load_file(const std::string& path) {
  PredictorFile f;
  auto loaded = predictors::LatencyPredictor::load(path);
  f.model = std::make_shared<const predictors::LatencyPredictor>(unwrap(std::move(loaded)));
  f.rules = std::make_shared<const fusion::RuleSet>(unwrap(f.model->rule_set()));
  f.path = path;
  return f;
}

Predictor load(const std::string& path) {
  auto f = load_file(path);
  Predictor p;
  p.model = std::move(f.model);
  p.rules = std::move(f.rules);
  p.path = std::move(f.path);
  return p;
}

// A ready target's predictor: its main file, and its CNN-only companion where it has one.
Predictor load_ready(const std::string& target) {
  Result<app::ReadyPredictorPaths> paths = make_error(ErrorCode::kInternal, "not run");
  {
    py::gil_scoped_release release;  // the first use trains: seconds to minutes
    paths = app::ready_predictor_paths(target);
  }
  const auto files = unwrap(std::move(paths));
  Predictor p = load(files.with_attention);
  if (files.routes()) p.without_attention = load_file(files.without_attention);
  return p;
}

// The model and rules that predict `graph`, and the cache of their kernel estimates.
struct Route {
  const predictors::LatencyPredictor& model;
  const fusion::RuleSet& rules;
  predictors::PredictionCache& cache;
};

// The caches of one worker: one per file, since the same kernel has another estimate in each.
struct RouteCaches {
  predictors::PredictionCache main;
  predictors::PredictionCache without_attention;
};

Route route(const Predictor& p, const ir::Graph& graph, RouteCaches& caches) {
  if (p.without_attention && !ir::has_attention(graph)) {
    return {*p.without_attention->model, *p.without_attention->rules, caches.without_attention};
  }
  return {*p.model, *p.rules, caches.main};
}

// The model the NAS encoding spaces use: every space is a CNN without attention.
const std::shared_ptr<const predictors::LatencyPredictor>& encoding_model(const Predictor& p) {
  return p.without_attention ? p.without_attention->model : p.model;
}

// One item of a batch: a reference to load, or a graph already loaded.
using Item = std::variant<std::string, std::shared_ptr<const ir::Graph>>;

std::vector<Item> items_of(const py::handle& models) {
  std::vector<Item> items;
  auto add = [&](const py::handle& x) {
    if (py::isinstance<py::str>(x)) {
      items.emplace_back(x.cast<std::string>());
    } else if (py::isinstance<Model>(x)) {
      items.emplace_back(x.cast<const Model&>().graph);
    } else {
      raise(make_error(ErrorCode::kInvalidArgument, "models must be references (str) or nnlat.Model objects, not " +
                                                        std::string(py::str(py::type::handle_of(x).attr("__name__")))));
    }
  };
  if (py::isinstance<py::str>(models) || py::isinstance<Model>(models)) {
    add(models);
  } else {
    for (const auto& x : py::iter(models)) add(x);
  }
  return items;
}

std::string describe(const Item& item) {
  if (const auto* ref = std::get_if<std::string>(&item)) return *ref;
  return std::get<std::shared_ptr<const ir::Graph>>(item)->name;
}

Result<predictors::NetworkPrediction> predict_item(const Predictor& p, const Item& item, RouteCaches& caches) {
  std::optional<ir::Graph> loaded;
  const ir::Graph* graph = nullptr;
  if (const auto* ref = std::get_if<std::string>(&item)) {
    NNLAT_ASSIGN_OR_RETURN(loaded, models::load_model(*ref));
    graph = &*loaded;
  } else {
    graph = std::get<std::shared_ptr<const ir::Graph>>(item).get();
  }
  const Route use = route(p, *graph, caches);
  const bool hashes = use.model.needs_hashes();
  NNLAT_ASSIGN_OR_RETURN(
      auto network, predictors::decompose(*graph, use.rules, use.model.context(), hashes, /*with_kernels=*/hashes));
  auto prediction = use.model.predict(network, /*with_breakdown=*/false, &use.cache);
  NNLAT_RETURN_IF_ERROR(predictors::require_finite(prediction, ""));  // the caller names the item
  return prediction;
}

// Predicts every item on `threads` workers (0: one per core); the first failing item by
// index is raised, naming it.
std::vector<predictors::NetworkPrediction> predict_all(const Predictor& p, const std::vector<Item>& items,
                                                       int threads) {
  if (threads < 0) raise(make_error(ErrorCode::kInvalidArgument, "threads must be >= 0 (0: one per core)"));
  std::vector<predictors::NetworkPrediction> out(items.size());
  std::optional<std::pair<size_t, Error>> failure;
  {
    py::gil_scoped_release release;
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const size_t workers = std::min<size_t>(threads == 0 ? cores : static_cast<size_t>(threads), items.size());
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex failure_lock;
    constexpr size_t kChunk = 64;  // items a worker takes at once: few atomics, even load
    auto work = [&] {
      RouteCaches caches;
      while (!stop.load(std::memory_order_relaxed)) {
        const size_t begin = next.fetch_add(kChunk);
        if (begin >= items.size()) return;
        for (size_t i = begin; i < std::min(begin + kChunk, items.size()); ++i) {
          auto r = predict_item(p, items[i], caches);
          if (r.ok()) {
            out[i] = std::move(*r);
            continue;
          }
          const std::lock_guard lock(failure_lock);
          if (!failure || i < failure->first) failure.emplace(i, r.error());
          stop = true;
          return;
        }
      }
    };
    if (workers <= 1) {
      work();
    } else {
      std::vector<std::thread> pool;
      for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
      for (auto& t : pool) t.join();
    }
  }
  if (failure) {
    raise(failure->second.with_context("model " + std::to_string(failure->first) + " (" +
                                       describe(items[failure->first]) + ")"));
  }
  return out;
}

py::object as_arrays(const std::vector<predictors::NetworkPrediction>& predictions, bool intervals) {
  const auto n = static_cast<py::ssize_t>(predictions.size());
  py::array_t<double> ms(n), low(n), high(n);
  auto m = ms.mutable_unchecked<1>(), l = low.mutable_unchecked<1>(), h = high.mutable_unchecked<1>();
  for (py::ssize_t i = 0; i < n; ++i) {
    m(i) = predictions[static_cast<size_t>(i)].latency_ms;
    l(i) = predictions[static_cast<size_t>(i)].low_ms;
    h(i) = predictions[static_cast<size_t>(i)].high_ms;
  }
  if (!intervals) return ms;
  return py::make_tuple(ms, low, high);
}

const predictors::EncodingPredictor& encoding_path(const Predictor& p, const std::string& space) {
  auto& paths = *p.encoding_paths;
  auto it = paths.find(space);
  if (it == paths.end()) {
    const auto& model = encoding_model(p);
    auto made = unwrap(predictors::EncodingPredictor::create(*model, space));
    // The EncodingPredictor points at the LatencyPredictor: keep it alive with it.
    auto keep = model;
    auto shared = std::shared_ptr<const predictors::EncodingPredictor>(
        new predictors::EncodingPredictor(std::move(made)),
        [keep](const predictors::EncodingPredictor* e) { delete e; });
    it = paths.emplace(space, std::move(shared)).first;
  }
  return *it->second;
}

// An NB101 cell given as (adjacency, ops): the JSON spec the nb101 space reads.
std::string nb101_spec(const py::handle& pair) {
  const py::sequence items = py::reinterpret_borrow<py::sequence>(pair);
  if (items.size() != 2) {
    raise(make_error(ErrorCode::kInvalidArgument,
                     "an NB101 cell is (adjacency, ops), got " + std::to_string(items.size()) + " items"));
  }
  nlohmann::json spec;
  spec["matrix"] = nlohmann::json::array();
  for (const auto& row : py::iter(items[0])) {
    nlohmann::json r = nlohmann::json::array();
    for (const auto& x : py::iter(row)) r.push_back(x.cast<int>());
    spec["matrix"].push_back(std::move(r));
  }
  spec["ops"] = items[1].cast<std::vector<std::string>>();
  return spec.dump();
}

// The encodings of a call, viewed without copies: str items in their own UTF-8 buffers (the
// objects are kept referenced while the GIL is released, whatever the caller does to its list
// meanwhile), NB101 (adjacency, ops) pairs as JSON specs owned here.
struct EncodingViews {
  std::vector<py::object> held;   // the str objects the views point into
  std::deque<std::string> specs;  // NB101 pairs made into specs (a deque: views stay valid)
  std::vector<std::string_view> views;
};

EncodingViews encodings_of(const py::handle& encodings, const std::string& space) {
  if (py::isinstance<py::str>(encodings)) {
    raise(make_error(ErrorCode::kInvalidArgument, "encodings must be a sequence of encodings, not one str"));
  }
  EncodingViews out;
  if (py::hasattr(encodings, "__len__")) {
    out.held.reserve(py::len(encodings));
    out.views.reserve(py::len(encodings));
  }
  for (const auto& e : py::iter(encodings)) {
    if (py::isinstance<py::str>(e)) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(e.ptr(), &size);
      if (!utf8) throw py::error_already_set();
      out.held.push_back(py::reinterpret_borrow<py::object>(e));
      out.views.emplace_back(utf8, static_cast<size_t>(size));
    } else if (space == "nb101" && py::isinstance<py::sequence>(e)) {
      out.views.emplace_back(out.specs.emplace_back(nb101_spec(e)));
    } else {
      raise(make_error(ErrorCode::kInvalidArgument,
                       "encoding " + std::to_string(out.views.size()) + " must be a str" +
                           (space == "nb101" ? std::string(" or an (adjacency, ops) pair") : std::string()) + ", not " +
                           std::string(py::str(py::type::handle_of(e).attr("__name__")))));
    }
  }
  return out;
}

py::object predict_encodings(const Predictor& p, const py::handle& encodings, const std::string& space, bool intervals,
                             int threads) {
  const auto& fast = encoding_path(p, space);
  const auto items = encodings_of(encodings, space);
  Status status;
  if (!intervals) {  // straight into the array NumPy returns
    py::array_t<double> ms(static_cast<py::ssize_t>(items.views.size()));
    const std::span<double> out(ms.mutable_data(), items.views.size());
    {
      py::gil_scoped_release release;
      status = fast.predict_batch(std::span<const std::string_view>(items.views), out, threads);
    }
    if (!status.ok()) raise(status.error());
    return ms;
  }
  std::vector<predictors::NetworkPrediction> out(items.views.size());
  {
    py::gil_scoped_release release;
    status = fast.predict_batch(std::span<const std::string_view>(items.views), out, threads);
  }
  if (!status.ok()) raise(status.error());
  return as_arrays(out, intervals);
}

py::list breakdown_rows(const Predictor& p, const py::handle& model) {
  auto items = items_of(model);
  if (items.size() != 1) raise(make_error(ErrorCode::kInvalidArgument, "breakdown takes one model"));
  ir::Graph graph;
  if (const auto* ref = std::get_if<std::string>(&items[0])) {
    graph = unwrap(models::load_model(*ref));
  } else {
    graph = *std::get<std::shared_ptr<const ir::Graph>>(items[0]);
  }
  RouteCaches caches;
  const auto prediction = unwrap(route(p, graph, caches).model.predict(graph));
  py::list rows;
  for (const auto& k : prediction.kernels) {
    py::dict row;
    row["kernel"] = k.name;
    row["type"] = k.type;
    row["family"] = k.family;
    row["latency_ms"] = k.latency_ms;
    row["share"] = prediction.kernel_sum_ms > 0 ? k.latency_ms / prediction.kernel_sum_ms : 0.0;
    row["extrapolated"] = k.extrapolated;
    rows.append(row);
  }
  return rows;
}

}  // namespace

void bind_predictor(py::module_& m) {
  py::class_<Predictor>(m, "Predictor",
                        "A trained latency predictor (a file written by `nnlat train` or `nnlat.train`). "
                        "Load with Predictor.load(path) or nnlat.load_predictor(path_or_target).")
      .def_static("load", &load, py::arg("path"),
                  "Loads a predictor file. A file of another format version or feature schema is refused with a "
                  "message saying how to rebuild it (nnlat.ParseError).")
      .def_static("_load_ready", &load_ready, py::arg("target"))
      .def_property_readonly(
          "path", [](const Predictor& p) { return p.path; }, "The file it was loaded from.")
      .def_property_readonly(
          "cnn_path",
          [](const Predictor& p) -> std::optional<std::string> {
            if (!p.without_attention) return std::nullopt;
            return p.without_attention->path;
          },
          "A ready CPU core set's CNN-only model file (nnlat.load_predictor(target) loads it beside the main file "
          "and routes each network without attention to it, as `nnlat predict --target` does); None elsewhere.")
      .def_property_readonly(
          "method", [](const Predictor& p) { return std::string(predictors::method_name(p.model->method())); },
          "The method: opwise-gbdt, lut, flops, e2e-gbdt, ...")
      .def_property_readonly(
          "target", [](const Predictor& p) { return p.model->target(); }, "The target it predicts for.")
      .def_property_readonly(
          "rules", [](const Predictor& p) { return p.model->rules(); }, "The fusion rule set that defines kernels.")
      .def(
          "predict",
          [](const Predictor& p, const py::handle& models, bool intervals, int threads) {
            const auto items = items_of(models);
            return as_arrays(predict_all(p, items, threads), intervals);
          },
          py::arg("models"), py::kw_only(), py::arg("intervals") = false, py::arg("threads") = 1,
          "Predicted latency in milliseconds of each model (a reference str or an nnlat.Model; one or a sequence), "
          "as a NumPy array in the order given. intervals=True returns (ms, low, high): the calibrated prediction "
          "interval. threads: workers (0: one per core); the GIL is released meanwhile. Kernel predictions are "
          "memoised within the call, so repeated kernels cost a lookup. The first model that fails raises, "
          "naming its index.")
      .def("predict_encodings", &predict_encodings, py::arg("encodings"), py::arg("space") = "nb201", py::kw_only(),
           py::arg("intervals") = false, py::arg("threads") = 1,
           "Predicted latency (ms) of NAS encodings, as a NumPy array in the order given, through the memoised fast "
           "path: each distinct encoding is decomposed once and each distinct kernel predicted once per Predictor "
           "and space (the memos last as long as this object), so a NAS loop pays a lookup for what it saw before. "
           "Same figures as predict() on the built networks, bit for bit.\n\n"
           "space 'nb201': cell strings ('|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|'); 'nb101': "
           "(adjacency, ops) pairs (a 0/1 upper-triangular matrix as nested lists or an array, op names as in "
           "NAS-Bench-101: 'input', 'conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3', 'output') or str "
           "('ops=in,c3,...,out;adj=0110,...'); 'mbv2': 16 layer tokens joined by '-' ('k3e6-skip-k5e3se-...'). "
           "intervals=True returns (ms, low, high). threads: workers (0: one per core); the GIL is released "
           "meanwhile. A malformed encoding raises nnlat.InvalidArgumentError naming its index ('encoding 12: ...').")
      .def("_breakdown", &breakdown_rows, py::arg("model"))
      .def("__repr__", [](const Predictor& p) {
        return "<nnlat.Predictor " + std::string(predictors::method_name(p.model->method())) + " for " +
               p.model->target() + " from " + p.path +
               (p.without_attention ? " (networks without attention: " + p.without_attention->path + ")" : "") + ">";
      });
}

}  // namespace nnlat::python
