// A small RFC 4180 CSV reader for the measurement files nnlat imports (phone datasets,
// bring-your-own latency tables). Quoted fields may hold commas, quotes ("") and newlines;
// CRLF and LF line ends are accepted; blank lines are skipped. Errors name the source and
// the line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat {

struct CsvRow {
  size_t line = 0;  // 1-based line number where the row starts (the header is line 1)
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string source;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  // Index of the header column named `name` (exact match), if any.
  std::optional<size_t> column(std::string_view name) const;
};

// Parses `text`; the first non-blank row is the header. A row with another field count than
// the header, an unterminated quote, or text after a closing quote is an error naming
// `source` and the line.
Result<CsvTable> parse_csv(std::string_view text, const std::string& source);

// A numeric field: nullopt for the missing markers "" and "-" (after trimming spaces); an
// error naming `where` for anything else that is not a finite number.
Result<std::optional<double>> parse_csv_number(std::string_view field, const std::string& where);

// `text` cut at every `separator`, without quoting: "a,,b" gives {"a", "", "b"}, "" gives
// {""} (names in option values and headers: `--from A,B`, "pixel4|gpu|float").
std::vector<std::string> split_on(std::string_view text, char separator);

}  // namespace nnlat
