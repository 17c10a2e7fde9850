// The phone-dataset importers: CSV reading, the mobile ML benchmark format (headers decide
// devices, configs and precisions), `import csv`, and learning from what they store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "campaigns/mlbench/mlbench_rows.hpp"
#include "cli_test_util.hpp"
#include "nnlat/campaigns/csv_measurements.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/op_table.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/models/zoo.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat {
namespace {

using testing::TempDir;

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Two invented phones ("alpha", "beta") in the benchmark's format: nothing here is a real
// measurement, only the shape of the files.
const char* kOps =
    "model,operation,feature,alpha|gpu|float,alpha|gpu|kernel,beta|gpu|float,beta|gpu|kernel\n"
    "netA,CONV_2D,\"{'Input_shape': '34', 'Input_channel': 3, 'Output_shape': '32', 'Stride': '1', 'Kernel': '3', "
    "'Filter': '16', 'Group': '1', 'FLOPS': '884736'}\",50.0,convolution_2d_0_linked_:_relu_1,40.0,"
    "convolution_winograd_4x4_6x6_0\n"
    "netA,DEPTHWISE_CONV_2D,\"{'Input_shape': '32', 'Input_channel': 16, 'Output_shape': '16', 'Stride': '2', "
    "'Kernel': '3', 'Filter': '1', 'Group': '1', 'FLOPS': '36864'}\",20.0,depthwise_convolution_2,30.0,"
    "depthwise_conv_plus_1x1_conv_2_3\n"
    "netA,CONV_2D,\"{'Input_shape': '16', 'Input_channel': 16, 'Output_shape': '16', 'Stride': '1', 'Kernel': '1', "
    "'Filter': '32', 'Group': '1', 'FLOPS': '131072'}\",10.0,convolution_2d_3_linked_:_add_4_linked_:_relu_5,30.0,"
    "depthwise_conv_plus_1x1_conv_2_3\n"
    "netA,MEAN,\"{'Input_shape': '16', 'Input_channel': 32, 'Output_shape': '32', 'Stride': '-', 'Kernel': '0', "
    "'Filter': '-', 'Group': '-', 'FLOPS': '8192'}\",5.0,mean_6,4.0,mean_6\n"
    "netA,FULLY_CONNECTED,\"{'Input_shape': '-', 'Input_channel': 32, 'Output_shape': '-', 'Stride': '-', "
    "'Kernel': '-', 'Filter': '10', 'Group': '-', 'FLOPS': '320'}\",3.0,fully_connected_7,2.0,fully_connected_7\n"
    "netB,CONCATENATION,\"{'Input_shape': '8', 'Input_channel': 8, 'Output_shape': '8', 'Stride': '-', 'Kernel': '3', "
    "'Filter': '24', 'Group': '-', 'FLOPS': '-'}\",7.0,concat_0,-,-\n"
    "netB,MAX_POOL_2D,\"{'Input_shape': '8', 'Input_channel': 24, 'Output_shape': '4', 'Stride': '2', 'Kernel': '3', "
    "'Filter': '-', 'Group': '-', 'FLOPS': '-'}\",4.0,pooling_2d_1,3.0,pooling_2d_1\n";

const char* kE2e =
    "model,FLOPS,size,alpha|gpu|float|mean,alpha|gpu|float|std,alpha|2big|quant|mean,alpha|2big|quant|std,"
    "beta|gpu|float|mean,beta|gpu|float|std\n"
    "netA,1,1,120.0,3.0,900.0,10.0,150.0,2.0\n"
    "netB,1,1,30.0,1.0,-,,40.0,\n"
    "netC,1,1,10.0,1.0,20.0,1.0,,\n";

TEST(Csv, QuotedFieldsAndLineNumbers) {
  auto t = parse_csv("a,b\r\n\"x, \"\"y\"\"\",2\n\n\"multi\nline\",3\n", "t.csv");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].fields[0], "x, \"y\"");
  EXPECT_EQ(t->rows[1].fields[0], "multi\nline");
  EXPECT_EQ(t->rows[1].line, 4u);
  EXPECT_EQ(*t->column("b"), 1u);

  auto bad = parse_csv("a,b\n1,2\n3\n", "t.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("t.csv:3"), std::string::npos) << bad.error().message;
  auto open = parse_csv("a\n\"never closed\n", "t.csv");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("unterminated"), std::string::npos);

  EXPECT_FALSE(parse_csv_number("-", "x")->has_value());
  EXPECT_FALSE(parse_csv_number(" ", "x")->has_value());
  EXPECT_DOUBLE_EQ(**parse_csv_number("1e3", "x"), 1000.0);
  EXPECT_FALSE(parse_csv_number("12ms", "x").ok());
}

