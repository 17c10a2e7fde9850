// The mobile ML benchmark dataset (`nnlat import mlbench`): an end-to-end file and, after a
// line `#ops`, an optional per-operation file → parse (every op model's graph an accepted
// model) → import into a store in memory → every stored latency finite and positive.
#include "fuzz_store_checks.hpp"
#include "fuzz_support.hpp"
#include "nnlat/campaigns/mlbench.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = nnlat::fuzz::as_text(data, size);
  constexpr std::string_view kSeparator = "\n#ops\n";
  const size_t cut = input.find(kSeparator);
  const std::string_view e2e = input.substr(0, cut);
  nnlat::campaigns::ImportOptions options;
  options.e2e_path = nnlat::fuzz::write_scratch_file("mlbench_e2e.csv", e2e);
  if (cut != std::string_view::npos) {
    const std::string_view ops = input.substr(cut + kSeparator.size());
    options.ops_path = nnlat::fuzz::write_scratch_file("mlbench_ops.csv", ops);
    auto parsed = nnlat::campaigns::parse_mlbench_ops(ops, "ops.csv");
    if (!parsed.ok()) {
      nnlat::fuzz::require_clear_error(parsed.error(), "mlbench ops");
    } else {
      for (const auto& model : parsed->models) nnlat::fuzz::check_accepted_graph(model.graph, "mlbench op model");
    }
  }
  auto store = nnlat::fuzz::memory_store();
  nnlat::fuzz::check_store_import(nnlat::campaigns::import_mlbench(store, options), store, "mlbench import");
  return 0;
}
