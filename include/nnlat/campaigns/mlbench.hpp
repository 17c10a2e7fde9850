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
//
// Two frameworks share the format. TFLite files name ops as the converter does (CONV_2D) and
// their targets keep the header's names (`pixel4:gpu:float`); PyTorch Mobile files name ops as
// PyTorch does (`vulkan_prepack::run_conv2d_context`, `aten::add`) and their targets carry the
// framework in the config: `pixel4:torch-1large:float`, and for the GPU the API the kernel
// column shows, `pixel4:torch-vulkan:float` or `iphonexs:torch-metal:float`.
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

enum class MlbenchFramework { kTflite, kTorch };

// "tflite" | "torch".
std::string_view mlbench_framework_name(MlbenchFramework framework);
Result<MlbenchFramework> parse_mlbench_framework(std::string_view name);
// The source recorded with the networks a framework's per-operation file builds ("mlbench",
// "mlbench-torch"): one model from both frameworks' files is two graphs of one name.
std::string mlbench_network_source(MlbenchFramework framework);

// How a file's `device|config|precision` header becomes a target name.
struct MlbenchNaming {
  MlbenchFramework framework = MlbenchFramework::kTflite;
  // PyTorch Mobile only: the GPU API per device ("vulkan", "metal"), read from the kernel
  // column of a per-operation file or from targets imported before. A torch `gpu` column of
  // a device not listed here is an error (the end-to-end file alone does not say).
  std::map<std::string, std::string> gpu_api;
};

// The target of one header setting under `naming`, e.g. ("pixel4", "2med", "float") →
// "pixel4:torch-2med:float" under PyTorch Mobile. Errors name `where`.
Result<std::string> mlbench_target(const std::string& device, const std::string& config, const std::string& precision,
                                   const MlbenchNaming& naming, const std::string& where);

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
Result<MlbenchE2e> parse_mlbench_e2e(std::string_view text, const std::string& source,
                                     const MlbenchNaming& naming = {});

struct MlbenchModel {
  std::string name;
  ir::Graph graph;  // islands, one per op row (see above), verified
  // Per GPU target found in the header (`device:gpu:float`): the kernel timings in op-row
  // order. TFLite: a row whose kernel name repeats the previous row's (one kernel ran both,
  // e.g. Apple's fused depthwise + 1×1) gets implementation "fused" and 0 ms; the time stays
  // with the first. PyTorch Mobile: a row with neither kernel nor time (Metal's activations
  // and batch norms) is "fused" with 0 ms too. Targets whose value is missing for any other
  // row of this model are left out.
  std::map<std::string, std::vector<store::KernelTiming>> timings;
};

struct MlbenchOps {
  MlbenchFramework framework = MlbenchFramework::kTflite;  // from the operation names
  std::map<std::string, std::string> gpu_api;              // PyTorch Mobile: device → "vulkan" | "metal"
  std::vector<std::string> targets;                        // GPU targets in header order
  std::vector<MlbenchModel> models;                        // in file order
  size_t missing = 0;                                      // (model, target) pairs left out for missing values
  // PyTorch Mobile Metal rows whose time (and kernel name) was moved to another row of the
  // same model and operation: the file pairs some with the wrong rows (docs/phones.md).
  size_t metal_rows_repaired = 0;
};

// Parses the per-operation file and builds every model's graph. The framework is what the
// operation names say (`aten::`/`vulkan_prepack::` are PyTorch Mobile's); a file mixing both
// is an error. Under PyTorch Mobile a model's rows need not be contiguous (the public file
// groups them by operation), and each row is one kernel under the `torch-vulkan` rules.
// Errors name the file, line and field.
Result<MlbenchOps> parse_mlbench_ops(std::string_view text, const std::string& source);

// The implementation a kernel name says was chosen: the name without its node numbers and
// linked tail ("convolution_winograd_4x4_6x6_1" → "convolution_winograd_4x4_6x6").
std::string mlbench_implementation(std::string_view kernel_name);

// The network family of a model name: the part before the first '_' without a trailing
// size number ("resnet18" → "resnet", "regnetx016" → "regnetx", "mobilenetv2_wd4" →
// "mobilenetv2": a digit after 'v' is a version).
std::string mlbench_family(std::string_view model);

struct ImportOptions {
  // Unset: what the per-operation file's names say, else a `torch` prefix of the end-to-end
  // file's name, else TFLite (ImportSummary::framework says which, and why).
  std::optional<MlbenchFramework> framework;
  std::string e2e_path;
  // Without it, models must already be in the store or be checkpoints that the zoo builds
  // (models::zoo_ref_for_checkpoint: the transformer files).
  std::optional<std::string> ops_path;
  std::function<void(const std::string&)> progress;  // optional, one line per target
};

struct ImportSummary {
  MlbenchFramework framework = MlbenchFramework::kTflite;
  std::string framework_from;  // "--framework", "operation names", "file name" or "default"
  size_t targets = 0;
  size_t networks = 0;             // networks created or found
  size_t measurements = 0;         // end-to-end measurements added now
  size_t already_imported = 0;     // skipped: imported before (same files, same target)
  size_t with_kernel_timings = 0;  // measurements that carry a per-kernel breakdown
  size_t missing = 0;              // empty or '-' cells
  size_t from_zoo = 0;             // networks built now from the zoo by checkpoint name
  size_t metal_rows_repaired = 0;  // MlbenchOps::metal_rows_repaired of the per-operation file
  // In the e2e file but with neither an op sequence nor a zoo model of that checkpoint name.
  std::vector<std::string> unknown_models;
};

// Imports both files into `store`: one target per header setting (backend "dataset"), one
// network per model, one measurement per value (the mean as the central value; samples are
// not published). Each target is a campaign keyed by the files' contents, so a re-run or a
// killed import resumes without duplicates. Everything is parsed and checked before the
// first write.
Result<ImportSummary> import_mlbench(store::Store& store, const ImportOptions& options);

}  // namespace nnlat::campaigns
