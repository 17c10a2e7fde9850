#include "nnlat/app/sample.hpp"

#include <fmt/core.h>

#include <filesystem>

#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::app {

Result<SampleResult> sample_architectures(const SampleRequest& request) {
  NNLAT_ASSIGN_OR_RETURN(auto encodings, models::sample_space(request.space, request.n, request.seed));
  std::error_code ec;
  std::filesystem::create_directories(request.out, ec);
  if (ec) return make_error(ErrorCode::kIoError, request.out + ": cannot create directory (" + ec.message() + ")");
  SampleResult result{request, {}};
  for (size_t i = 0; i < encodings.size(); ++i) {
    const std::string& enc = encodings[i];
    NNLAT_ASSIGN_OR_RETURN(auto g, models::build_space_graph(request.space, enc, {}));
    std::string hash = models::encoding_hash(request.space, enc);
    std::string file = fmt::format("{}_{:06d}_{}.json", request.space, i, hash);
    NNLAT_RETURN_IF_ERROR(
        write_file_atomic((std::filesystem::path(request.out) / file).string(), formats::graph_to_json(g)));
    result.architectures.push_back({std::move(file), enc, std::move(hash)});
  }
  NNLAT_RETURN_IF_ERROR(
      write_file_atomic((std::filesystem::path(request.out) / "index.json").string(), result.to_json().dump(2) + "\n"));
  return result;
}

nlohmann::ordered_json SampleResult::to_json() const {
  nlohmann::ordered_json index = nlohmann::ordered_json::array();
  for (const auto& a : architectures) {
    index.push_back({{"file", a.file},
                     {"space", request.space},
                     {"family", models::space_family(request.space)},
                     {"encoding", a.encoding},
                     {"hash", a.hash}});
  }
  return {{"space", request.space}, {"seed", request.seed}, {"n", request.n}, {"architectures", index}};
}

std::string SampleResult::to_text() const {
  return fmt::format("wrote {} {} architectures and index.json to {}\n", architectures.size(), request.space,
                     request.out);
}

}  // namespace nnlat::app
