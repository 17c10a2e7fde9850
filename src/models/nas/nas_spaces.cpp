// The public NAS-space API (nnlat/models/nas.hpp): dispatches by space name to one file per
// space and gives every graph the same name and metadata.
#include <algorithm>
#include <string>

#include "models/nas/nas_internal.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {

enum class Space { kNb101, kNb201, kMbv2, kBlocks };

Result<Space> parse_space(std::string_view space) {
  if (space == "nb101") return Space::kNb101;
  if (space == "nb201") return Space::kNb201;
  if (space == "mbv2") return Space::kMbv2;
  if (nas::is_block_space(space)) return Space::kBlocks;
  std::string names;
  for (const auto& n : space_names()) names += (names.empty() ? "" : ", ") + n;
  return make_error(ErrorCode::kInvalidArgument, "unknown NAS space '" + std::string(space) + "' (" + names + ")");
}

Status check_options(Space space, const SpaceOptions& o) {
  auto bad = [](const std::string& what) {
    return Status(make_error(ErrorCode::kInvalidArgument, "space option " + what));
  };
  if (o.resolution < 0 || o.resolution > 4096) return bad("resolution must be 0 (default) or in [1, 4096]");
  if (o.num_classes < 0 || o.num_classes > 1000000) return bad("num_classes must be 0 (default) or positive");
  if (space == Space::kNb101) {
    if (o.nb101_stem_channels < 1 || o.nb101_stem_channels > 4096) return bad("nb101_stem_channels out of [1, 4096]");
    if (o.nb101_stacks < 1 || o.nb101_stacks > 8) return bad("nb101_stacks out of [1, 8]");
    if (o.nb101_cells_per_stack < 1 || o.nb101_cells_per_stack > 64) return bad("nb101_cells_per_stack out of [1, 64]");
  }
  if (space == Space::kNb201) {
    if (o.nb201_channels < 1 || o.nb201_channels > 4096) return bad("nb201_channels out of [1, 4096]");
    if (o.nb201_cells_per_stage < 1 || o.nb201_cells_per_stage > 64) return bad("nb201_cells_per_stage out of [1, 64]");
  }
  return Status::Ok();
}

// "?res=16&classes=120..." for the options that differ from the defaults, so that two
// graphs with the same name are the same network.
std::string options_suffix(Space space, const SpaceOptions& o) {
  const SpaceOptions d;
  std::vector<std::string> q;
  if (o.resolution != 0) q.push_back("res=" + std::to_string(o.resolution));
  if (o.num_classes != 0) q.push_back("classes=" + std::to_string(o.num_classes));
  if (space == Space::kNb101) {
    if (o.nb101_stem_channels != d.nb101_stem_channels) q.push_back("stem=" + std::to_string(o.nb101_stem_channels));
    if (o.nb101_stacks != d.nb101_stacks) q.push_back("stacks=" + std::to_string(o.nb101_stacks));
    if (o.nb101_cells_per_stack != d.nb101_cells_per_stack) {
      q.push_back("cells=" + std::to_string(o.nb101_cells_per_stack));
    }
  }
  if (space == Space::kNb201) {
    if (o.nb201_channels != d.nb201_channels) q.push_back("channels=" + std::to_string(o.nb201_channels));
    if (o.nb201_cells_per_stage != d.nb201_cells_per_stage) {
      q.push_back("cells=" + std::to_string(o.nb201_cells_per_stage));
    }
  }
  std::string s;
  for (size_t i = 0; i < q.size(); ++i) s += (i ? "&" : "?") + q[i];
  return s;
}

}  // namespace

namespace nas {

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  // Values below 2^64 mod n are rejected; the rest split evenly into n residues.
  const uint64_t reject_below = (uint64_t{0} - n) % n;
  for (;;) {
    const uint64_t r = rng();
    if (r >= reject_below) return r % n;
  }
}

}  // namespace nas

std::vector<std::string> space_names() {
  std::vector<std::string> names = {"nb101", "nb201", "mbv2"};
  for (auto& n : nas::block_space_names()) names.push_back(std::move(n));
  return names;
}

std::string space_family(std::string_view space) {
  return nas::is_block_space(space) ? "blocks-" + std::string(space) : std::string(space);
}

Result<std::string> canonicalize_encoding(std::string_view space, std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  Result<std::string> r = std::string();
  switch (s) {
    case Space::kNb101:
      r = nas::nb101_canonicalize(encoding);
      break;
    case Space::kNb201:
      r = nas::nb201_canonicalize(encoding);
      break;
    case Space::kMbv2:
      r = nas::mbv2_canonicalize(encoding);
      break;
    case Space::kBlocks:
      r = nas::blocks_canonicalize(space, encoding);
      break;
  }
  if (!r.ok()) return r.error().with_context(std::string(space));
  return r;
}

