// `nnlat sample SPACE --n N --seed S --out DIR`: N distinct architectures as JSON graphs
// plus index.json with their encodings and hashes.
#include <fmt/core.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::cli {

void add_sample_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("sample", "Sample distinct architectures from a NAS space (nb101, nb201, mbv2)");
  struct Options {
    std::string space;
    int64_t n = 10;
    uint64_t seed = 0;
    std::string out;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("space", o->space, "Search space: nb101, nb201 or mbv2")->required();
  cmd->add_option("--n", o->n, "Number of distinct architectures")->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  cmd->add_option("--seed", o->seed, "Sampler seed (same seed, same list)");
  cmd->add_option("--out", o->out, "Output directory (created if missing)")->required();
  cmd->callback([o, &exit_code] {
    auto encodings = models::sample_space(o->space, o->n, o->seed);
    if (!encodings.ok()) {
      exit_code = report(encodings.error());
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(o->out, ec);
    if (ec) {
      exit_code = report(make_error(ErrorCode::kIoError, o->out + ": cannot create directory (" + ec.message() + ")"));
      return;
    }
    nlohmann::ordered_json index = nlohmann::ordered_json::array();
    for (size_t i = 0; i < encodings->size(); ++i) {
      const std::string& enc = (*encodings)[i];
      auto g = models::build_space_graph(o->space, enc, {});
      if (!g.ok()) {
        exit_code = report(g.error());
        return;
      }
      const std::string hash = models::encoding_hash(o->space, enc);
      const std::string file = fmt::format("{}_{:06d}_{}.json", o->space, i, hash);
      if (auto st = write_file_atomic((std::filesystem::path(o->out) / file).string(), formats::graph_to_json(*g));
          !st.ok()) {
        exit_code = report(st.error());
        return;
      }
      index.push_back({{"file", file}, {"space", o->space}, {"encoding", enc}, {"hash", hash}});
    }
    nlohmann::ordered_json doc{{"space", o->space}, {"seed", o->seed}, {"n", o->n}, {"architectures", index}};
    if (auto st = write_file_atomic((std::filesystem::path(o->out) / "index.json").string(), doc.dump(2) + "\n");
        !st.ok()) {
      exit_code = report(st.error());
      return;
    }
    fmt::print("wrote {} {} architectures and index.json to {}\n", encodings->size(), o->space, o->out);
  });
}

}  // namespace nnlat::cli
