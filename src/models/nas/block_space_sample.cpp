// The block spaces' sampler (block_space.hpp): networks in the ranges real mobile networks
// use — input 96..224 in steps of 16, a 16/24/32-channel stem, three to five stages whose
// widths grow with depth (multiples of 16), one to four blocks a stage (dense: two to eight
// layers), a head of 0 (none), 512, 768, 1024 or 1280 channels — and each kind's own
// choices drawn from the values its families use and beyond: shuffle kernels 3/5/7, group
// widths 4..64 (so group counts from 2 to over 100), fire squeeze ratios 4/8/16, dense growth
// 8..32, squeeze-excite reductions 2..32, depthwise kernels 5..11.
#include <algorithm>
#include <array>
#include <unordered_set>

#include "models/nas/block_space.hpp"
#include "models/nas/nas_internal.hpp"

namespace nnlat::models::nas {
namespace {

template <class T, size_t N>
T pick(std::mt19937_64& rng, const std::array<T, N>& values) {
  return values[uniform_below(rng, N)];
}

// A multiple of `step` drawn uniformly from [lo, hi].
int64_t multiple_in(std::mt19937_64& rng, int64_t lo, int64_t hi, int64_t step) {
  return lo + step * static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>((hi - lo) / step + 1)));
}

constexpr std::array<ir::Act, 3> kSampledActs = {ir::Act::kRelu, ir::Act::kHardSwish, ir::Act::kSwish};

BlockStage draw_stage(std::mt19937_64& rng, BlockKind kind, size_t index) {
  // Width ranges by stage position, as in MobileNets / ShuffleNets at 0.5x..1.5x.
  constexpr std::array<std::pair<int64_t, int64_t>, 5> kWidths = {
      {{16, 64}, {32, 128}, {64, 256}, {96, 384}, {128, 512}}};
  BlockStage s;
  s.kind = kind;
  s.channels = multiple_in(rng, kWidths[index].first, kWidths[index].second, 16);
  s.depth = 1 + static_cast<int64_t>(uniform_below(rng, 4));
  switch (kind) {
    case BlockKind::kShuffle:
      s.kernel = pick(rng, std::array<int64_t, 3>{3, 5, 7});
      break;
    case BlockKind::kGrouped: {
      // RegNet-style: a group width, the stage width rounded to a multiple of it (at least
      // two groups), so the group count varies widely.
      const int64_t group_width = pick(rng, std::array<int64_t, 7>{4, 8, 16, 24, 32, 48, 64});
      s.channels = std::max(2 * group_width, (s.channels + group_width / 2) / group_width * group_width);
      s.groups = s.channels / group_width;
      break;
    }
    case BlockKind::kFire:
      s.squeeze = pick(rng, std::array<int64_t, 3>{4, 8, 16});
      break;
    case BlockKind::kDense:
      s.depth = 2 + static_cast<int64_t>(uniform_below(rng, 7));
      s.growth = pick(rng, std::array<int64_t, 5>{8, 12, 16, 24, 32});
      break;
    case BlockKind::kInception:
      break;
    case BlockKind::kSe:
      s.kernel = pick(rng, std::array<int64_t, 3>{3, 5, 7});
      s.expansion = pick(rng, std::array<int64_t, 4>{1, 3, 4, 6});
      s.reduction = pick(rng, std::array<int64_t, 5>{2, 4, 8, 16, 32});
      s.act = pick(rng, kSampledActs);
      break;
    case BlockKind::kLargeDw:
      s.kernel = pick(rng, std::array<int64_t, 4>{5, 7, 9, 11});
      s.expansion = pick(rng, std::array<int64_t, 3>{1, 3, 6});
      s.act = pick(rng, kSampledActs);
      break;
  }
  return s;
}

}  // namespace

Result<std::vector<std::string>> blocks_sample(std::string_view space, int64_t n, uint64_t seed) {
  if (!is_block_space(space)) return make_error(ErrorCode::kInvalidArgument, "not a block space");
  const std::optional<BlockKind> only = block_space_kind(space);
  std::mt19937_64 rng(seed);
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  // Far more networks than anyone samples (over 10^10 per kind): a repeat is rare.
  const int64_t max_draws = 100 * n + 1000;
  for (int64_t draw = 0; draw < max_draws && static_cast<int64_t>(out.size()) < n; ++draw) {
    BlockNet net;
    net.resolution = multiple_in(rng, 96, 224, 16);
    net.stem = pick(rng, std::array<int64_t, 3>{16, 24, 32});
    const size_t stages = 3 + uniform_below(rng, 3);
    for (size_t i = 0; i < stages; ++i) {
      const BlockKind kind = only ? *only : static_cast<BlockKind>(uniform_below(rng, kBlockKinds));
      net.stages.push_back(draw_stage(rng, kind, i));
    }
    net.head = pick(rng, std::array<int64_t, 5>{0, 512, 768, 1024, 1280});
    std::string enc = block_net_to_string(net);
    // Every draw is valid by construction; parsing it back keeps the sampler and the
    // encoding's rules from drifting apart.
    if (auto back = parse_block_net(space, enc); !back.ok()) return back.error().with_context("sampled " + enc);
    if (seen.insert(enc).second) out.push_back(std::move(enc));
  }
  if (static_cast<int64_t>(out.size()) < n) {
    return make_error(ErrorCode::kInternal, std::string(space) + ": sampler found too few distinct networks");
  }
  return out;
}

}  // namespace nnlat::models::nas