TEST(Mlbench, NamesTellImplementationAndFamily) {
  EXPECT_EQ(campaigns::mlbench_implementation("convolution_winograd_4x4_6x6_14"), "convolution_winograd_4x4_6x6");
  EXPECT_EQ(campaigns::mlbench_implementation("convolution_2d_16_linked_:_add_17_linked_:_relu_18"), "convolution_2d");
  EXPECT_EQ(campaigns::mlbench_implementation("depthwise_conv_plus_1x1_conv_5_6_7_linked_:_add_8"),
            "depthwise_conv_plus_1x1_conv");
  EXPECT_EQ(campaigns::mlbench_family("resnet18"), "resnet");
  EXPECT_EQ(campaigns::mlbench_family("regnetx016"), "regnetx");
  EXPECT_EQ(campaigns::mlbench_family("mobilenetv2_wd4"), "mobilenetv2");
}

// The same two invented phones under PyTorch Mobile: alpha runs Vulkan, beta Metal (which
// lists no kernel and no time for activations). Rows are grouped by operation, as in the
// public file, so netA's rows are not contiguous.
const char* kTorchOps =
    "model,operation,feature,alpha|gpu|float,alpha|gpu|kernel,beta|gpu|float,beta|gpu|kernel\n"
    "netA,vulkan_prepack::run_conv2d_context,\"{'input_channel': 3, 'input_shape': 32, 'output_channel': 16, "
    "'output_shape': 16, 'kernel_size': 3, 'stride': 2, 'padding': 1, 'groups': 1, 'flops': 110592}\",50.0,"
    "vulkan.conv2d,40.0,metal.prepack_conv2d\n"
    "netB,vulkan_prepack::run_conv2d_context,\"{'input_channel': 16, 'input_shape': 16, 'output_channel': 16, "
    "'output_shape': 16, 'kernel_size': 3, 'stride': 1, 'padding': 1, 'groups': 16}\",20.0,vulkan.conv2d_dw_3x3,"
    "10.0,metal.prepack_conv2d\n"
    "netA,aten::add,\"{'input_channel': 16, 'input_shape': 16, 'flops': 4096}\",5.0,vulkan.add,4.0,"
    "metal.elementwise_mpscnn\n"
    "netA,aten::relu,\"{'input_channel': 16, 'input_shape': 16, 'flops': 4096}\",3.0,vulkan.clamp,,\n"
    "netA,aten::max_pool2d,\"{'input_channel': 16, 'input_shape': 16, 'output_shape': 8, 'kernel_size': 3, "
    "'stride': 2, 'padding': 0}\",2.0,vulkan.max_pool2d,2.0,metal.max_pool2d\n"
    "netA,vulkan_prepack::run_linear_context,\"{'input_shape': 64, 'output_shape': 10, 'flops': 1270}\",1.0,"
    "vulkan.addmm,,metal.linear\n";

const char* kTorchE2e =
    "model,flops,size,alpha|2big|float|mean,alpha|2big|float|std,alpha|gpu|float|mean,alpha|gpu|float|std,"
    "beta|gpu|float|mean,beta|gpu|float|std\n"
    "netA,1,1,900.0,10.0,70.0,1.0,50.0,1.0\n"
    "netB,1,1,300.0,3.0,25.0,1.0,12.0,1.0\n";

TEST(MlbenchTorch, TargetsNameTheFrameworkAndTheGpuApi) {
  auto ops = campaigns::parse_mlbench_ops(kTorchOps, "ops.csv");
  ASSERT_TRUE(ops.ok()) << ops.error().message;
  EXPECT_EQ(ops->framework, campaigns::MlbenchFramework::kTorch);
  EXPECT_EQ(ops->targets, (std::vector<std::string>{"alpha:torch-vulkan:float", "beta:torch-metal:float"}));
  ASSERT_EQ(ops->models.size(), 2u);
  const auto& a = ops->models[0];
  EXPECT_EQ(a.name, "netA");
  // Each row is one kernel under the torch rules: conv, add, relu, pool, linear.
  auto kernels = fusion::detect_kernels(a.graph, *fusion::load_rule_set("torch-vulkan"));
  ASSERT_TRUE(kernels.ok());
  ASSERT_EQ(kernels->size(), 5u);
  EXPECT_EQ((*kernels)[1].type, "add");
  EXPECT_EQ((*kernels)[2].type, "relu");
  // netB's convolution has as many groups as channels: a depthwise convolution.
  EXPECT_EQ(ir::op_name(ops->models[1].graph.nodes().front().op), "depthwise_conv2d");
  // Vulkan's kernel column is the implementation, as PyTorch names it.
  const auto& alpha = a.timings.at("alpha:torch-vulkan:float");
  EXPECT_EQ(alpha[2].implementation, "vulkan.clamp");
  EXPECT_DOUBLE_EQ(alpha[2].latency_ms, 0.003);
  // Metal's relu has neither kernel nor time: fused, 0 ms. Its linear layer has a kernel but
  // no time: beta's timings of netA are incomplete, left out and counted.
  EXPECT_FALSE(a.timings.contains("beta:torch-metal:float"));
  EXPECT_EQ(ops->missing, 1u);
  std::string with_linear_time = kTorchOps;
  with_linear_time.replace(with_linear_time.find(",,metal.linear"), 14, ",1.5,metal.linear");
  auto full = campaigns::parse_mlbench_ops(with_linear_time, "ops.csv");
  ASSERT_TRUE(full.ok()) << full.error().message;
  const auto& beta = full->models[0].timings.at("beta:torch-metal:float");
  EXPECT_EQ(beta[2].implementation, "fused");
  EXPECT_DOUBLE_EQ(beta[2].latency_ms, 0.0);
  EXPECT_EQ(beta[1].implementation, "metal.elementwise_mpscnn");  // repeated names are not "fused" here
}

