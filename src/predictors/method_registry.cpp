// The method registry: names, parsing, traits, baselines and factories, all generated from
// include/nnlat/predictors/methods.inc, so that adding a method is one line there.
#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "predictors/method_model.hpp"

namespace nnlat::predictors {
namespace {

struct Entry {
  std::string_view name;
  int baseline_rank;  // 0: not a baseline
  std::unique_ptr<MethodModel> (*make)();
};

constexpr std::array<Entry, kNumMethods> kRegistry = {{
#define NNLAT_METHOD(id, name, baseline, factory) {name, baseline, &factory},
#include "nnlat/predictors/methods.inc"
#undef NNLAT_METHOD
}};

// The enum and the table come from the same list; this guards an edit of one expansion.
#define NNLAT_METHOD(id, text, baseline, factory) \
  static_assert(kRegistry[static_cast<size_t>(Method::id)].name == std::string_view(text));
#include "nnlat/predictors/methods.inc"
#undef NNLAT_METHOD

}  // namespace

std::string_view method_name(Method method) { return kRegistry[static_cast<size_t>(method)].name; }

Result<Method> parse_method(std::string_view name) {
  for (size_t i = 0; i < kRegistry.size(); ++i) {
    if (kRegistry[i].name == name) return static_cast<Method>(i);
  }
  std::string known;
  for (const auto& e : kRegistry) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return make_error(ErrorCode::kInvalidArgument, "unknown method '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<Method> all_methods() {
  std::vector<Method> out;
  for (size_t i = 0; i < kRegistry.size(); ++i) out.push_back(static_cast<Method>(i));
  return out;
}

std::vector<Method> baseline_methods() {
  std::vector<std::pair<int, Method>> ranked;
  for (size_t i = 0; i < kRegistry.size(); ++i) {
    if (kRegistry[i].baseline_rank > 0) ranked.emplace_back(kRegistry[i].baseline_rank, static_cast<Method>(i));
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<Method> out;
  for (const auto& [rank, method] : ranked) out.push_back(method);
  return out;
}

std::unique_ptr<MethodModel> make_method_model(Method method) { return kRegistry[static_cast<size_t>(method)].make(); }

MethodTraits method_traits(Method method) { return make_method_model(method)->traits(); }

bool is_opwise(Method method) { return method_traits(method).opwise; }

}  // namespace nnlat::predictors
