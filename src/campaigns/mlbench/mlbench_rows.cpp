// What the TFLite and PyTorch Mobile op-row builders share.
#include "campaigns/mlbench/mlbench_rows.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "nnlat/core/csv.hpp"

namespace nnlat::campaigns::mlbench_rows {

std::vector<std::string> split_header(std::string_view h) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t bar = h.find('|', start);
    parts.emplace_back(h.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return parts;
}

Result<std::map<std::string, std::string>> parse_feature_dict(std::string_view text, const std::string& where) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto token = [&]() -> std::optional<std::string> {
    skip();
    if (i >= text.size()) return std::nullopt;
    if (text[i] == '\'' || text[i] == '"') {
      const char q = text[i++];
      const size_t end = text.find(q, i);
      if (end == std::string_view::npos) return std::nullopt;
      std::string t(text.substr(i, end - i));
      i = end + 1;
      return t;
    }
    const size_t start = i;
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ':') ++i;
    std::string t(text.substr(start, i - start));
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  };
  skip();
  if (i >= text.size() || text[i] != '{')
    return make_error(ErrorCode::kParseError, where + ": feature is not a {...} dict");
  ++i;
  for (;;) {
    skip();
    if (i < text.size() && text[i] == '}') break;
    auto key = token();
    skip();
    if (!key || i >= text.size() || text[i] != ':') {
      return make_error(ErrorCode::kParseError, where + ": malformed feature dict (expected 'key': value)");
    }
    ++i;
    auto value = token();
    if (!value) return make_error(ErrorCode::kParseError, where + ": malformed feature dict (value of '" + *key + "')");
    out[*key] = *value;
    skip();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '}') break;
    return make_error(ErrorCode::kParseError, where + ": malformed feature dict (expected ',' or '}')");
  }
  return out;
}

Result<std::optional<int64_t>> int_feature(const std::map<std::string, std::string>& f, const std::string& key,
                                           const std::string& where, double max_value) {
  auto it = f.find(key);
  if (it == f.end() || it->second == "-" || it->second.empty()) return std::optional<int64_t>();
  NNLAT_ASSIGN_OR_RETURN(auto v, parse_csv_number(it->second, where + ": " + key));
  if (!v || *v < 0 || *v != std::floor(*v) || *v > max_value) {
    return make_error(ErrorCode::kParseError, where + ": " + key + " '" + it->second +
                                                  "' is not a whole number from 0 to " +
                                                  std::to_string(static_cast<int64_t>(max_value)));
  }
  return std::optional<int64_t>(static_cast<int64_t>(*v));
}

Status check_product(std::initializer_list<int64_t> factors, double bound, std::string_view what,
                     const std::string& where) {
  double product = 1;
  std::string spelled;
  for (int64_t f : factors) {
    product *= double(f);
    spelled += (spelled.empty() ? "" : " x ") + std::to_string(f);
  }
  if (product <= bound) return Status::Ok();
  return make_error(ErrorCode::kShapeError, where + ": " + spelled + " " + std::string(what) +
                                                " is more than any real network has (at most " +
                                                std::to_string(static_cast<int64_t>(bound)) + ")");
}

Result<int64_t> required(const std::optional<int64_t>& v, const std::string& key, const std::string& op,
                         const std::string& where) {
  if (!v || *v <= 0) return make_error(ErrorCode::kParseError, where + ": " + op + " needs a positive '" + key + "'");
  return *v;
}

std::optional<int64_t> least_extra_padding(int64_t span, int64_t out, int64_t k, int64_t s) {
  // (span + extra) / s + 1 == out  ⇔  span + extra ∈ [(out − 1)·s, (out − 1)·s + s − 1]; in closed
  // form because k may be as large as a row says (up to kMaxDimension), not a loop of k steps.
  // Every factor is at most kMaxDimension, so the products fit in int64.
  if (out < 1 || s < 1 || k < 1) return std::nullopt;
  const int64_t low = (out - 1) * s, high = low + s - 1;
  const int64_t extra = std::max<int64_t>(0, low - span);
  if (extra >= k || span + extra > high) return std::nullopt;
  return extra;
}

// Total padding (split begin = total / 2, end = the rest, as TFLite's SAME) that turns an
// input of `in` into an output of `out` with kernel `k` and stride `s`; the dataset lists
// pre-padded inputs for VALID convolutions, so 0 is common.
Result<int64_t> total_padding(int64_t in, int64_t out, int64_t k, int64_t s, const std::string& where) {
  if (auto total = least_extra_padding(in - k, out, k, s)) return *total;
  return make_error(ErrorCode::kShapeError, where + ": no padding turns input " + std::to_string(in) + " into output " +
                                                std::to_string(out) + " with kernel " + std::to_string(k) +
                                                " and stride " + std::to_string(s));
}

std::vector<int64_t> pads_of(int64_t total) { return {total / 2, total / 2, total - total / 2, total - total / 2}; }

// "depthwise_conv_plus_1x1_conv_5_6_7" → "depthwise_conv_plus_1x1_conv", "relu_18" → "relu".
std::string_view without_node_numbers(std::string_view s) {
  for (;;) {
    const size_t us = s.rfind('_');
    if (us == std::string_view::npos || us + 1 >= s.size()) return s;
    const std::string_view last = s.substr(us + 1);
    if (!std::all_of(last.begin(), last.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
      return s;
    s = s.substr(0, us);
  }
}

std::string next_input_name(ir::GraphBuilder& b) { return "in" + std::to_string(b.graph().inputs().size()); }

bool is_torch_operation(std::string_view op) { return op.find("::") != std::string_view::npos; }

}  // namespace nnlat::campaigns::mlbench_rows
