// Placeholder until the NAS spaces land (owned by the NAS work item).
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {
Error not_yet() { return make_error(ErrorCode::kUnsupported, "NAS spaces are not built yet"); }
}  // namespace
std::vector<std::string> space_names() { return {"nb101", "nb201", "mbv2"}; }
Result<std::string> canonicalize_encoding(std::string_view, std::string_view) { return not_yet(); }
Result<ir::Graph> build_space_graph(std::string_view, std::string_view, const SpaceOptions&) { return not_yet(); }
Result<std::vector<std::string>> sample_space(std::string_view, int64_t, uint64_t) { return not_yet(); }
std::string encoding_hash(std::string_view, std::string_view) { return ""; }
Result<std::string> nb101_encoding_from_spec_json(std::string_view, const std::string&) { return not_yet(); }
}  // namespace nnlat::models
