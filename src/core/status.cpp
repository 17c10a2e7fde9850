#include "nnlat/core/status.hpp"

namespace nnlat {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kParseError:
      return "parse error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kShapeError:
      return "shape error";
    case ErrorCode::kGraphError:
      return "graph error";
    case ErrorCode::kIoError:
      return "i/o error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

}  // namespace nnlat
