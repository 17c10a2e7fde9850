// `nnlat export MODEL [--onnx FILE] [--tflite FILE] [--json FILE]`: write a model for other runtimes.
#include <fmt/core.h>

#include "cli_common.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/formats/tflite.hpp"
#include "nnlat/ir/passes.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::cli {

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Export a model as ONNX or TFLite (random weights) or nnlat JSON");
  struct Options {
    std::string model;
    std::string onnx;
    std::string tflite;
    std::string json;
    uint64_t seed = 0;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("model", o->model, "Model reference")->required();
  cmd->add_option("--onnx", o->onnx, "Write an ONNX file with random weights");
  cmd->add_option("--tflite", o->tflite,
                  "Write a float32 TFLite file with random weights (ops TFLite runs natively; batch norms after "
                  "conv/fc are folded as the TFLite converter does)");
  cmd->add_option("--json", o->json, "Write the nnlat JSON graph");
  cmd->add_option("--seed", o->seed, "Seed of the random weights");
  cmd->callback([o, &exit_code] {
    if (o->onnx.empty() && o->tflite.empty() && o->json.empty()) {
      exit_code =
          report(make_error(ErrorCode::kInvalidArgument, "export needs --onnx FILE, --tflite FILE or --json FILE"));
      return;
    }
    auto g = models::load_model(o->model);
    if (!g.ok()) {
      exit_code = report(g.error());
      return;
    }
    if (!o->onnx.empty()) {
      if (auto st = formats::export_onnx_file(*g, o->onnx, o->seed); !st.ok()) {
        exit_code = report(st.error());
        return;
      }
      fmt::print("wrote {}\n", o->onnx);
    }
    if (!o->tflite.empty()) {
      // TFLite has no batch-norm op: fold it into the preceding conv / fc first, as the
      // TFLite converter does. A batch norm that cannot be folded is still reported.
      auto folded = ir::fold_batch_norm(*g);
      if (!folded.ok()) {
        exit_code = report(folded.error());
        return;
      }
      if (auto st = formats::export_tflite_file(*folded, o->tflite, o->seed); !st.ok()) {
        exit_code = report(st.error());
        return;
      }
      fmt::print("wrote {}\n", o->tflite);
    }
    if (!o->json.empty()) {
      if (auto st = write_file_atomic(o->json, formats::graph_to_json(*g)); !st.ok()) {
        exit_code = report(st.error());
        return;
      }
      fmt::print("wrote {}\n", o->json);
    }
  });
}

}  // namespace nnlat::cli
