#include "errors.hpp"

#include <array>

namespace nnlat::python {
namespace py = pybind11;
namespace {

struct ErrorClass {
  ErrorCode code;
  const char* name;
  PyObject* builtin;  // the built-in it also derives from; nullptr: only nnlat.Error
  const char* doc;
};

// Owned by the module (added as attributes), so alive as long as it is.
PyObject* base_class = nullptr;
std::array<PyObject*, 8> classes{};

}  // namespace

void bind_errors(py::module_& m) {
  base_class =
      PyErr_NewExceptionWithDoc("nnlat.Error", "Every error nnlat raises; `code` names its kind.", nullptr, nullptr);
  m.add_object("Error", py::handle(base_class));
  const std::array<ErrorClass, 8> table{{
      {ErrorCode::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError,
       "A bad argument: an option out of bounds, a malformed model reference."},
      {ErrorCode::kParseError, "ParseError", PyExc_ValueError,
       "A malformed file or text: truncated, wrong magic, bad syntax (the message names the file)."},
      {ErrorCode::kUnsupported, "UnsupportedError", nullptr,
       "Well-formed input nnlat cannot handle: an unknown op, a backend without a kernel."},
      {ErrorCode::kShapeError, "ShapeError", PyExc_ValueError, "Shapes that do not agree."},
      {ErrorCode::kGraphError, "GraphError", PyExc_ValueError,
       "A structural problem of a graph: a cycle, a dangling value, a duplicate name."},
      {ErrorCode::kIoError, "IoError", PyExc_OSError, "A file that cannot be read or written."},
      {ErrorCode::kNotFound, "NotFoundError", PyExc_LookupError,
       "Something named that does not exist: a zoo model, a target, a device, a file."},
      {ErrorCode::kInternal, "InternalError", PyExc_RuntimeError, "A bug in nnlat: please report it."},
  }};
  for (const auto& c : table) {
    py::object bases = c.builtin ? py::object(py::make_tuple(py::handle(base_class), py::handle(c.builtin)))
                                 : py::object(py::reinterpret_borrow<py::object>(base_class));
    const std::string qualified = std::string("nnlat.") + c.name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), c.doc, bases.ptr(), nullptr);
    if (cls == nullptr) throw py::error_already_set();
    py::setattr(py::handle(cls), "code", py::str(error_code_name(c.code)));
    classes[static_cast<size_t>(c.code)] = cls;
    m.add_object(c.name, py::handle(cls));
  }
}

void raise(const Error& error) {
  PyObject* cls = classes[static_cast<size_t>(error.code)];
  PyErr_SetString(cls ? cls : base_class, error.message.c_str());
  throw py::error_already_set();
}

}  // namespace nnlat::python
