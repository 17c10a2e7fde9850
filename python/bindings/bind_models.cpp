// nnlat.load_model, nnlat.Model and the zoo listing.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "errors.hpp"
#include "json_convert.hpp"
#include "model.hpp"
#include "nnlat/app/info.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::python {
namespace py = pybind11;

namespace {

Model load(const std::string& reference) {
  app::ModelInfo info;
  {
    py::gil_scoped_release release;  // ONNX parsing of a large file takes a while
    auto loaded = app::model_info(reference);
    py::gil_scoped_acquire acquire;
    info = unwrap(std::move(loaded));
  }
  return Model{std::make_shared<const ir::Graph>(std::move(info.graph)), std::move(info.cost), reference};
}

// An ONNX file whose weights may be graph inputs (torch.onnx.export(export_params=False)):
// `activation_inputs` names the real inputs, every other graph input is a weight.
Model load_onnx(const std::string& path, const std::vector<std::string>& activation_inputs) {
  ir::Graph graph;
  {
    py::gil_scoped_release release;
    formats::OnnxImportOptions options;
    options.activation_inputs = activation_inputs;
    auto loaded = formats::import_onnx_file(path, options);
    py::gil_scoped_acquire acquire;
    graph = unwrap(std::move(loaded));
  }
  auto cost = ir::graph_cost(graph);
  return Model{std::make_shared<const ir::Graph>(std::move(graph)), std::move(cost), path};
}

nlohmann::ordered_json info_json(const Model& m) { return app::ModelInfo{*m.graph, m.cost}.to_json(); }

}  // namespace

void bind_models(py::module_& m) {
  py::class_<Model>(m, "Model",
                    "A network loaded into nnlat's IR: its ops with shapes and costs. Made by `load_model` "
                    "(or `from_torch`); immutable.")
      .def_property_readonly(
          "name", [](const Model& x) { return x.graph->name; }, "The network's name.")
      .def_property_readonly(
          "reference", [](const Model& x) { return x.reference; }, "What it was loaded from.")
      .def_property_readonly(
          "macs", [](const Model& x) { return x.cost.total.macs; }, "Multiply-accumulates of one inference.")
      .def_property_readonly(
          "params", [](const Model& x) { return x.cost.total.params; }, "Learnable parameters.")
      .def_property_readonly(
          "num_ops", [](const Model& x) { return x.cost.nodes.size(); }, "Ops in the graph.")
      .def(
          "info", [](const Model& x) { return to_python(info_json(x)); },
          "The `nnlat info --json` object: name, totals (macs, params, bytes), metadata and `ops`, one dict "
          "per op with its shapes and costs.")
      .def(
          "ops", [](const Model& x) { return to_python(info_json(x)["ops"]); },
          "One dict per op, in topological order: name, op, input_shapes, output_shapes, macs, params, bytes.")
      .def(
          "to_json", [](const Model& x) { return formats::graph_to_json(*x.graph); },
          "The graph in nnlat's JSON format (what `nnlat export --format json` writes).")
      .def("__repr__", [](const Model& x) {
        return "<nnlat.Model " + x.graph->name + ": " + std::to_string(x.cost.nodes.size()) + " ops, " +
               std::to_string(x.cost.total.macs) + " MACs, " + std::to_string(x.cost.total.params) + " params>";
      });

  m.def("load_model", &load, py::arg("reference"),
        "Loads a model from anything the CLI accepts: a file (.onnx, .tflite, .json), a zoo reference "
        "(`zoo:mobilenet_v2?width=0.5&res=160`), an NAS-Bench-201 string (`nb201:|nor_conv_3x3~0|+|...|`), an "
        "NB101 spec (`nb101:...`) or a MobileNetV2-space encoding (`space:mbv2:...`). Raises nnlat.ParseError, "
        "nnlat.NotFoundError, ... with the message the CLI prints.");

  m.def("_load_onnx", &load_onnx, py::arg("path"), py::arg("activation_inputs"),
        "An ONNX file in which only `activation_inputs` are activations: every other graph input is a weight "
        "given at run time (torch.onnx.export(..., export_params=False)), read for its shape only.");

  m.def(
      "zoo",
      [] {
        py::list out;
        for (const auto& e : models::zoo_entries()) {
          py::dict d;
          d["name"] = std::string(e.name);
          d["family"] = std::string(e.family);
          d["description"] = std::string(e.description);
          d["resolution"] = e.reference_resolution;
          d["published_mmacs"] = e.published_mmacs;
          d["published_mparams"] = e.published_mparams;
          out.append(d);
        }
        return out;
      },
      "The built-in zoo: one dict per network (name, family, description, reference resolution, published "
      "MMACs and Mparams). Load one with load_model('zoo:NAME').");
}

}  // namespace nnlat::python
