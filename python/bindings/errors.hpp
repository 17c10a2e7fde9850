// nnlat's errors as Python exceptions: one class per ErrorCode under a common `nnlat.Error`,
// each also deriving from the built-in a Python user would catch (ValueError for bad input,
// OSError for files, LookupError for unknown names), carrying the message the CLI prints.
#pragma once

#include <pybind11/pybind11.h>

#include <utility>

#include "nnlat/core/status.hpp"

namespace nnlat::python {

// Creates the exception classes in `module` (once, at import).
void bind_errors(pybind11::module_& module);

// Raises the Python exception for `error` (throws pybind11::error_already_set).
[[noreturn]] void raise(const Error& error);

inline void check(const Status& status) {
  if (!status.ok()) raise(status.error());
}

template <class T>
T unwrap(Result<T> result) {
  if (!result.ok()) raise(result.error());
  return std::move(*result);
}

}  // namespace nnlat::python
