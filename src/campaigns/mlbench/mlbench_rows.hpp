// Internal to the mobile ML benchmark importer: what the TFLite and PyTorch Mobile op-row
// builders share (the feature dict, whole-number fields, padding inference), and the op-row
// builders themselves, one per framework.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::campaigns::mlbench_rows {

// One row of a per-operation file.
struct OpRow {
  size_t line = 0;
  std::string op;
  std::map<std::string, std::string> features;
  std::vector<std::optional<double>> times_ms;  // per GPU target
  std::vector<std::string> kernels;             // per GPU target
};

// A `device|config|precision|stat` (e2e) or `device|gpu|float` / `device|gpu|kernel` (ops)
// header split at '|'.
std::vector<std::string> split_header(std::string_view header);

// The feature column: a Python-dict-style string {'Key': '12', 'Other': 3, 'X': '-'}.
Result<std::map<std::string, std::string>> parse_feature_dict(std::string_view text, const std::string& where);

// The largest size a row may give one dimension (channels, height, kernel, ...): as the TFLite
// reader's bound, far above any real network, and low enough that the bounds below keep
// every count the IR derives (elements, MACs, parameters) inside int64.
inline constexpr double kMaxDimension = 16777216;  // 2^24
// The most elements one tensor of a row may have, and the most multiply-accumulates one op.
inline constexpr double kMaxElements = 68719476736;  // 2^36
inline constexpr double kMaxMacs = 1e15;

// A whole-number feature up to `max_value` (shapes: kMaxDimension; operation counts are
// larger); nullopt when absent or '-'.
Result<std::optional<int64_t>> int_feature(const std::map<std::string, std::string>& features, const std::string& key,
                                           const std::string& where, double max_value = kMaxDimension);

// An error naming the row when the product of `factors` (computed in floating point, so it
// cannot overflow) passes `bound`: `what` says which count ("elements", "multiply-accumulates").
Status check_product(std::initializer_list<int64_t> factors, double bound, std::string_view what,
                     const std::string& where);

// `value` when present and positive, else an error naming the key the op needs.
Result<int64_t> required(const std::optional<int64_t>& value, const std::string& key, const std::string& op,
                         const std::string& where);

// The least `extra` in [0, k) with (span + extra) / s + 1 == out and span + extra >= 0: the
// padding a window of size k and stride s needs beyond `span` (input + padding − k) to give
// `out` outputs; nullopt when none does.
std::optional<int64_t> least_extra_padding(int64_t span, int64_t out, int64_t k, int64_t s);

// Total padding (split begin = total / 2, end = the rest, as TFLite's SAME) that turns an
// input of `in` into an output of `out` with kernel `k` and stride `s`.
Result<int64_t> total_padding(int64_t in, int64_t out, int64_t k, int64_t s, const std::string& where);
std::vector<int64_t> pads_of(int64_t total);

// A fresh graph input name for the next island.
std::string next_input_name(ir::GraphBuilder& b);

// A delegate name without its trailing node numbers: "convolution_winograd_4x4_6x6_1" →
// "convolution_winograd_4x4_6x6".
std::string_view without_node_numbers(std::string_view s);

// One op row as graph nodes appended to `outputs`: its own input, the op, and (TFLite) the
// linked tail its kernel names list. Errors name `where` and the field.
Status add_tflite_island(ir::GraphBuilder& b, const OpRow& row, const std::string& where,
                         std::vector<ir::ValueId>& outputs);
Status add_torch_island(ir::GraphBuilder& b, const OpRow& row, const std::string& where,
                        std::vector<ir::ValueId>& outputs);

// PyTorch Mobile's Metal column pairs some of a model's times with the wrong rows (Metal ran
// those ops in another order; mlbench_metal_order.cpp says how this was found). Re-pairs each
// operation's Metal times and kernel names of one model with its rows, by the proportions of
// the first of `yardsticks` (Vulkan columns of the same file) that timed all those rows.
// Groups with a row that Metal did not time, or that no yardstick timed, stay as listed.
// Returns how many rows got another row's time.
size_t repair_metal_order(std::vector<OpRow>& rows, size_t metal_column, const std::vector<size_t>& yardsticks);

// Whether an operation name is PyTorch's (`aten::add`, `vulkan_prepack::run_conv2d_context`).
bool is_torch_operation(std::string_view op);

}  // namespace nnlat::campaigns::mlbench_rows
