// Internal interface between the NAS dispatcher (nas_spaces.cpp) and the spaces: one file
// per space (nb101.cpp, nb201.cpp, mbv2_space.cpp, block_space_*.cpp). Every function returns a Result; none
// throws across this interface.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models::nas {

// Uniform integer in [0, n) for n >= 1, from a std::mt19937_64 (whose output sequence is
// fixed by the standard). Rejection sampling on the full 64-bit output, so it is unbiased
// and gives the same numbers on every platform (unlike std::uniform_int_distribution,
// whose algorithm is implementation-defined).
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

// The error of an encoding or spec a space rejects (every space's parser words its own message).
inline Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

// MD5 of `bytes` as 32 lowercase hex digits (RFC 1321); used only to reproduce the
// NAS-Bench-101 module hash, never for security.
std::string md5_hex(std::string_view bytes);

// ---- NAS-Bench-101 (nb101.cpp) ----------------------------------------------------------
inline constexpr int64_t kNb101SpaceSize = 423624;  // unique modules in the benchmark
Result<std::string> nb101_canonicalize(std::string_view encoding);
// `canonical` must come from nb101_canonicalize.
Result<ir::Graph> nb101_build(const std::string& canonical, const SpaceOptions& options);
Result<std::vector<std::string>> nb101_sample(int64_t n, uint64_t seed);
// The benchmark's own graph_util.hash_module fingerprint (32 hex digits) of a canonical
// encoding: the key of the cell in the NAS-Bench-101 dataset.
Result<std::string> nb101_module_hash(std::string_view canonical);
Result<std::string> nb101_from_json(std::string_view json_text, const std::string& source);

// ---- NAS-Bench-201 (nb201.cpp) ----------------------------------------------------------
inline constexpr int64_t kNb201SpaceSize = 15625;  // 5^6
Result<std::string> nb201_canonicalize(std::string_view encoding);
Result<ir::Graph> nb201_build(const std::string& canonical, const SpaceOptions& options);
// The same network as an op skeleton, into `out` (reused by the caller); `abridged`: three
// cells per stage stand for the stage's repeated cells (ir::OpSkeleton::repeats).
Status nb201_build_skeleton(std::string_view encoding, const SpaceOptions& options, bool abridged, ir::OpSkeleton& out);
Result<std::vector<std::string>> nb201_sample(int64_t n, uint64_t seed);
std::vector<std::string> nb201_encoding_feature_names();
Result<std::vector<float>> nb201_encoding_features(std::string_view encoding);

// ---- MobileNetV2-style block space (mbv2_space.cpp) -------------------------------------
Result<std::string> mbv2_canonicalize(std::string_view encoding);
Result<ir::Graph> mbv2_build(const std::string& canonical, const SpaceOptions& options);
Result<std::vector<std::string>> mbv2_sample(int64_t n, uint64_t seed);
// Segments (models/nas.hpp): "stem" (stem and fixed first block), "INDEX:TOKEN" per non-skip
// layer, "head".
Result<std::vector<std::string>> mbv2_segments(std::string_view encoding);
Result<ir::Graph> mbv2_build_segment(std::string_view segment);

// ---- Block spaces (block_space.hpp, block_space_*.cpp) ----------------------------------
// "shuffle", "grouped", "fire", "dense", "inception", "se", "largedw" (stages of one block
// kind) and "mixed" (any kind per stage). `space` is one of them in every call below.
std::vector<std::string> block_space_names();
bool is_block_space(std::string_view space);
Result<std::string> blocks_canonicalize(std::string_view space, std::string_view encoding);
Result<ir::Graph> blocks_build(std::string_view space, const std::string& canonical, const SpaceOptions& options);
Result<std::vector<std::string>> blocks_sample(std::string_view space, int64_t n, uint64_t seed);

}  // namespace nnlat::models::nas
