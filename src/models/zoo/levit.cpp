// LeViT (Graham et al., ICCV 2021): a convolutional stem to 1/16, then attention stages on
// 14x14, 7x7 and 4x4 tokens with shrinking attention between them. Every linear layer is a
// bias-free linear followed by batch norm (the paper's "BN-linear"), activations are
// hardswish, and each attention adds a learned per-head bias over relative offsets. The model
// matches the released checkpoints (facebookresearch/LeViT, also timm's levit_*): it carries
// the distillation head, averaged with the class head at inference.
//
// Tokens travel as a [batch * tokens, channels] matrix, so that each BN-linear is a
// fully_connected followed by a batch_norm over channels (and fuses as one on every target);
// attention reshapes to [batch, heads, tokens, dim] around its two matmuls.
#include <cmath>
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_hybrid_transformer.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;
using ir::ValueId;

namespace {

struct LevitConfig {
  const char* name;
  int64_t dim[3];
  int64_t key_dim;
  int64_t heads[3];
  int64_t depth[3];
};

// The model table of the official implementation (levit.py specification).
constexpr LevitConfig kLevit128S{"levit_128s", {128, 256, 384}, 16, {4, 6, 8}, {2, 3, 4}};
constexpr LevitConfig kLevit128{"levit_128", {128, 256, 384}, 16, {4, 8, 12}, {4, 4, 4}};
constexpr LevitConfig kLevit192{"levit_192", {192, 288, 384}, 32, {3, 5, 6}, {4, 4, 4}};
constexpr LevitConfig kLevit256{"levit_256", {256, 384, 512}, 32, {4, 6, 8}, {4, 4, 4}};
constexpr LevitConfig kLevit384{"levit_384", {384, 512, 768}, 32, {6, 9, 12}, {4, 4, 4}};

constexpr int64_t kAttnRatio = 2;       // value dim = 2 x key dim in the stage attentions
constexpr int64_t kSubsampleRatio = 4;  // ... and 4 x in the shrinking attentions
constexpr int64_t kLevitMlpRatio = 2;

class Levit {
 public:
  Levit(ir::GraphBuilder& b, int64_t batch) : b_(b), batch_(batch) {}

  ValueId bn_linear(ValueId x, int64_t out) { return b_.batch_norm(b_.fully_connected(x, out, false)); }

  // [B*N, heads*width] -> [B, heads, N, width]
  ValueId to_heads(ValueId x, int64_t tokens, int64_t heads) {
    const int64_t width = b_.shape(x)[1] / heads;
    return tfm::transpose(b_, tfm::reshape(b_, x, {batch_, tokens, heads, width}), {0, 2, 1, 3});
  }

  // softmax(q k^T * scale + bias) v, back to [B*Nq, heads*dv] and through hardswish + BN-linear.
  ValueId attend(ValueId q, ValueId k, ValueId v, int64_t out) {
    const auto& qs = b_.shape(q);
    const int64_t heads = qs[1];
    const int64_t nq = qs[2];
    const int64_t nk = b_.shape(k)[2];
    const int64_t dv = b_.shape(v)[3];
    ValueId a = b_.op(ir::OpKind::kMatMul, {q, tfm::transpose(b_, k, {0, 1, 3, 2})});
    a = tfm::mul_scalar(b_, a, 1.0 / std::sqrt(static_cast<double>(qs[3])));
    a = tfm::add_operand(b_, a, {heads, nq, nk});  // the attention bias, gathered per offset
    a = b_.op(ir::OpKind::kSoftmax, {a}, {{"axis", int64_t{-1}}});
    ValueId y = b_.op(ir::OpKind::kMatMul, {a, v});
    y = tfm::reshape(b_, tfm::transpose(b_, y, {0, 2, 1, 3}), {batch_ * nq, heads * dv});
    return bn_linear(b_.activation(y, Act::kHardSwish), out);
  }

  ValueId attention(ValueId x, int64_t tokens, int64_t heads, int64_t key_dim) {
    const int64_t d = kAttnRatio * key_dim;
    ValueId qkv = to_heads(bn_linear(x, heads * (2 * key_dim + d)), tokens, heads);
    auto parts = b_.split(qkv, {key_dim, key_dim, d}, 3);
    return attend(parts[0], parts[1], parts[2], b_.shape(x)[1]);
  }