Result<ir::Graph> build_space_graph(std::string_view space, std::string_view encoding, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  NNLAT_RETURN_IF_ERROR(check_options(s, options));
  NNLAT_ASSIGN_OR_RETURN(const std::string canonical, canonicalize_encoding(space, encoding));
  Result<ir::Graph> g = ir::Graph();
  switch (s) {
    case Space::kNb101:
      g = nas::nb101_build(canonical, options);
      break;
    case Space::kNb201:
      g = nas::nb201_build(canonical, options);
      break;
    case Space::kMbv2:
      g = nas::mbv2_build(canonical, options);
      break;
    case Space::kBlocks:
      g = nas::blocks_build(space, canonical, options);
      break;
  }
  const std::string name = std::string(space) + ":" + canonical;
  if (!g.ok()) return g.error().with_context(name);
  g->name = name + options_suffix(s, options);
  g->metadata["source"] = g->name;
  g->metadata["space"] = std::string(space);
  g->metadata["family"] = space_family(space);
  g->metadata["encoding"] = canonical;
  g->metadata["hash"] = encoding_hash(space, canonical);
  if (s == Space::kNb101) {
    NNLAT_ASSIGN_OR_RETURN(g->metadata["nb101_module_hash"], nas::nb101_module_hash(canonical));
  }
  return g;
}

std::vector<std::string> encoding_feature_names(std::string_view space) {
  if (space == "nb201") return nas::nb201_encoding_feature_names();
  return {};
}

Result<std::vector<float>> encoding_features(std::string_view space, std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  if (s != Space::kNb201) return std::vector<float>{};
  auto r = nas::nb201_encoding_features(encoding);
  if (!r.ok()) return r.error().with_context(std::string(space));
  return r;
}

bool space_has_segments(std::string_view space) { return space == "mbv2"; }

bool space_has_skeleton(std::string_view space) { return space == "nb201"; }

Status build_space_skeleton(std::string_view space, std::string_view encoding, ir::OpSkeleton& out, bool abridged) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  if (s != Space::kNb201) {
    return make_error(ErrorCode::kInvalidArgument, "space " + std::string(space) + " has no op skeleton");
  }
  if (auto st = nas::nb201_build_skeleton(encoding, {}, abridged, out); !st.ok()) {
    return st.error().with_context(std::string(space) + ":" + std::string(encoding));
  }
  return Status::Ok();
}

Result<ir::Graph> build_abridged_space_graph(std::string_view space, std::string_view encoding) {
  if (!space_has_skeleton(space)) {
    return make_error(ErrorCode::kInvalidArgument, "space " + std::string(space) + " has no op skeleton");
  }
  SpaceOptions abridged;  // the defaults, as build_space_skeleton, with nb201's abridged stages
  abridged.nb201_cells_per_stage = std::min(abridged.nb201_cells_per_stage, ir::OpSkeleton::kAbridgedCells);
  return build_space_graph(space, encoding, abridged);
}

Result<std::vector<std::string>> space_segments(std::string_view space, std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  if (s != Space::kMbv2) return std::vector<std::string>{};
  auto r = nas::mbv2_segments(encoding);
  if (!r.ok()) return r.error().with_context(std::string(space));
  return r;
}

Result<ir::Graph> build_segment_graph(std::string_view space, std::string_view segment) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  if (s != Space::kMbv2) {
    return make_error(ErrorCode::kInvalidArgument, "space " + std::string(space) + " has no segments");
  }
  auto g = nas::mbv2_build_segment(segment);
  if (!g.ok()) return g.error().with_context(std::string(space) + " segment " + std::string(segment));
  return g;
}

Result<std::vector<std::string>> sample_space(std::string_view space, int64_t n, uint64_t seed) {
  NNLAT_ASSIGN_OR_RETURN(const Space s, parse_space(space));
  if (n < 0) return make_error(ErrorCode::kInvalidArgument, "cannot sample a negative number of architectures");
  switch (s) {
    case Space::kNb101:
      return nas::nb101_sample(n, seed);
    case Space::kNb201:
      return nas::nb201_sample(n, seed);
    case Space::kMbv2:
      return nas::mbv2_sample(n, seed);
    case Space::kBlocks:
      return nas::blocks_sample(space, n, seed);
  }
  return make_error(ErrorCode::kInternal, "unreachable");
}

std::string encoding_hash(std::string_view space, std::string_view canonical_encoding) {
  return stable_hash_hex(std::string(space) + ":" + std::string(canonical_encoding));
}

Result<std::string> nb101_encoding_from_spec_json(std::string_view json_text, const std::string& source) {
  return nas::nb101_from_json(json_text, source);
}

}  // namespace nnlat::models
