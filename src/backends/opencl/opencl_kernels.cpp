// The OpenCL C text of every kernel, compiled into the binary (nothing is read from disk at
// run time). Tensors are NCHW; activations are DATA (float, or half for fp16 storage), read
// with LD(p, i) and written with ST, never through pointer arithmetic on half pointers
// (OpenCL 1.2 without cl_khr_fp16 allows half only behind vload_half / vstore_half); weights
// and scratch are float; arithmetic is float. Every kernel that writes an output takes
// `__global DATA* out, int4 od` (the output's dims padded to 4-D) and ends its parameter
// list with TAIL_PARAMS; it stores through STORE_OUT(index, value), which applies the linked
// element-wise tail (generated per kernel, opencl_source.cpp) in registers before the write.
#include "backends/opencl/opencl_source.hpp"

namespace nnlat::backends::opencl {

std::string_view kernel_text(Family family) {
  switch (family) {
    case Family::kConvDirect:
      // One work-item: one output pixel and CO_BLOCK consecutive output channels (the
      // channel block shares every input load; CO_BLOCK is 1 for grouped convolutions).
      return R"CL(
__kernel void conv2d_direct(__global const DATA* in, __global const float* w, __global const float* bias,
                            __global DATA* out, int4 od, int cin, int ih, int iw, int kh, int kw, int sh, int sw,
                            int pt, int pl, int dh, int dw, int groups TAIL_PARAMS) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  const int cout = od.y, oh = od.z, ow = od.w;
  const int blocks = (cout + CO_BLOCK - 1) / CO_BLOCK;
  if (ox >= ow || oy >= oh || z >= od.x * blocks) return;
  const int n = z / blocks, oc0 = (z % blocks) * CO_BLOCK;
  const int cin_g = cin / groups, cout_g = cout / groups, g = oc0 / cout_g;
  float acc[CO_BLOCK];
  for (int b = 0; b < CO_BLOCK; ++b) acc[b] = oc0 + b < cout ? bias[oc0 + b] : 0.0f;
  for (int ic = 0; ic < cin_g; ++ic) {
    const int src = (n * cin + g * cin_g + ic) * ih * iw;
    for (int ky = 0; ky < kh; ++ky) {
      const int iy = oy * sh - pt + ky * dh;
      if (iy < 0 || iy >= ih) continue;
      for (int kx = 0; kx < kw; ++kx) {
        const int ix = ox * sw - pl + kx * dw;
        if (ix < 0 || ix >= iw) continue;
        const float x = LD(in, src + iy * iw + ix);
        for (int b = 0; b < CO_BLOCK; ++b) {
          if (oc0 + b < cout) acc[b] += x * w[(((oc0 + b) * cin_g + ic) * kh + ky) * kw + kx];
        }
      }
    }
  }
  for (int b = 0; b < CO_BLOCK; ++b) {
    if (oc0 + b < cout) STORE_OUT(((n * cout + oc0 + b) * oh + oy) * ow + ox, acc[b]);
  }
}
)CL";
    case Family::kGemm:
      // A_HALF / B_HALF: whether A / B are half activations (else float weights or scratch).
      // C[bt](i, j) = sum_k A[bt](i, k) B[bt](k, j) (+ bias[i]) with arbitrary strides, so the
      // same kernel serves 1x1 convolution (A = weights, B = pixels), fully connected (A =
      // weights, B = rows of the input), matmul and Winograd's 36 products. TS x TS tiles of
      // A and B are staged in local memory; every work-item owns one output.
      return R"CL(
#ifndef A_HALF
#define A_HALF 0
#endif
#ifndef B_HALF
#define B_HALF 0
#endif
#if A_HALF
#define A_T half
#define LDA(p, i) vload_half((i), (p))
#else
#define A_T float
#define LDA(p, i) ((p)[(i)])
#endif
#if B_HALF
#define B_T half
#define LDB(p, i) vload_half((i), (p))
#else
#define B_T float
#define LDB(p, i) ((p)[(i)])
#endif
__kernel void gemm(__global const A_T* a, __global const B_T* b, __global const float* bias,
                   __global DATA* out, int4 od, int m, int n, int k, int a_si, int a_sk, int a_sb, int b_sk,
                   int b_sj, int b_sb, int c_si, int c_sj, int c_sb, int has_bias TAIL_PARAMS) {
  const int j = get_global_id(0), i = get_global_id(1), bt = get_global_id(2);
  const int lj = get_local_id(0), li = get_local_id(1);
  __local float ta[TS][TS + 1];
  __local float tb[TS][TS + 1];
  float acc = 0.0f;
  for (int t0 = 0; t0 < k; t0 += TS) {
    const int ka = t0 + lj, kb = t0 + li;
    ta[li][lj] = (i < m && ka < k) ? LDA(a, bt * a_sb + i * a_si + ka * a_sk) : 0.0f;
    tb[li][lj] = (j < n && kb < k) ? LDB(b, bt * b_sb + kb * b_sk + j * b_sj) : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int t = 0; t < TS; ++t) acc += ta[li][t] * tb[t][lj];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (i < m && j < n) {
    if (has_bias) acc += bias[i];
    STORE_OUT(bt * c_sb + i * c_si + j * c_sj, acc);
  }
}
)CL";
    case Family::kGemv:
      // out(r, o) = x(r, :) . W(o, :) + bias[o]: one work-item per output, the rows of W read
      // contiguously.
      return R"CL(