// Metal's column of the public file pairs some times with the wrong rows of their model and
// operation (docs/phones.md): here netS's 1×1 convolution (row 2) got a 3×3 convolution's time
// and the last 3×3 convolution the 1×1's. The Vulkan column, paired right, is the yardstick.
TEST(MlbenchTorch, MetalTimesAreRepairedWithTheirRowsByTheVulkanProportions) {
  const std::string conv3 =
      "netS,vulkan_prepack::run_conv2d_context,\"{'input_channel': 16, 'input_shape': 16, 'output_channel': 16, "
      "'output_shape': 16, 'kernel_size': 3, 'stride': 1, 'padding': 1, 'groups': 1}\",";
  const std::string conv1 =
      "netS,vulkan_prepack::run_conv2d_context,\"{'input_channel': 16, 'input_shape': 16, 'output_channel': 16, "
      "'output_shape': 16, 'kernel_size': 1, 'stride': 1, 'padding': 0, 'groups': 1}\",";
  const std::string header =
      "model,operation,feature,alpha|gpu|float,alpha|gpu|kernel,beta|gpu|float,beta|gpu|kernel\n";
  const std::string misplaced = header + conv3 + "100.0,vulkan.conv2d,50.0,metal.prepack_conv2d\n" + conv1 +
                                "10.0,vulkan.conv2d_pw_2x2,50.0,metal.prepack_conv2d\n" + conv3 +
                                "100.0,vulkan.conv2d,5.0,metal.prepack_conv2d\n";
  auto ops = campaigns::parse_mlbench_ops(misplaced, "ops.csv");
  ASSERT_TRUE(ops.ok()) << ops.error().message;
  EXPECT_EQ(ops->metal_rows_repaired, 2u);
  const auto& metal = ops->models[0].timings.at("beta:torch-metal:float");
  ASSERT_EQ(metal.size(), 3u);
  EXPECT_DOUBLE_EQ(metal[0].latency_ms, 0.050);
  EXPECT_DOUBLE_EQ(metal[1].latency_ms, 0.005);
  EXPECT_DOUBLE_EQ(metal[2].latency_ms, 0.050);
  const auto& vulkan = ops->models[0].timings.at("alpha:torch-vulkan:float");  // untouched
  EXPECT_DOUBLE_EQ(vulkan[1].latency_ms, 0.010);
  EXPECT_EQ(vulkan[1].implementation, "vulkan.conv2d_pw_2x2");

  // Times in the yardstick's proportions stay where the file put them, equal rows included.
  const std::string in_order = header + conv3 + "100.0,vulkan.conv2d,50.0,metal.prepack_conv2d\n" + conv1 +
                               "10.0,vulkan.conv2d_pw_2x2,5.0,metal.prepack_conv2d\n" + conv3 +
                               "100.0,vulkan.conv2d,52.0,metal.prepack_conv2d\n";
  auto kept = campaigns::parse_mlbench_ops(in_order, "ops.csv");
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_EQ(kept->metal_rows_repaired, 0u);
  EXPECT_DOUBLE_EQ(kept->models[0].timings.at("beta:torch-metal:float")[2].latency_ms, 0.052);
}

TEST(MlbenchTorch, UnknownOpsAndMixedFrameworksAreErrorsNamingTheLine) {
  std::string unknown = kTorchOps;
  unknown.replace(unknown.find("aten::add"), 9, "aten::gelu");
  auto a = campaigns::parse_mlbench_ops(unknown, "ops.csv");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("ops.csv:4"), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("aten::gelu"), std::string::npos) << a.error().message;

  std::string mixed = kTorchOps;
  mixed.replace(mixed.find("aten::add"), 9, "ADD");
  auto m = campaigns::parse_mlbench_ops(mixed, "ops.csv");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("ops.csv:4"), std::string::npos) << m.error().message;

  // A PyTorch Mobile GPU column without kernel names cannot say Vulkan or Metal.
  auto e2e = campaigns::parse_mlbench_e2e(kTorchE2e, "e2e.csv", {campaigns::MlbenchFramework::kTorch, {}});
  ASSERT_FALSE(e2e.ok());
  EXPECT_NE(e2e.error().message.find("--ops"), std::string::npos) << e2e.error().message;
}

