// nnlat.Store: a measurement store opened read-side from Python, its measurements and
// kernel timings as records (lists of dicts; nnlat.frame() turns them into a DataFrame).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <sstream>

#include "errors.hpp"
#include "json_convert.hpp"
#include "nnlat/app/db.hpp"
#include "nnlat/store/export.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::python {
namespace py = pybind11;

namespace {

struct StoreHandle {
  std::shared_ptr<store::Store> store;
};

StoreHandle open(const std::string& path) {
  auto opened = store::Store::open(path);
  return StoreHandle{std::make_shared<store::Store>(unwrap(std::move(opened)))};
}

// The JSONL export (docs/store.md says what each field means), one dict per measurement.
py::list measurements(const StoreHandle& s, const std::optional<std::string>& target) {
  store::ExportOptions options;
  options.format = store::ExportFormat::kJsonl;
  options.target = target;
  std::ostringstream out;
  {
    py::gil_scoped_release release;
    auto written = store::export_measurements(*s.store, options, out);
    py::gil_scoped_acquire acquire;
    unwrap(std::move(written));
  }
  py::list rows;
  std::istringstream lines(out.str());
  const py::object loads = py::module_::import("json").attr("loads");
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) rows.append(loads(line));
  }
  return rows;
}

py::dict kernel_timings(const StoreHandle& s, const std::string& target) {
  const auto timings = unwrap(s.store->kernel_timings(target));
  py::dict out;
  for (const auto& [hash, rows] : timings) {
    py::list list;
    for (const auto& t : rows) {
      py::dict row;
      row["position"] = t.position;
      row["name"] = t.name;
      row["implementation"] = t.implementation;
      row["latency_ms"] = t.latency_ms;
      list.append(row);
    }
    out[py::str(hash)] = list;
  }
  return out;
}

}  // namespace

void bind_store(py::module_& m) {
  py::class_<StoreHandle>(m, "Store",
                          "A measurement store (SQLite, docs/store.md). Open with Store.open(path); "
                          "profile_networks/profile_kernels write to it by path.")
      .def_static("open", &open, py::arg("path"),
                  "Opens (or creates) the store at path. A file that is not an nnlat store, or of another schema "
                  "version, raises nnlat.ParseError naming it.")
      .def_property_readonly(
          "path", [](const StoreHandle& s) { return s.store->path(); }, "The store's file.")
      .def(
          "stats", [](const StoreHandle& s) { return to_python(unwrap(app::store_stats(s.store->path())).to_json()); },
          "The `nnlat db stats --json` object: counts of targets, networks, kernels and measurements, per target.")
      .def(
          "targets",
          [](const StoreHandle& s) {
            const auto stats = unwrap(s.store->stats());
            std::vector<std::string> names;
            for (const auto& t : stats.per_target) names.push_back(t.target);
            return names;
          },
          "The names of the targets measured in the store (device:config:precision).")
      .def("measurements", &measurements, py::arg("target") = std::nullopt,
           "Every measurement (networks, then kernels), one dict each as `nnlat export --format jsonl` writes it: "
           "kind, target, name, family, macs, params, median_ms, samples_ms, cv, unstable, protocol, environment, "
           "kernel_timings, ... Only `target`'s when given (nnlat.NotFoundError if it has none).")
      .def("kernel_timings", &kernel_timings, py::arg("target"),
           "The per-kernel breakdowns of target's network measurements: network hash -> list of {position, name, "
           "implementation, latency_ms}.")
      .def(
          "latency_table",
          [](const StoreHandle& s) { return to_python(unwrap(app::latency_table(s.store->path())).to_json()); },
          "The `nnlat db table --json` object: networks x targets, median latency of the latest measurement.")
      .def("__repr__", [](const StoreHandle& s) { return "<nnlat.Store " + s.store->path() + ">"; });
}

}  // namespace nnlat::python