__kernel void gemv(__global const DATA* x, __global const float* w, __global const float* bias, __global DATA* out,
                   int4 od, int rows, int nout, int k TAIL_PARAMS) {
  const int o = get_global_id(0), r = get_global_id(1);
  if (o >= nout || r >= rows) return;
  const int xr = r * k;
  __global const float* wr = w + o * k;
  float acc = bias[o];
  for (int t = 0; t < k; ++t) acc += LD(x, xr + t) * wr[t];
  STORE_OUT(r * nout + o, acc);
}
)CL";
    case Family::kWinograd:
      // F(4x4, 3x3): the input transform B^T d B of each 6x6 input tile (stride 4) into
      // v[36][cin][tiles], and the output transform A^T m A of the 36 products into a 4x4
      // output tile (+ bias, + tail). The filter transform G g G^T is done once on the host.
      return R"CL(
void winograd_bt(const float* d, int s, float* o, int os) {
  o[0] = 4.0f * d[0] - 5.0f * d[2 * s] + d[4 * s];
  o[os] = -4.0f * d[s] - 4.0f * d[2 * s] + d[3 * s] + d[4 * s];
  o[2 * os] = 4.0f * d[s] - 4.0f * d[2 * s] - d[3 * s] + d[4 * s];
  o[3 * os] = -2.0f * d[s] - d[2 * s] + 2.0f * d[3 * s] + d[4 * s];
  o[4 * os] = 2.0f * d[s] - d[2 * s] - 2.0f * d[3 * s] + d[4 * s];
  o[5 * os] = 4.0f * d[s] - 5.0f * d[3 * s] + d[5 * s];
}

void winograd_at(const float* m, int s, float* o, int os) {
  const float a = m[s] + m[2 * s], b = m[s] - m[2 * s], c = m[3 * s] + m[4 * s], d = m[3 * s] - m[4 * s];
  o[0] = m[0] + a + c;
  o[os] = b + 2.0f * d;
  o[2 * os] = a + 4.0f * c;
  o[3 * os] = b + 8.0f * d + m[5 * s];
}

