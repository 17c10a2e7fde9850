#include "cli_common.hpp"

#include <fmt/core.h>

namespace nnlat::cli {

int report(const Error& error) {
  fmt::print(stderr, "nnlat: error: {}\n", error.message);
  return error.code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
}

}  // namespace nnlat::cli
