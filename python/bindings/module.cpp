// The `nnlat._nnlat` extension: the Python face of the library calls the CLI makes
// (DESIGN.md principle 14). python/nnlat/__init__.py adds what is easier said in Python
// (DataFrames, PyTorch export).
#include <pybind11/pybind11.h>

#include "errors.hpp"
#include "model.hpp"

namespace nnlat::python {
void bind_predictor(pybind11::module_& module);
void bind_store(pybind11::module_& module);
void bind_commands(pybind11::module_& module);
void bind_ready(pybind11::module_& module);
}  // namespace nnlat::python

PYBIND11_MODULE(_nnlat, m) {
  m.doc() = "nnlat's C++ core; use the `nnlat` package, which re-exports it.";
  nnlat::python::bind_errors(m);
  nnlat::python::bind_models(m);
  nnlat::python::bind_predictor(m);
  nnlat::python::bind_store(m);
  nnlat::python::bind_commands(m);
  nnlat::python::bind_ready(m);
}