__kernel void winograd_input(__global const DATA* in, __global float* v, int cin, int ih, int iw, int pt, int pl,
                             int tiles_w, int tiles, int total_tiles) {
  const int t = get_global_id(0), c = get_global_id(1);
  if (t >= total_tiles || c >= cin) return;
  const int n = t / tiles, r = t % tiles, y0 = (r / tiles_w) * 4 - pt, x0 = (r % tiles_w) * 4 - pl;
  const int src = (n * cin + c) * ih * iw;
  float d[36], tmp[36], o[36];
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 6; ++x) {
      const int iy = y0 + y, ix = x0 + x;
      d[y * 6 + x] = (iy >= 0 && iy < ih && ix >= 0 && ix < iw) ? LD(in, src + iy * iw + ix) : 0.0f;
    }
  }
  for (int x = 0; x < 6; ++x) winograd_bt(d + x, 6, tmp + x, 6);      // columns: B^T d
  for (int y = 0; y < 6; ++y) winograd_bt(tmp + y * 6, 1, o + y * 6, 1);  // rows: (B^T d) B
  for (int e = 0; e < 36; ++e) v[(e * cin + c) * total_tiles + t] = o[e];
}

__kernel void winograd_output(__global const float* m, __global const float* bias, __global DATA* out, int4 od,
                              int tiles_w, int tiles, int total_tiles TAIL_PARAMS) {
  const int t = get_global_id(0), oc = get_global_id(1);
  const int cout = od.y, oh = od.z, ow = od.w;
  if (t >= total_tiles || oc >= cout) return;
  const int n = t / tiles, r = t % tiles, y0 = (r / tiles_w) * 4, x0 = (r % tiles_w) * 4;
  float p[36], tmp[24], o[16];
  for (int e = 0; e < 36; ++e) p[e] = m[(e * cout + oc) * total_tiles + t];
  for (int x = 0; x < 6; ++x) winograd_at(p + x, 6, tmp + x, 6);      // columns: A^T m (4x6)
  for (int y = 0; y < 4; ++y) winograd_at(tmp + y * 6, 1, o + y * 4, 1);  // rows: (A^T m) A (4x4)
  const float b = bias[oc];
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const int oy = y0 + y, ox = x0 + x;
      if (oy < oh && ox < ow) STORE_OUT(((n * cout + oc) * oh + oy) * ow + ox, o[y * 4 + x] + b);
    }
  }
}
)CL";
    case Family::kDepthwise:
      return R"CL(
__kernel void depthwise_conv2d(__global const DATA* in, __global const float* w, __global const float* bias,
                               __global DATA* out, int4 od, int cin, int ih, int iw, int kh, int kw, int sh, int sw,
                               int pt, int pl, int dh, int dw, int mult TAIL_PARAMS) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  const int cout = od.y, oh = od.z, ow = od.w;
  if (ox >= ow || oy >= oh || z >= od.x * cout) return;
  const int n = z / cout, oc = z % cout, c = oc / mult;
  const int src = (n * cin + c) * ih * iw;
  __global const float* f = w + oc * kh * kw;
  float acc = bias[oc];
  for (int ky = 0; ky < kh; ++ky) {
    const int iy = oy * sh - pt + ky * dh;
    if (iy < 0 || iy >= ih) continue;
    for (int kx = 0; kx < kw; ++kx) {
      const int ix = ox * sw - pl + kx * dw;
      if (ix >= 0 && ix < iw) acc += LD(in, src + iy * iw + ix) * f[ky * kw + kx];
    }
  }
  STORE_OUT(z * oh * ow + oy * ow + ox, acc);
}
)CL";
    case Family::kPool:
      // Average pooling as PyTorch (and the reference): the window is clipped to the padded
      // input; include_pad divides by that clipped size, else by the real elements.
      return R"CL(