  ValueId mlp(ValueId x) {
    const int64_t dim = b_.shape(x)[1];
    return bn_linear(b_.activation(bn_linear(x, dim * kLevitMlpRatio), Act::kHardSwish), dim);
  }

  // Queries from every second token of the res x res grid; keys and values from all of them.
  ValueId shrink_attention(ValueId x, int64_t res, int64_t heads, int64_t key_dim, int64_t out) {
    const int64_t c = b_.shape(x)[1];
    const int64_t d = kSubsampleRatio * key_dim;
    ValueId kv = to_heads(bn_linear(x, heads * (key_dim + d)), res * res, heads);
    auto parts = b_.split(kv, {key_dim, d}, 3);
    ValueId grid = tfm::reshape(b_, x, {batch_, res, res, c});
    const int64_t res_out = (res - 1) / 2 + 1;
    // x[:, ::2, ::2] with the end just past the last row taken: the canonical form, which the
    // ONNX importer writes back, so that the graph round-trips exactly.
    const int64_t end = 2 * (res_out - 1) + 1;
    grid = b_.op(ir::OpKind::kSlice, {grid},
                 {{"axes", std::vector<int64_t>{1, 2}},
                  {"starts", std::vector<int64_t>{0, 0}},
                  {"ends", std::vector<int64_t>{end, end}},
                  {"steps", std::vector<int64_t>{2, 2}}});
    ValueId q = bn_linear(tfm::reshape(b_, grid, {batch_ * res_out * res_out, c}), heads * key_dim);
    return attend(to_heads(q, res_out * res_out, heads), parts[0], parts[1], out);
  }

 private:
  ir::GraphBuilder& b_;
  int64_t batch_;
};

Result<ir::Graph> build_levit(const LevitConfig& cfg, const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(cfg.name);
    Levit levit(b, p.batch);
    const int64_t res_in = resolution_or(p, 224);
    int64_t dim[3];
    for (int i = 0; i < 3; ++i) dim[i] = make_divisible(static_cast<double>(cfg.dim[i]) * p.width);
    auto x = b.input({p.batch, 3, res_in, res_in});
    b.push_scope("stem");
    for (int64_t div : {8, 4, 2}) x = b.conv_bn_act(x, dim[0] / div, 3, 2, 1, Act::kHardSwish);
    x = b.conv_bn_act(x, dim[0], 3, 2, 1, Act::kNone);
    int64_t res = b.shape(x)[2];
    x = tfm::reshape(b, tfm::tokens_from_nchw(b, x), {p.batch * res * res, dim[0]});
    b.pop_scope();
    for (int s = 0; s < 3; ++s) {
      if (s > 0) {
        b.push_scope("shrink" + std::to_string(s));
        x = levit.shrink_attention(x, res, cfg.dim[s - 1] / cfg.key_dim, cfg.key_dim, dim[s]);
        res = (res - 1) / 2 + 1;
        x = b.add(x, levit.mlp(x));
        b.pop_scope();
      }
      for (int64_t i = 0; i < cfg.depth[s]; ++i) {
        b.push_scope("stage" + std::to_string(s) + ".block" + std::to_string(i));
        x = b.add(x, levit.attention(x, res * res, cfg.heads[s], cfg.key_dim));
        x = b.add(x, levit.mlp(x));
        b.pop_scope();
      }
    }
    b.push_scope("head");
    x = tfm::reshape(b, x, {p.batch, res * res, dim[2]});
    x = tfm::mean_tokens(b, x);
    // The class head and the distillation head (BN + linear each), averaged at inference.
    ValueId cls = b.fully_connected(b.batch_norm(x), p.num_classes);
    ValueId dist = b.fully_connected(b.batch_norm(x), p.num_classes);
    x = tfm::mul_scalar(b, b.add(cls, dist), 0.5);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_levit_128s(const ZooParams& p) { return build_levit(kLevit128S, p); }
Result<ir::Graph> build_levit_128(const ZooParams& p) { return build_levit(kLevit128, p); }
Result<ir::Graph> build_levit_192(const ZooParams& p) { return build_levit(kLevit192, p); }
Result<ir::Graph> build_levit_256(const ZooParams& p) { return build_levit(kLevit256, p); }
Result<ir::Graph> build_levit_384(const ZooParams& p) { return build_levit(kLevit384, p); }

}  // namespace nnlat::models
