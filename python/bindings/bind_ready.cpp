// The ready phone predictors (app/ready_predictors.hpp) from Python: the listing, and the
// cached file of a target, built on first use (nnlat.load_predictor("pixel4:gpu:float")).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "errors.hpp"
#include "json_convert.hpp"
#include "nnlat/app/ready_predictors.hpp"

namespace nnlat::python {
namespace py = pybind11;

void bind_ready(py::module_& m) {
  m.def(
      "ready_predictors",
      [] {
        py::list out;
        for (const auto& p : unwrap(app::list_ready_predictors())) out.append(to_python(p.to_json()));
        return out;
      },
      "The ready phone targets nnlat ships (`nnlat predictors --json`): one dict per target with its method, "
      "training networks, 5-fold CV MAPE and within-10% share (once built) and the cached file.");
  m.def(
      "ready_predictor_path",
      [](const std::string& target) {
        Result<std::string> path = make_error(ErrorCode::kInternal, "not run");
        {
          py::gil_scoped_release release;  // the first use trains: seconds to minutes
          path = app::ready_predictor_path(target);
        }
        return unwrap(std::move(path));
      },
      py::arg("target"),
      "The cached predictor file of a ready target such as 'pixel4:gpu:float', trained from the shipped phone "
      "data on first use (nnlat.NotFoundError naming the known targets for another name).");
}

}  // namespace nnlat::python
