// The block spaces' encoding (block_space.hpp): parsing, checks with messages that name the
// stage and the field, and the canonical form.
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "models/nas/block_space.hpp"
#include "models/nas/nas_internal.hpp"

namespace nnlat::models::nas {
namespace {

constexpr std::array<std::string_view, kBlockKinds> kKindNames = {"shuffle",   "grouped", "fire",   "dense",
                                                                  "inception", "se",      "largedw"};
constexpr std::string_view kMixed = "mixed";

// The fields of each kind, in canonical order ("act": relu | hswish | swish, written bare).
std::vector<std::string_view> fields_of(BlockKind kind) {
  switch (kind) {
    case BlockKind::kShuffle:
      return {"c", "d", "k"};
    case BlockKind::kGrouped:
      return {"c", "d", "g"};
    case BlockKind::kFire:
      return {"c", "d", "q"};
    case BlockKind::kDense:
      return {"c", "d", "gr"};
    case BlockKind::kInception:
      return {"c", "d"};
    case BlockKind::kSe:
      return {"c", "d", "k", "e", "r", "act"};
    case BlockKind::kLargeDw:
      return {"c", "d", "k", "e", "act"};
  }
  return {};
}

constexpr std::array<std::pair<std::string_view, ir::Act>, 3> kActNames = {
    {{"relu", ir::Act::kRelu}, {"hswish", ir::Act::kHardSwish}, {"swish", ir::Act::kSwish}}};

std::string_view act_name(ir::Act act) {
  for (const auto& [name, a] : kActNames) {
    if (a == act) return name;
  }
  return "?";
}

// A stage's numeric field by key (const or not); nullptr for "act".
template <class Stage>
auto field(Stage& s, std::string_view key) -> decltype(&s.channels) {
  if (key == "c") return &s.channels;
  if (key == "d") return &s.depth;
  if (key == "k") return &s.kernel;
  if (key == "e") return &s.expansion;
  if (key == "g") return &s.groups;
  if (key == "q") return &s.squeeze;
  if (key == "gr") return &s.growth;
  if (key == "r") return &s.reduction;
  return nullptr;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// "r160" -> 160 for prefix "r"; nullopt when the prefix or the number is missing.
std::optional<int64_t> number_after(std::string_view token, std::string_view prefix) {
  if (token.substr(0, prefix.size()) != prefix || token.size() == prefix.size()) return std::nullopt;
  int64_t v = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data() + prefix.size(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// The rules each kind's fields obey; an empty string: none broken.
std::string check_stage(const BlockStage& s) {
  auto odd_in = [](int64_t k, int64_t lo, int64_t hi) { return k % 2 == 1 && k >= lo && k <= hi; };
  if (s.channels < 8 || s.channels > 2048) return "c (channels) must be in [8, 2048]";
  if (s.depth < 1 || s.depth > 16) return "d (depth) must be in [1, 16]";
  switch (s.kind) {
    case BlockKind::kShuffle:
      if (s.channels % 4 != 0) return "c must be a multiple of 4 (two even halves)";
      return odd_in(s.kernel, 3, 7) ? "" : "k must be 3, 5 or 7";
    case BlockKind::kGrouped:
      if (s.groups < 1 || s.channels % s.groups != 0) return "g (groups) must divide c";
      return "";
    case BlockKind::kFire:
      if (s.squeeze < 2 || s.squeeze > 16) return "q (squeeze ratio) must be in [2, 16]";
      return s.channels % 2 == 0 && s.channels % s.squeeze == 0 ? "" : "c must be even and a multiple of q";
    case BlockKind::kDense:
      return s.growth >= 4 && s.growth <= 64 ? "" : "gr (growth) must be in [4, 64]";
    case BlockKind::kInception:
      return s.channels % 16 == 0 ? "" : "c must be a multiple of 16 (branch proportions)";
    case BlockKind::kSe:
      if (s.reduction < 2 || s.reduction > 64) return "r (squeeze-excite reduction) must be in [2, 64]";
      [[fallthrough]];
    case BlockKind::kLargeDw:
      if (s.expansion < 1 || s.expansion > 8) return "e (expansion) must be in [1, 8]";
      return odd_in(s.kernel, 3, 15) ? "" : "k must be odd and in [3, 15]";
  }
  return "";
}

Result<BlockStage> parse_stage(std::string_view token, std::optional<BlockKind> only, size_t index) {
  const std::string where = "stage " + std::to_string(index) + " '" + std::string(token) + "'";
  const auto parts = split(token, '.');
  BlockStage s;
  size_t k = 0;
  while (k < kKindNames.size() && kKindNames[k] != parts[0]) ++k;
  if (k == kKindNames.size()) {
    std::string kinds;
    for (auto name : kKindNames) kinds += (kinds.empty() ? "" : ", ") + std::string(name);
    return invalid(where + ": unknown block kind '" + std::string(parts[0]) + "' (" + kinds + ")");
  }
  s.kind = static_cast<BlockKind>(k);
  if (only && *only != s.kind) {
    return invalid(where + ": this space holds only " + std::string(block_kind_name(*only)) +
                   " stages (space 'mixed' takes any kind)");
  }
  const auto wanted = fields_of(s.kind);
  std::vector<std::string_view> seen;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string_view f = parts[i];
    // A field is a key of letters and its integer ("c64", "gr16"), or a bare activation name.
    const bool bare = std::find_if(kActNames.begin(), kActNames.end(), [&](const auto& p) { return p.first == f; }) !=
                      kActNames.end();
    const size_t letters = std::min(f.find_first_not_of("abcdefghijklmnopqrstuvwxyz"), f.size());
    const std::string_view key = bare ? std::string_view("act") : f.substr(0, letters);
    if (key == "act" && !bare) return invalid(where + ": write the activation bare: relu, hswish or swish");
    if (std::find(wanted.begin(), wanted.end(), key) == wanted.end() ||
        std::find(seen.begin(), seen.end(), key) != seen.end()) {
      std::string list;
      for (auto w : wanted) list += (list.empty() ? "" : ", ") + std::string(w);
      return invalid(where + ": unknown or repeated field '" + std::string(f) + "' (" + std::string(parts[0]) +
                     " takes " + list + ")");
    }
    seen.push_back(key);
    if (key == "act") {
      s.act = std::find_if(kActNames.begin(), kActNames.end(), [&](const auto& p) { return p.first == f; })->second;
      continue;
    }
    const auto v = number_after(f, key);
    if (!v)
      return invalid(where + ": field '" + std::string(f) + "' needs an integer after '" + std::string(key) + "'");
    *field(s, key) = *v;
  }
  if (seen.size() != wanted.size()) {
    for (auto w : wanted) {
      if (std::find(seen.begin(), seen.end(), w) == seen.end()) {
        return invalid(where + ": field '" + std::string(w) + "' is missing");
      }
    }
  }
  if (const std::string broken = check_stage(s); !broken.empty()) return invalid(where + ": " + broken);
  return s;
}

}  // namespace

std::string_view block_kind_name(BlockKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::vector<std::string> block_space_names() {
  std::vector<std::string> names(kKindNames.begin(), kKindNames.end());
  names.emplace_back(kMixed);
  return names;
}

std::optional<BlockKind> block_space_kind(std::string_view space) {
  const auto it = std::find(kKindNames.begin(), kKindNames.end(), space);
  if (it == kKindNames.end()) return std::nullopt;
  return static_cast<BlockKind>(it - kKindNames.begin());
}

bool is_block_space(std::string_view space) { return space == kMixed || block_space_kind(space).has_value(); }

std::string block_net_to_string(const BlockNet& net) {
  std::string s = "r" + std::to_string(net.resolution) + "-s" + std::to_string(net.stem);
  for (const BlockStage& st : net.stages) {
    s += "-";
    s += block_kind_name(st.kind);
    for (std::string_view key : fields_of(st.kind)) {
      s += ".";
      s += key == "act" ? std::string(act_name(st.act)) : std::string(key) + std::to_string(*field(st, key));
    }
  }
  return s + "-h" + std::to_string(net.head);
}

Result<BlockNet> parse_block_net(std::string_view space, std::string_view encoding) {
  if (!is_block_space(space)) return invalid("'" + std::string(space) + "' is not a block space");
  const std::optional<BlockKind> only = block_space_kind(space);
  const auto tokens = split(encoding, '-');
  const char* shape =
      " (expected 'r<resolution>-s<stem>-<stage>-...-h<head>', e.g. 'r160-s24-shuffle.c64.d2.k3-h1024')";
  if (tokens.size() < 4) return invalid("too few parts" + std::string(shape));
  BlockNet net;
  const auto res = number_after(tokens[0], "r");
  const auto stem = number_after(tokens[1], "s");
  const auto head = number_after(tokens.back(), "h");
  if (!res || !stem || !head) return invalid("'" + std::string(encoding) + "'" + shape);
  net.resolution = *res;
  net.stem = *stem;
  net.head = *head;
  if (net.stem < 8 || net.stem > 256) return invalid("stem width s must be in [8, 256]");
  if (net.head != 0 && (net.head < 16 || net.head > 4096)) return invalid("head width h must be 0 or in [16, 4096]");
  const size_t stages = tokens.size() - 3;
  if (stages > 8) return invalid("at most 8 stages, got " + std::to_string(stages));
  // The stem and every stage halve the resolution; each must keep at least one pixel.
  if (net.resolution < (int64_t{1} << (stages + 1)) || net.resolution > 1024) {
    return invalid("resolution r" + std::to_string(net.resolution) + " must be in [" +
                   std::to_string(int64_t{1} << (stages + 1)) + ", 1024] for " + std::to_string(stages) +
                   " stages (each halves it, as does the stem)");
  }
  for (size_t i = 0; i < stages; ++i) {
    NNLAT_ASSIGN_OR_RETURN(BlockStage s, parse_stage(tokens[i + 2], only, i));
    net.stages.push_back(s);
  }
  return net;
}

Result<std::string> blocks_canonicalize(std::string_view space, std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(const BlockNet net, parse_block_net(space, encoding));
  return block_net_to_string(net);
}

}  // namespace nnlat::models::nas
