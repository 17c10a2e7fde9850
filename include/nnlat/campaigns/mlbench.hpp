// Importer for the mobile ML latency benchmark format (docs/phones.md): an end-to-end file
// with one `<device>|<config>|<precision>|mean` / `...|std` column pair per target, and an
// optional per-operation GPU file with `<device>|gpu|float` (µs) and `<device>|gpu|kernel`
// (the GPU delegate's kernel name) per phone. Targets, devices, configs and precisions come
// from the headers only, so files with other phones import unchanged.
//
// The per-operation file lists each model's compute ops in execution order with their shapes
// but not the edges between them; a model becomes a graph of independent kernels ("islands":
// each op reads its own input of the listed shape, followed by the element-wise ops that the
// kernel names say were linked into it). Kernel features, MACs and bytes are exact; what the
// graph does not say is which kernel feeds which.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::campaigns {

// One end-to-end value: `target` is `device:config:precision` from the column header.
struct MlbenchE2eValue {
  std::string model;
  std::string target;
  double mean_ms = 0;
  std::optional<double> std_ms;
  size_t line = 0;
};

struct MlbenchE2e {
  std::vector<std::string> targets;  // in header order
  std::vector<MlbenchE2eValue> values;
  size_t missing = 0;  // (model, target) cells left empty or '-'
};

// Parses the end-to-end file (times in µs, stored in ms). Errors name the file and line.
Result<MlbenchE2e> parse_mlbench_e2e(std::string_view text, const std::string& source);

struct MlbenchModel {
  std::string name;
  ir::Graph graph;  // islands, one per op row (see above), verified
  // Per GPU target found in the header (`device:gpu:float`): the kernel timings in op-row
  // order. A row whose kernel name repeats the previous row's (one kernel ran both, e.g.
  // Apple's fused depthwise + 1×1) gets implementation "fused" and 0 ms; the time stays
  // with the first. Targets whose value is missing for any row of this model are left out.
  std::map<std::string, std::vector<store::KernelTiming>> timings;
};

struct MlbenchOps {
  std::vector<std::string> targets;  // GPU targets in header order
  std::vector<MlbenchModel> models;  // in file order
  size_t missing = 0;                // (model, target) pairs left out for missing values
};

// Parses the per-operation file and builds every model's graph. Errors name the file, line
// and field.
Result<MlbenchOps> parse_mlbench_ops(std::string_view text, const std::string& source);

// The implementation a kernel name says was chosen: the name without its node numbers and
// linked tail ("convolution_winograd_4x4_6x6_1" → "convolution_winograd_4x4_6x6").
std::string mlbench_implementation(std::string_view kernel_name);

// The network family of a model name: the part before the first '_' without a trailing
// size number ("resnet18" → "resnet", "regnetx016" → "regnetx", "mobilenetv2_wd4" →
// "mobilenetv2": a digit after 'v' is a version).
std::string mlbench_family(std::string_view model);

struct ImportOptions {
  std::string e2e_path;
  std::optional<std::string> ops_path;               // without it, models must already be in the store
  std::function<void(const std::string&)> progress;  // optional, one line per target
};

struct ImportSummary {
  size_t targets = 0;
  size_t networks = 0;                      // networks created or found
  size_t measurements = 0;                  // end-to-end measurements added now
  size_t already_imported = 0;              // skipped: imported before (same files, same target)
  size_t with_kernel_timings = 0;           // measurements that carry a per-kernel breakdown
  size_t missing = 0;                       // empty or '-' cells
  std::vector<std::string> unknown_models;  // in the e2e file but without an op sequence
};

// Imports both files into `store`: one target per header setting (backend "dataset"), one
// network per model, one measurement per value (the mean as the central value; samples are
// not published). Each target is a campaign keyed by the files' contents, so a re-run or a
// killed import resumes without duplicates. Everything is parsed and checked before the
// first write.
Result<ImportSummary> import_mlbench(store::Store& store, const ImportOptions& options);

}  // namespace nnlat::campaigns
