// Whole-file reads and writes with errors that name the file.
#pragma once

#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"

namespace nnlat {

Result<std::string> read_file(const std::string& path);
// Writes to a temporary file in the same directory and renames it over `path`, so a killed
// process never leaves a half-written file behind.
Status write_file_atomic(const std::string& path, std::string_view contents);

}  // namespace nnlat
