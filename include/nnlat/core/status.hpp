// One error model for the whole library (DESIGN.md principle 10): expected failures are
// returned as values that name the file, the node and the reason; exceptions never cross
// the public API.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace nnlat {

enum class ErrorCode {
  kInvalidArgument,  // bad user input: a flag, a model reference
  kParseError,       // malformed file: truncated, wrong magic, bad syntax
  kUnsupported,      // well-formed input that nnlat cannot handle (unknown op, ...)
  kShapeError,       // shapes that do not agree
  kGraphError,       // structural problem: cycle, dangling value, duplicate name
  kIoError,          // file system
  kNotFound,         // unknown zoo model, missing device, missing record
  kInternal,
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // Prefixes context ("file.onnx: ", "node conv1: ") so messages read outer to inner.
  Error with_context(const std::string& context) const { return Error{code, context + ": " + message}; }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// A minimal std::expected stand-in (GCC 12 has no <expected>).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return checked(); }
  T& value() & { return checked(); }
  T&& value() && { return std::move(checked()); }
  const T& operator*() const& { return checked(); }
  T& operator*() & { return checked(); }
  const T* operator->() const { return &checked(); }
  T* operator->() { return &checked(); }

  const Error& error() const { return std::get<Error>(data_); }

 private:
  T& checked() {
    if (!ok()) std::abort();  // a programming error: value() on a failed result
    return std::get<T>(data_);
  }
  const T& checked() const {
    if (!ok()) std::abort();
    return std::get<T>(data_);
  }
  std::variant<T, Error> data_;
};

// Result<void>.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace nnlat

#define NNLAT_CONCAT_INNER(a, b) a##b
#define NNLAT_CONCAT(a, b) NNLAT_CONCAT_INNER(a, b)

// Returns the error of a Status or Result expression from the enclosing function.
#define NNLAT_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    auto nnlat_status_ = (expr);                           \
    if (!nnlat_status_.ok()) return nnlat_status_.error(); \
  } while (0)

// `NNLAT_ASSIGN_OR_RETURN(auto x, f());`
#define NNLAT_ASSIGN_OR_RETURN(lhs, expr) NNLAT_ASSIGN_OR_RETURN_IMPL(NNLAT_CONCAT(nnlat_result_, __LINE__), lhs, expr)
#define NNLAT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.error();                \
  lhs = std::move(tmp).value()