__kernel void pool2d(__global const DATA* in, __global DATA* out, int4 od, int ih, int iw, int kh, int kw,
                     int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int is_max,
                     int include_pad TAIL_PARAMS) {
  const int ox = get_global_id(0), oy = get_global_id(1), p = get_global_id(2);
  const int oh = od.z, ow = od.w;
  if (ox >= ow || oy >= oh || p >= od.x * od.y) return;
  const int src = p * ih * iw;
  float v;
  if (is_max) {
    v = -INFINITY;
    for (int ky = 0; ky < kh; ++ky) {
      const int iy = oy * sh - pt + ky * dh;
      if (iy < 0 || iy >= ih) continue;
      for (int kx = 0; kx < kw; ++kx) {
        const int ix = ox * sw - pl + kx * dw;
        if (ix >= 0 && ix < iw) v = fmax(v, LD(in, src + iy * iw + ix));
      }
    }
  } else {
    int y0 = oy * sh - pt, x0 = ox * sw - pl;
    int y1 = min(y0 + kh, ih + pb), x1 = min(x0 + kw, iw + pr);
    const int padded = (y1 - y0) * (x1 - x0);
    y0 = max(y0, 0);
    x0 = max(x0, 0);
    y1 = min(y1, ih);
    x1 = min(x1, iw);
    float acc = 0.0f;
    for (int iy = y0; iy < y1; ++iy) {
      for (int ix = x0; ix < x1; ++ix) acc += LD(in, src + iy * iw + ix);
    }
    const int count = include_pad ? padded : (y1 - y0) * (x1 - x0);
    v = count > 0 ? acc / (float)count : 0.0f;
  }
  STORE_OUT(p * oh * ow + oy * ow + ox, v);
}
)CL";
    case Family::kReduceMean:
      // One work-item per output element, looping over the reduced box of a <= 4-D input
      // (`kd`: the kept dims, 1 where reduced; `red`: 1 on reduced axes).
      return R"CL(
__kernel void reduce_mean(__global const DATA* in, __global DATA* out, int4 od, int4 id, int4 kd, int4 red,
                          int total, float inv_count TAIL_PARAMS) {
  const int oi = get_global_id(0);
  if (oi >= total) return;
  const int c3 = oi % kd.w, c2 = (oi / kd.w) % kd.z, c1 = (oi / (kd.w * kd.z)) % kd.y;
  const int c0 = oi / (kd.w * kd.z * kd.y);
  float acc = 0.0f;
  for (int a = red.x ? 0 : c0; a < (red.x ? id.x : c0 + 1); ++a) {
    for (int b = red.y ? 0 : c1; b < (red.y ? id.y : c1 + 1); ++b) {
      for (int c = red.z ? 0 : c2; c < (red.z ? id.z : c2 + 1); ++c) {
        const int row = ((a * id.y + b) * id.z + c) * id.w;
        for (int d = red.w ? 0 : c3; d < (red.w ? id.w : c3 + 1); ++d) acc += LD(in, row + d);
      }
    }
  }
  STORE_OUT(oi, acc * inv_count);
}
)CL";
    case Family::kElementwise:
      // ELT_MODE 0: copy (a lone unary op or batch norm runs as the tail of a copy);
      // 1: a op b with NumPy broadcasting (4-D strides, 0 where broadcast); 2: a op scalar.
      return R"CL(
__kernel void eltwise(__global const DATA* a, __global const DATA* b, __global DATA* out, int4 od, int4 as,
                      int4 bs, int total, float scalar TAIL_PARAMS) {
  const int oi = get_global_id(0);
  if (oi >= total) return;
#if ELT_MODE == 1
  const int w_ = oi % od.w, h_ = (oi / od.w) % od.z, c_ = (oi / (od.w * od.z)) % od.y;
  const int n_ = oi / (od.w * od.z * od.y);
  const float x = LD(a, n_ * as.x + c_ * as.y + h_ * as.z + w_ * as.w);
  const float y = LD(b, n_ * bs.x + c_ * bs.y + h_ * bs.z + w_ * bs.w);
  STORE_OUT(oi, ELT_OP(x, y));
#elif ELT_MODE == 2
  STORE_OUT(oi, ELT_OP(LD(a, oi), scalar));
#else
  STORE_OUT(oi, LD(a, oi));
#endif
}
)CL";
    case Family::kConcat:
      // One launch per input: its `outer` blocks of `inner_in` elements go to their slice
      // (at `offset` within blocks of `inner_out`) of the output.
      return R"CL(