// `text` with the first `from` replaced by `to` (a row's feature changed by hand).
std::string edited(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The parse error of a file that must be refused ("" when it was accepted).
std::string parse_error_of(const std::string& text) {
  auto ops = campaigns::parse_mlbench_ops(text, "ops.csv");
  EXPECT_FALSE(ops.ok());
  return ops.ok() ? std::string() : ops.error().message;
}

// Shapes as large as a file may say are errors naming the row, in no time: each feature was
// read up to 1e9, and a convolution whose group count comes from `flops` multiplied them past
// int64 (signed overflow, found by a crafted fuzz input); the window search looped once per
// kernel tap.
TEST(MlbenchTorch, HugeShapesAreErrorsNotOverflowsOrLongLoops) {
  // groups from `flops`: 16² · 16 · 10¹² · 3 multiply-accumulates
  const std::string dense =
      edited(edited(kTorchOps, "'kernel_size': 3", "'kernel_size': 1000000"), ", 'groups': 1,", ",");
  std::string message = parse_error_of(dense);
  EXPECT_NE(message.find("ops.csv:2"), std::string::npos) << message;
  EXPECT_NE(message.find("multiply-accumulates (dense) is more than any real network has"), std::string::npos)
      << message;

  message = parse_error_of(edited(kTorchOps, "'input_shape': 32", "'input_shape': 900000"));
  EXPECT_NE(message.find("3 x 900000 x 900000 input elements"), std::string::npos) << message;

  message = parse_error_of(edited(kTorchOps, "'input_channel': 3", "'input_channel': 999999999"));
  EXPECT_NE(message.find("input_channel '999999999' is not a whole number from 0 to 16777216"), std::string::npos)
      << message;

  // A kernel far larger than its input is padded into a window (as the search did), and then
  // its work is refused; an output no padding gives is refused without trying every tap.
  const std::string huge_kernel = edited(kTorchOps, "'kernel_size': 3", "'kernel_size': 9999999");
  message = parse_error_of(huge_kernel);
  EXPECT_NE(message.find("16 x 16 x 16 x 3 x 9999999 x 9999999 multiply-accumulates"), std::string::npos) << message;
  message = parse_error_of(edited(huge_kernel, "'output_shape': 16", "'output_shape': 1000"));
  EXPECT_NE(message.find("cannot give output 1000"), std::string::npos) << message;

  message = parse_error_of(
      edited(edited(kOps, "'Kernel': '3'", "'Kernel': '9999999'"), "'Output_shape': '32'", "'Output_shape': '1000'"));
  EXPECT_NE(message.find("no padding turns input 34 into output 1000"), std::string::npos) << message;

  // netB's concatenation of 3 inputs, now of 5,000
  message = parse_error_of(edited(kOps, "'Kernel': '3', 'Filter': '24'", "'Kernel': '5000', 'Filter': '9000'"));
  EXPECT_NE(message.find("5000 inputs to concatenate"), std::string::npos) << message;
}

// The window's padding as the benchmark's rows need it: the closed form gives what trying
// every extra padding from 0 to k − 1 gives, on every small case.
TEST(MlbenchTorch, WindowPaddingMatchesTheSearchItReplaced) {
  int64_t compared = 0;
  for (int64_t in = 1; in <= 12; ++in) {
    for (int64_t k = 1; k <= 7; ++k) {
      for (int64_t s = 1; s <= 3; ++s) {
        for (int64_t pad = 0; pad <= 3; ++pad) {
          for (int64_t out = 0; out <= 14; ++out) {
            std::optional<int64_t> searched;
            for (int64_t extra = 0; extra < k && !searched; ++extra) {
              const int64_t span = in + 2 * pad + extra - k;
              if (span >= 0 && span / s + 1 == out) searched = extra;
            }
            ASSERT_EQ(campaigns::mlbench_rows::least_extra_padding(in + 2 * pad - k, out, k, s), searched)
                << "in " << in << " k " << k << " s " << s << " pad " << pad << " out " << out;
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(MlbenchTorch, ImportKeepsBothFrameworksTargetsOfOnePhoneApart) {
  TempDir dir("mlbench_torch");
  write(dir.file("ops.csv"), kOps);
  write(dir.file("e2e.csv"), kE2e);
  write(dir.file("torch_ops.csv"), kTorchOps);
  write(dir.file("torch_e2e.csv"), kTorchE2e);
  const std::string db = dir.file("m.db");
  auto tflite = testing::run_cli("import mlbench --e2e " + dir.file("e2e.csv") + " --ops " + dir.file("ops.csv") +
                                 " --db " + db + " --json");
  ASSERT_EQ(tflite.exit_code, 0) << tflite.err;
  EXPECT_EQ(nlohmann::json::parse(tflite.out)["framework"], "tflite");
  // The end-to-end file alone cannot name the torch GPU targets yet: refused, nothing written.
  auto early = testing::run_cli("import mlbench --e2e " + dir.file("torch_e2e.csv") + " --db " + db);
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.err.find("Vulkan or Metal"), std::string::npos) << early.err;
  auto torch = testing::run_cli("import mlbench --e2e " + dir.file("torch_e2e.csv") + " --ops " +
                                dir.file("torch_ops.csv") + " --db " + db + " --json");
  ASSERT_EQ(torch.exit_code, 0) << torch.err;
  auto j = nlohmann::json::parse(torch.out);
  EXPECT_EQ(j["framework"], "torch");
  EXPECT_EQ(j["framework_from"], "operation names");
  EXPECT_EQ(j["targets"], 3);
  EXPECT_EQ(j["measurements"], 6);
  EXPECT_EQ(j["with_kernel_timings"], 3);  // alpha's netA and netB, beta's netB
  // --framework contradicting the operation names is refused.
  auto wrong = testing::run_cli("import mlbench --e2e " + dir.file("torch_e2e.csv") + " --ops " +
                                dir.file("torch_ops.csv") + " --db " + db + " --framework tflite");
  EXPECT_NE(wrong.exit_code, 0);
  // Now the store knows alpha's and beta's GPU APIs: the end-to-end file alone imports, its
  // framework told by its name.
  auto again = testing::run_cli("import mlbench --e2e " + dir.file("torch_e2e.csv") + " --db " + db + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["framework_from"], "file name");
  EXPECT_EQ(nlohmann::json::parse(again.out)["targets"], 3);

  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok());
  for (const char* t : {"alpha:gpu:float", "alpha:torch-vulkan:float", "alpha:torch-2big:float",
                        "beta:torch-metal:float", "beta:gpu:float"}) {
    EXPECT_TRUE(store->target_id(t).ok()) << t;
  }
  EXPECT_EQ(predictors::default_rules_for("alpha:torch-vulkan:float"), "torch-vulkan");
  EXPECT_EQ(predictors::default_rules_for("beta:torch-metal:float"), "torch-metal");
  auto data = predictors::load_training_set(*store, "alpha:torch-vulkan:float", "torch-vulkan");
  ASSERT_TRUE(data.ok()) << data.error().message;
  EXPECT_EQ(data->networks.size(), 2u);
  EXPECT_EQ(data->kernels.size(), 6u);  // netA's five rows and netB's one
  // The TFLite GPU target measured the same models as other graphs: transfer from it matches
  // them by name (docs/phones.md, "Matching networks").
  ASSERT_TRUE(predictors::attach_transfer_source(*data, *store, "alpha:gpu:float").ok());
  EXPECT_EQ(data->source_matches.at(0).by_id, 0u);
  EXPECT_EQ(data->source_matches.at(0).by_name, 2u);
  EXPECT_EQ(data->source_matches.at(0).predicted, 0u);
  for (const auto& n : data->networks)
    EXPECT_DOUBLE_EQ(predictors::source_latency_ms(n.kernels, 0), n.name == "netA" ? 0.120 : 0.030);
}

TEST(Mlbench, OpsBuildOneKernelPerRowWithTheHeadersPhones) {
  auto ops = campaigns::parse_mlbench_ops(kOps, "ops.csv");
  ASSERT_TRUE(ops.ok()) << ops.error().message;
  EXPECT_EQ(ops->targets, (std::vector<std::string>{"alpha:gpu:float", "beta:gpu:float"}));
  ASSERT_EQ(ops->models.size(), 2u);
  const auto& a = ops->models[0];
  auto rules = fusion::load_rule_set("tflite-gpu");
  ASSERT_TRUE(rules.ok());
  auto kernels = fusion::detect_kernels(a.graph, *rules);
  ASSERT_TRUE(kernels.ok());
  ASSERT_EQ(kernels->size(), 5u);
  // The linked tail of row 3 (add, relu) joined its 1x1 convolution.
  EXPECT_EQ((*kernels)[2].nodes.size(), 3u);
  // Padding was inferred: 34 -> 32 with a 3x3 valid conv; 32 -> 16 with stride 2.
  ASSERT_TRUE(a.timings.contains("alpha:gpu:float"));
  const auto& beta = a.timings.at("beta:gpu:float");
  EXPECT_EQ(beta[0].implementation, "convolution_winograd_4x4_6x6");
  EXPECT_EQ(beta[1].implementation, "depthwise_conv_plus_1x1_conv");
  EXPECT_DOUBLE_EQ(beta[1].latency_ms, 0.030);
  EXPECT_EQ(beta[2].implementation, "fused");  // the same kernel ran both rows
  EXPECT_DOUBLE_EQ(beta[2].latency_ms, 0.0);
  // netB lacks beta's concat time: beta's timings of netB are left out and counted.
  EXPECT_FALSE(ops->models[1].timings.contains("beta:gpu:float"));
  EXPECT_EQ(ops->missing, 1u);
}

TEST(Mlbench, MalformedRowsNameFileAndLine) {
  std::string broken = kOps;
  broken.replace(broken.find("'Kernel': '1'"), 13, "'Kernel': 'x'");
  auto ops = campaigns::parse_mlbench_ops(broken, "ops.csv");
  ASSERT_FALSE(ops.ok());
  EXPECT_NE(ops.error().message.find("ops.csv:4"), std::string::npos) << ops.error().message;

  auto e2e = campaigns::parse_mlbench_e2e("model,x|gpu|float|mean\nnetA,fast\n", "e2e.csv");
  ASSERT_FALSE(e2e.ok());
  EXPECT_NE(e2e.error().message.find("e2e.csv:2"), std::string::npos) << e2e.error().message;
  EXPECT_FALSE(campaigns::parse_mlbench_e2e("model,size\nnetA,1\n", "e2e.csv").ok());
}

// The two invented phones' files written into `dir`, as import options.
campaigns::ImportOptions two_phone_files(const TempDir& dir) {
  write(dir.file("ops.csv"), kOps);
  write(dir.file("e2e.csv"), kE2e);
  campaigns::ImportOptions o;
  o.e2e_path = dir.file("e2e.csv");
  o.ops_path = dir.file("ops.csv");
  return o;
}

TEST(Mlbench, ImportIsResumableAndFeedsTraining) {
  TempDir dir("mlbench");
  const campaigns::ImportOptions o = two_phone_files(dir);
  auto store = store::Store::open(dir.file("m.db"));
  ASSERT_TRUE(store.ok());
  auto s = campaigns::import_mlbench(*store, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->targets, 3u);
  EXPECT_EQ(s->measurements, 5u);  // netA x3, netB x2; netC has no op sequence
  EXPECT_EQ(s->with_kernel_timings, 3u);
  EXPECT_EQ(s->unknown_models, std::vector<std::string>{"netC"});
  EXPECT_EQ(s->missing, 3u);  // two empty e2e cells, beta's netB ops

  auto again = campaigns::import_mlbench(*store, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->measurements, 0u);
  EXPECT_EQ(again->already_imported, 5u);

  auto data = predictors::load_training_set(*store, "beta:gpu:float", "tflite-gpu");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_EQ(data->networks.size(), 2u);
  EXPECT_NEAR(data->networks[0].latency_ms, 0.150, 1e-12);
  ASSERT_EQ(data->kernels.size(), 5u);  // netA's in-network timings only
  EXPECT_EQ(*data->kernels[0].network, 0u);
  // Held out, netA's kernels leave training; netB's (none on beta) stay.
  const std::vector<size_t> held_out = {0};
  EXPECT_TRUE(predictors::kernel_rows_excluding(*data, held_out).empty());
}

// One transaction: a write that fails after others were made (beta's column, a target stored
// before with another backend, is refused after the networks and alpha's values were written)
// leaves the store as it was, and does not leave it locked.
TEST(Mlbench, FailedImportLeavesTheStoreAsItWas) {
  TempDir dir("mlbench");
  campaigns::ImportOptions o = two_phone_files(dir);
  auto store = store::Store::open(dir.file("m.db"));
  ASSERT_TRUE(store.ok());
  auto beta = measure::parse_target_name("beta:gpu:float");
  ASSERT_TRUE(beta.ok());
  ASSERT_TRUE(store->upsert_target(*beta, "fake").ok());
  auto counts = [&] {
    auto s = store->stats();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::vector<int64_t>{s->targets, s->networks, s->campaigns, s->network_measurements}
                  : std::vector<int64_t>{};
  };
  const std::vector<int64_t> before = counts();
  EXPECT_EQ(before, (std::vector<int64_t>{1, 0, 0, 0}));

  auto failed = campaigns::import_mlbench(*store, o);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("beta:gpu:float"), std::string::npos) << failed.error().message;
  EXPECT_EQ(counts(), before);
  EXPECT_TRUE(store->check_integrity().ok());

  // Without beta's columns the same files import: the failed one left nothing behind.
  write(dir.file("e2e-alpha.csv"),
        "model,FLOPS,size,alpha|gpu|float|mean,alpha|gpu|float|std\nnetA,1,1,120.0,3.0\nnetB,1,1,30.0,1.0\n");
  o.e2e_path = dir.file("e2e-alpha.csv");
  auto next = campaigns::import_mlbench(*store, o);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->measurements, 2u);
  EXPECT_EQ(next->already_imported, 0u);
}

// The transformer files have no op rows: checkpoints that the zoo builds get its graphs, the
// others stay unknown by name. Invented values in the files' format.
const char* kTransformerE2e =
    "model,FLOPS,size,alpha|1large|float|mean,alpha|1large|float|std,alpha|2large|float|mean,alpha|2large|float|std\n"
    "deit-tiny-distilled-patch16-224,1,1,90000.0,100,60000.0,200\n"
    "beit-base-patch16-224,1,1,700000.0,100,400000.0,200\n"
    "mobilevit-xx-small,1,1,30000.0,100,,\n";

void expect_transformers_imported(const store::Store& store, const campaigns::ImportSummary& s,
                                  const std::string& source) {
  EXPECT_EQ(s.targets, 2u);
  EXPECT_EQ(s.from_zoo, 2u);
  EXPECT_EQ(s.measurements, 3u);  // deit x2, mobilevit x1
  EXPECT_EQ(s.unknown_models, std::vector<std::string>{"beit-base-patch16-224"});
  auto nets = store.subject_latencies("alpha:1large:float", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(nets.ok()) << nets.error().message;
  ASSERT_EQ(nets->size(), 2u);
  std::map<std::string, std::string> family;
  for (const auto& n : *nets) {
    family[n.name] = n.family;
    EXPECT_EQ(n.source, source) << n.name;
    EXPECT_NE(n.graph_json.find("layer_norm"), std::string::npos) << n.name << ": not a transformer graph";
  }
  EXPECT_EQ(family["deit-tiny-distilled-patch16-224"], "DeiT");
  EXPECT_EQ(family["mobilevit-xx-small"], "MobileViT");
}

TEST(Mlbench, TransformerCheckpointsGetZooGraphs) {
  TempDir dir("mlbench_vit");
  write(dir.file("ops.csv"), kOps);
  write(dir.file("e2e.csv"), kE2e);
  write(dir.file("vit.csv"), kTransformerE2e);
  write(dir.file("torch_vit.csv"), kTransformerE2e);
  campaigns::ImportOptions o;
  o.e2e_path = dir.file("vit.csv");
  {  // Alone, into an empty store.
    auto store = store::Store::open(dir.file("alone.db"));
    ASSERT_TRUE(store.ok());
    auto s = campaigns::import_mlbench(*store, o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    expect_transformers_imported(*store, *s, "mlbench");
    auto again = campaigns::import_mlbench(*store, o);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->measurements, 0u);
    EXPECT_EQ(again->already_imported, 3u);
  }
  // After a CNN import into the same store; and the torch file under the torch source.
  auto store = store::Store::open(dir.file("after.db"));
  ASSERT_TRUE(store.ok());
  campaigns::ImportOptions cnn;
  cnn.e2e_path = dir.file("e2e.csv");
  cnn.ops_path = dir.file("ops.csv");
  ASSERT_TRUE(campaigns::import_mlbench(*store, cnn).ok());
  auto s = campaigns::import_mlbench(*store, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  expect_transformers_imported(*store, *s, "mlbench");
  auto cnns = store->subject_latencies("alpha:gpu:float", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(cnns.ok());
  EXPECT_EQ(cnns->size(), 2u);  // netA, netB: untouched
  o.e2e_path = dir.file("torch_vit.csv");
  auto t = campaigns::import_mlbench(*store, o);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->framework, campaigns::MlbenchFramework::kTorch);
  EXPECT_EQ(t->measurements, 3u);
  EXPECT_EQ(t->unknown_models, std::vector<std::string>{"beit-base-patch16-224"});
  auto torch = store->subject_latencies("alpha:torch-1large:float", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(torch.ok()) << torch.error().message;
  EXPECT_EQ(torch->size(), 2u);
}

TEST(ImportCli, CsvTargetsAreNamedAsTheirColumns) {
  TempDir dir("importcsv");
  write(dir.file("lat.csv"),
        "arch,pixel2,board_x\n"
        "\"|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|skip_connect~1|avg_pool_3x3~2|\",1500,0\n"
        "\"|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|skip_connect~1|avg_pool_3x3~2|\",1200,\n");
  const std::string db = dir.file("m.db");
  auto r = testing::run_cli("import csv --csv " + dir.file("lat.csv") +
                            " --model-column arch --format nb201 --target-columns pixel2,board_x --unit us --db " + db +
                            " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"measurements\":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"skipped\":2"), std::string::npos) << r.out;
  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok());
  auto nets = store->subject_latencies("pixel2", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(nets.ok()) << nets.error().message;
  ASSERT_EQ(nets->size(), 2u);
  EXPECT_DOUBLE_EQ((*nets)[0].median_ms, 1.5);

  auto bad = testing::run_cli("import csv --csv " + dir.file("lat.csv") +
                              " --model-column nope --format nb201 --target-columns pixel2 --unit us --db " + db);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no column 'nope'"), std::string::npos) << bad.err;
}

// The shared phone dataset, when present: every GPU target imports, and op-wise prediction
// with kernel selection beats the whole-network baseline on held-out networks and meets the
// GPU accuracy goal on iphonexs (5-fold CV; the other phones: scripts/phones-campaign.sh).
std::string shared_dataset(const std::string& file) {
  for (const char* dir : {"../shared/datasets/mobile-ml-benchmark/", "../../shared/datasets/mobile-ml-benchmark/",
                          "../../../shared/datasets/mobile-ml-benchmark/"}) {
    const std::string p = std::string(NNLAT_SOURCE_DIR) + "/" + dir + file;
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

TEST(Mlbench, SharedPhoneDatasetOpwiseBeatsBaselines) {
  const std::string e2e = shared_dataset("tflite_cnn_e2e.csv");
  const std::string ops = shared_dataset("tflite_cnn_ops_gpu.csv");
  if (e2e.empty() || ops.empty()) GTEST_SKIP() << "../shared/datasets/mobile-ml-benchmark not found";
  TempDir dir("mlbench_shared");
  const std::string db = dir.file("m.db");
  auto r = testing::run_cli("import mlbench --e2e " + e2e + " --ops " + ops + " --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"with_kernel_timings\":306"), std::string::npos) << r.out;
  auto ev = testing::run_cli("eval --db " + db +
                             " --target iphonexs:gpu:float --method opwise-gbdt --cv 5 --no-intervals "
                             "--baselines e2e-ridge --json");
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  auto j = nlohmann::json::parse(ev.out);
  EXPECT_EQ(j["n"], 102);
  EXPECT_LT(j["mape"].get<double>(), j["baselines"]["e2e-ridge"]["mape"].get<double>());
  // The GPU goal of docs/phones.md, on this phone: MAPE <= 4%, >= 95% within ±10%.
  EXPECT_LE(j["mape"].get<double>(), 0.04);
  EXPECT_GE(j["acc10"].get<double>(), 0.95);
  EXPECT_GT(j["kernel_selection"]["accuracy"].get<double>(), 0.9);
}

TEST(MlbenchTorch, SharedPhoneDatasetVulkanOpwiseMeetsTheGpuGoal) {
  const std::string e2e = shared_dataset("torch_cnn_e2e.csv");
  const std::string ops = shared_dataset("torch_cnn_ops_gpu.csv");
  if (e2e.empty() || ops.empty()) GTEST_SKIP() << "../shared/datasets/mobile-ml-benchmark not found";
  TempDir dir("mlbench_torch_shared");
  const std::string db = dir.file("m.db");
  auto r = testing::run_cli("import mlbench --e2e " + e2e + " --ops " + ops + " --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto imported = nlohmann::json::parse(r.out);
  EXPECT_EQ(imported["framework"], "torch");
  EXPECT_GT(imported["with_kernel_timings"].get<int>(), 250);
  EXPECT_GT(imported["metal_rows_repaired"].get<int>(), 100);  // 436 with the shipped file
  auto ev = testing::run_cli("eval --db " + db +
                             " --target pixel4:torch-vulkan:float --method opwise-gbdt --cv 5 --no-intervals "
                             "--baselines e2e-ridge --json");
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  auto j = nlohmann::json::parse(ev.out);
  EXPECT_EQ(j["n"], 100);
  EXPECT_LT(j["mape"].get<double>(), j["baselines"]["e2e-ridge"]["mape"].get<double>());
  // The PyTorch Mobile GPU goal of docs/phones.md, on this phone: MAPE <= 4%, >= 95% within ±10%.
  EXPECT_LE(j["mape"].get<double>(), 0.04);
  EXPECT_GE(j["acc10"].get<double>(), 0.95);
  // Metal, with its times re-paired to their rows: 5.1% / 93.9% (docs/phones.md), short of the
  // goal; 10.5% / 57.6% before the re-pairing. A guard against losing the re-pairing.
  auto metal = testing::run_cli("eval --db " + db +
                                " --target iphonexs:torch-metal:float --method opwise-gbdt --cv 5 --no-intervals "
                                "--baselines lut --json");
  ASSERT_EQ(metal.exit_code, 0) << metal.err;
  auto m = nlohmann::json::parse(metal.out);
  EXPECT_LE(m["mape"].get<double>(), 0.07);
  EXPECT_GE(m["acc10"].get<double>(), 0.85);
}

// The real transformer files, when present: every checkpoint the zoo maps gets a graph, the
// others are listed by name, alone and after the CNN file.
TEST(Mlbench, SharedTransformerFilesImportTheZooCheckpoints) {
  for (const char* file : {"tflite_transformer_e2e.csv", "torch_transformer_e2e.csv"}) {
    const std::string e2e = shared_dataset(file);
    if (e2e.empty()) GTEST_SKIP() << "../shared/datasets/mobile-ml-benchmark not found";
    auto text = read_file(e2e);
    ASSERT_TRUE(text.ok());
    auto table = campaigns::parse_mlbench_e2e(*text, e2e, {campaigns::MlbenchFramework::kTflite, {}});
    ASSERT_TRUE(table.ok()) << table.error().message;
    std::set<std::string> mapped, unmapped;
    for (const auto& v : table->values) {
      (models::zoo_ref_for_checkpoint(v.model) ? mapped : unmapped).insert(v.model);
    }
    TempDir dir("mlbench_vit_shared");
    auto r = testing::run_cli("import mlbench --e2e " + e2e + " --db " + dir.file("m.db") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["from_zoo"].get<size_t>(), mapped.size()) << file;
    EXPECT_EQ(j["networks"].get<size_t>(), mapped.size()) << file;
    EXPECT_EQ(j["unknown_models"].get<std::vector<std::string>>(),
              std::vector<std::string>(unmapped.begin(), unmapped.end()))
        << file;
    EXPECT_GT(mapped.size(), 20u) << file;
  }
}

}  // namespace
}  // namespace nnlat
