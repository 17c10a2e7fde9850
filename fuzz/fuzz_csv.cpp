// A CSV of end-to-end measurements (`nnlat import csv`) → import into a store in memory →
// every stored latency finite and positive, every network the import built accepted as a
// model (kernels, features, prediction).
//
// The first byte picks the options (bit 0: values in µs, else ms; bit 1: the model column
// holds zoo names, else NAS-Bench-201 strings); the rest is the file. The columns are fixed:
// `arch` for the model and `pixel4`, `board` for the targets.
#include "fuzz_store_checks.hpp"
#include "fuzz_support.hpp"
#include "nnlat/campaigns/csv_measurements.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  nnlat::campaigns::CsvImportOptions options;
  options.csv_path = nnlat::fuzz::write_scratch_file("import.csv", nnlat::fuzz::as_text(data + 1, size - 1));
  options.model_column = "arch";
  options.target_columns = {"pixel4", "board"};
  options.ms_per_unit = (data[0] & 1) != 0 ? 1e-3 : 1.0;
  options.format =
      (data[0] & 2) != 0 ? nnlat::campaigns::ModelColumnFormat::kZoo : nnlat::campaigns::ModelColumnFormat::kNb201;
  auto store = nnlat::fuzz::memory_store();
  nnlat::fuzz::check_store_import(nnlat::campaigns::import_csv_measurements(store, options), store, "csv import");
  return 0;
}