__kernel void concat_copy(__global const DATA* in, __global DATA* out, int4 od, int inner_in, int inner_out,
                          int offset, int total TAIL_PARAMS) {
  const int e = get_global_id(0);
  if (e >= total) return;
  STORE_OUT((e / inner_in) * inner_out + offset + e % inner_in, LD(in, e));
}
)CL";
    case Family::kSplit:
      return R"CL(
__kernel void split_copy(__global const DATA* in, __global DATA* out, int4 od, int inner_in, int inner_out,
                         int offset, int total TAIL_PARAMS) {
  const int e = get_global_id(0);
  if (e >= total) return;
  STORE_OUT(e, LD(in, (e / inner_out) * inner_in + offset + e % inner_out));
}
)CL";
    case Family::kPermute:
      // out[coords] = in[base + sum coords * istr]: `dims` the output dims, `istr` the input
      // stride of each output axis (transpose, channel shuffle as a 4-D transpose, slice:
      // `base` the first element, strides times steps).
      return R"CL(
__kernel void permute(__global const DATA* in, __global DATA* out, int4 od, int8 dims, int8 istr, int rank,
                      int total, int base TAIL_PARAMS) {
  const int oi = get_global_id(0);
  if (oi >= total) return;
  const int d[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
  const int s[8] = {istr.s0, istr.s1, istr.s2, istr.s3, istr.s4, istr.s5, istr.s6, istr.s7};
  int rest = oi, src = base;
  for (int k = rank - 1; k >= 0; --k) {
    src += (rest % d[k]) * s[k];
    rest /= d[k];
  }
  STORE_OUT(oi, LD(in, src));
}
)CL";
    case Family::kPad:
      // mode 0: constant `value`; 1: edge (clamp); 2: reflect without repeating the edge.
      return R"CL(
__kernel void pad_nd(__global const DATA* in, __global DATA* out, int4 od, int8 odims, int8 idims, int8 before,
                     int rank, int total, int mode, float value TAIL_PARAMS) {
  const int oi = get_global_id(0);
  if (oi >= total) return;
  const int o[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
  const int n[8] = {idims.s0, idims.s1, idims.s2, idims.s3, idims.s4, idims.s5, idims.s6, idims.s7};
  const int p[8] = {before.s0, before.s1, before.s2, before.s3, before.s4, before.s5, before.s6, before.s7};
  int rest = oi, src = 0, stride = 1, inside = 1;
  for (int k = rank - 1; k >= 0; --k) {
    int i = rest % o[k] - p[k];
    rest /= o[k];
    if (i < 0 || i >= n[k]) {
      if (mode == 0) {
        inside = 0;
      } else if (mode == 1) {
        i = clamp(i, 0, n[k] - 1);
      } else {
        const int period = max(1, 2 * (n[k] - 1));
        i = ((i % period) + period) % period;
        if (i >= n[k]) i = period - i;
      }
    }
    src += i * stride;
    stride *= n[k];
  }
  STORE_OUT(oi, inside ? LD(in, src) : value);
}
)CL";
    case Family::kResize:
      // Bilinear: half-pixel centres, source coordinates clamped at 0; nearest: asymmetric
      // coordinates, floor (the reference's semantics, docs/backends.md).
      return R"CL(
