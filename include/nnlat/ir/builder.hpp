// Programmatic graph construction for the zoo and the NAS spaces. Shapes are inferred as
// each node is added, so a wrong channel count fails at the line that caused it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::ir {

enum class Act { kNone, kRelu, kRelu6, kHardSwish, kHardSigmoid, kSigmoid, kSwish, kTanh, kGelu };

// Thrown only inside the builder; `GraphBuilder::run` turns it into an Error so that no
// exception crosses the public API.
struct BuildError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name);

  ValueId input(Shape shape, std::string value_name = "input", DType dtype = DType::kFloat32);

  // Generic node with one output; the name defaults to "<prefix><op>_<n>".
  ValueId op(OpKind kind, std::vector<ValueId> inputs, Attrs attrs = {}, std::string node_name = "");
  std::vector<ValueId> op_multi(OpKind kind, std::vector<ValueId> inputs, Attrs attrs, size_t num_outputs,
                                std::string node_name = "");

  // Convolution with PyTorch-style symmetric padding ((k-1)/2 * dilation). groups equal to
  // the input and output channel count produces depthwise_conv2d.
  ValueId conv(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride = 1, int64_t groups = 1,
               bool bias = false, int64_t dilation = 1);
  ValueId conv_explicit(ValueId x, int64_t out_channels, std::vector<int64_t> kernel, std::vector<int64_t> stride,
                        std::vector<int64_t> pads, int64_t groups = 1, bool bias = false);
  ValueId depthwise(ValueId x, int64_t kernel, int64_t stride = 1, bool bias = false, int64_t dilation = 1);
  ValueId batch_norm(ValueId x);
  ValueId activation(ValueId x, Act act);  // kNone returns x unchanged
  // conv (no bias) + batch_norm + activation: the standard CNN block.
  ValueId conv_bn_act(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride, int64_t groups, Act act);
  ValueId fully_connected(ValueId x, int64_t out_features, bool bias = true);
  ValueId add(ValueId a, ValueId b);
  ValueId mul(ValueId a, ValueId b);
  ValueId concat(std::vector<ValueId> xs, int64_t axis = 1);
  ValueId max_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0, bool ceil_mode = false);
  ValueId avg_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0, bool count_include_pad = false,
                   bool ceil_mode = false);
  ValueId global_avg_pool(ValueId x);
  ValueId flatten(ValueId x);
  ValueId channel_shuffle(ValueId x, int64_t groups);
  std::vector<ValueId> split(ValueId x, std::vector<int64_t> sizes, int64_t axis = 1);
  // Squeeze-and-excite as its parts: global_avg_pool -> 1x1 conv (bias) -> inner act ->
  // 1x1 conv (bias) -> gate act -> mul with x.
  ValueId squeeze_excite(ValueId x, int64_t reduced_channels, Act inner = Act::kRelu, Act gate = Act::kSigmoid);
  // global_avg_pool -> flatten -> [dropout omitted] -> fully_connected.
  ValueId classifier(ValueId x, int64_t num_classes);

  const Shape& shape(ValueId v) const { return graph_.value(v).shape; }
  int64_t channels(ValueId v) const { return shape(v).at(1); }

  // Node names are prefixed with the innermost scope ("stage2.block1.").
  void push_scope(const std::string& scope);
  void pop_scope();

  Graph finish(std::vector<ValueId> outputs);
  Graph& graph() { return graph_; }

  // Runs `build` (which may throw BuildError from any builder call) and returns its graph
  // or the error, verified.
  template <typename F>
  static Result<Graph> run(F&& build) {
    try {
      Graph g = build();
      if (auto st = verify(g); !st.ok()) return st.error();
      return g;
    } catch (const BuildError& e) {
      return make_error(ErrorCode::kShapeError, e.what());
    }
  }

 private:
  std::string next_name(OpKind kind);
  Graph graph_;
  std::vector<std::string> scopes_;
  std::map<std::string, int> counters_;
};

}  // namespace nnlat::ir
