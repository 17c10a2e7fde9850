#include "nnlat/core/csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "nnlat/core/utf8.hpp"

namespace nnlat {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<size_t> CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

Result<CsvTable> parse_csv(std::string_view text, const std::string& source) {
  CsvTable table;
  table.source = source;
  size_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte-order mark
  // Names from a CSV end up in JSON (stored graphs, --json output), which takes only UTF-8.
  if (auto bad = first_invalid_utf8(text)) {
    const auto bad_line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    return make_error(ErrorCode::kParseError, source + ":" + std::to_string(bad_line) + ": not UTF-8 text (byte " +
                                                  std::to_string(*bad) + "); save the file as UTF-8");
  }
  while (i < n) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool row_done = false;
    bool blank = true;
    while (!row_done) {
      field.clear();
      if (i < n && text[i] == '"') {
        blank = false;
        const size_t quote_line = line;
        ++i;
        for (;;) {
          if (i >= n) {
            return make_error(ErrorCode::kParseError,
                              source + ":" + std::to_string(quote_line) + ": unterminated quoted field");
          }
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field.push_back(text[i++]);
        }
        if (i < n && text[i] == '\r') ++i;
        if (i < n && text[i] != ',' && text[i] != '\n') {
          return make_error(ErrorCode::kParseError,
                            source + ":" + std::to_string(line) + ": unexpected text after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n') {
          if (text[i] != '\r') field.push_back(text[i]);
          ++i;
        }
        if (!field.empty()) blank = false;
      }
      row.fields.push_back(field);
      if (i < n && text[i] == ',') {
        blank = false;
        ++i;
      } else {
        if (i < n) ++i;  // the newline
        ++line;
        row_done = true;
      }
    }
    if (blank) continue;
    if (table.header.empty()) {
      table.header = std::move(row.fields);
      continue;
    }
    if (row.fields.size() != table.header.size()) {
      return make_error(ErrorCode::kParseError, source + ":" + std::to_string(row.line) + ": " +
                                                    std::to_string(row.fields.size()) + " fields, the header has " +
                                                    std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(row));
  }
  if (table.header.empty()) return make_error(ErrorCode::kParseError, source + ": empty file (no header row)");
  return table;
}

Result<std::optional<double>> parse_csv_number(std::string_view field, const std::string& where) {
  const std::string_view t = trim(field);
  if (t.empty() || t == "-") return std::optional<double>();
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) {
    return make_error(ErrorCode::kParseError, where + ": '" + s + "' is not a number");
  }
  return std::optional<double>(v);
}

std::vector<std::string> split_on(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace nnlat