__kernel void resize2d(__global const DATA* in, __global DATA* out, int4 od, int ih, int iw, float scale_h,
                       float scale_w, int bilinear TAIL_PARAMS) {
  const int ox = get_global_id(0), oy = get_global_id(1), p = get_global_id(2);
  const int oh = od.z, ow = od.w;
  if (ox >= ow || oy >= oh || p >= od.x * od.y) return;
  const int src = p * ih * iw;
  float v;
  if (bilinear) {
    const float fy = fmax(0.0f, ((float)oy + 0.5f) * scale_h - 0.5f);
    const float fx = fmax(0.0f, ((float)ox + 0.5f) * scale_w - 0.5f);
    const int y0 = min((int)fy, ih - 1), x0 = min((int)fx, iw - 1);
    const int y1 = min(y0 + 1, ih - 1), x1 = min(x0 + 1, iw - 1);
    const float ly = fy - (float)y0, lx = fx - (float)x0;
    const float top = LD(in, src + y0 * iw + x0) * (1.0f - lx) + LD(in, src + y0 * iw + x1) * lx;
    const float bottom = LD(in, src + y1 * iw + x0) * (1.0f - lx) + LD(in, src + y1 * iw + x1) * lx;
    v = top * (1.0f - ly) + bottom * ly;
  } else {
    const int sy = min((int)floor((float)oy * scale_h), ih - 1);
    const int sx = min((int)floor((float)ox * scale_w), iw - 1);
    v = LD(in, src + sy * iw + sx);
  }
  STORE_OUT(p * oh * ow + oy * ow + ox, v);
}
)CL";
    case Family::kSoftmax:
      // One work-item per row (outer x inner positions), three passes over the axis.
      return R"CL(
__kernel void softmax_axis(__global const DATA* in, __global DATA* out, int4 od, int len, int inner,
                           int rows TAIL_PARAMS) {
  const int row = get_global_id(0);
  if (row >= rows) return;
  const int base = (row / inner) * len * inner + row % inner;
  float m = -INFINITY;
  for (int t = 0; t < len; ++t) m = fmax(m, LD(in, base + t * inner));
  float sum = 0.0f;
  for (int t = 0; t < len; ++t) sum += exp(LD(in, base + t * inner) - m);
  const float inv = 1.0f / sum;
  for (int t = 0; t < len; ++t) STORE_OUT(base + t * inner, exp(LD(in, base + t * inner) - m) * inv);
}
)CL";
    case Family::kNormalize:
      // One work-item per row, as softmax. layer_norm: rows of `len` contiguous elements,
      // two passes (mean, then variance about it, as the reference); l2_normalize: rows
      // along an axis with stride `inner`.
      return R"CL(
__kernel void layer_norm_rows(__global const DATA* in, __global DATA* out, int4 od, __global const float* gamma,
                              __global const float* beta, int len, int rows, int affine, float eps TAIL_PARAMS) {
  const int row = get_global_id(0);
  if (row >= rows) return;
  const int base = row * len;
  float mean = 0.0f;
  for (int t = 0; t < len; ++t) mean += LD(in, base + t);
  mean /= (float)len;
  float var = 0.0f;
  for (int t = 0; t < len; ++t) {
    const float d = LD(in, base + t) - mean;
    var += d * d;
  }
  const float inv = rsqrt(var / (float)len + eps);
  for (int t = 0; t < len; ++t) {
    float v = (LD(in, base + t) - mean) * inv;
    if (affine) v = v * gamma[t] + beta[t];
    STORE_OUT(base + t, v);
  }
}
__kernel void l2_normalize_axis(__global const DATA* in, __global DATA* out, int4 od, int len, int inner, int rows,
                                float eps TAIL_PARAMS) {
  const int row = get_global_id(0);
  if (row >= rows) return;
  const int base = (row / inner) * len * inner + row % inner;
  float sum = 0.0f;
  for (int t = 0; t < len; ++t) sum += LD(in, base + t * inner) * LD(in, base + t * inner);
  const float inv = 1.0f / fmax(sqrt(sum), eps);
  for (int t = 0; t < len; ++t) STORE_OUT(base + t * inner, LD(in, base + t * inner) * inv);
}
)CL";
  }
  return "";
}

}  // namespace nnlat::backends::opencl
