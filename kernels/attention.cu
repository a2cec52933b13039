// Fused attention kernels (see attention.h).
#include <cuda_bf16.h>
#include <mma.h>

#include <atomic>

#include "kernels/attention.h"
#include "kernels/common.cuh"

namespace foley::kernels {
namespace {

// ---------------------------------------------------------------------------
// Tensor-core path: 64 queries x 64 keys per step, 4 warps, each warp owns 16
// query rows end to end (its S, P and O rows), so only the K/V tile loads
// need block-wide barriers. O is accumulated in shared memory in f32 and
// rescaled row-wise between the two MMAs (the online-softmax correction).
// ---------------------------------------------------------------------------
constexpr int kBM = 64;
constexpr int kBN = 64;
constexpr int kFlashWarps = kBM / 16;
constexpr int kFlashThreads = kFlashWarps * 32;
constexpr int kFlashMaxD = 96;

struct FlashLayout {
  int ldq, lds, ldp, ldo;  // leading dims (elements): bf16 Q/K/V, f32 S, bf16 P, f32 O
  size_t q_off, k_off, v_off, s_off, p_off, o_off, bytes;
};

__host__ __device__ inline size_t align128(size_t x) { return (x + 127) / 128 * 128; }

__host__ __device__ inline FlashLayout flash_layout(int d) {
  FlashLayout l{};
  l.ldq = d + 8;    // multiple of 8 bf16 (16 bytes) as WMMA needs; +8 spreads banks
  l.lds = kBN + 4;  // multiple of 4 f32
  l.ldp = kBN + 8;
  l.ldo = d + 4;
  size_t off = 0;
  l.q_off = off; off = align128(off + size_t(kBM) * l.ldq * 2);
  l.k_off = off; off = align128(off + size_t(kBN) * l.ldq * 2);
  l.v_off = off; off = align128(off + size_t(kBN) * l.ldq * 2);
  l.s_off = off; off = align128(off + size_t(kBM) * l.lds * 4);
  l.p_off = off; off = align128(off + size_t(kBM) * l.ldp * 2);
  l.o_off = off; off = align128(off + size_t(kBM) * l.ldo * 4);
  l.bytes = off;
  return l;
}

__device__ __forceinline__ const float* bias_row(const AttentionParams& p, int b, int h, int i) {
  return p.bias ? p.bias + b * p.bias_stride_b + h * p.bias_stride_h + i * p.bias_stride_q : nullptr;
}

// Last key index query i may see, or lk - 1 without a causal mask.
__device__ __forceinline__ int last_key(const AttentionParams& p, int i) {
  return p.causal ? p.lk - p.lq + i : p.lk - 1;
}

__global__ void __launch_bounds__(kFlashThreads) flash_attention_kernel(AttentionParams p) {
  using namespace nvcuda;
  extern __shared__ __align__(128) unsigned char smem[];
  const FlashLayout L = flash_layout(p.d);
  __nv_bfloat16* qs = reinterpret_cast<__nv_bfloat16*>(smem + L.q_off);
  __nv_bfloat16* ks = reinterpret_cast<__nv_bfloat16*>(smem + L.k_off);
  __nv_bfloat16* vs = reinterpret_cast<__nv_bfloat16*>(smem + L.v_off);
  float* ss = reinterpret_cast<float*>(smem + L.s_off);
  __nv_bfloat16* ps = reinterpret_cast<__nv_bfloat16*>(smem + L.p_off);
  float* os = reinterpret_cast<float*>(smem + L.o_off);

  const int d = p.d;
  const int bh = blockIdx.y;
  const int b = bh / p.heads, h = bh % p.heads;
  const int q0 = blockIdx.x * kBM;
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const float* qg = p.q + (int64_t(bh) * p.lq) * d;
  const float* kg = p.k + (int64_t(bh) * p.lk) * d;
  const float* vg = p.v + (int64_t(bh) * p.lk) * d;

  for (int idx = tid; idx < kBM * d; idx += kFlashThreads) {
    const int r = idx / d, c = idx % d;
    const int i = q0 + r;
    qs[r * L.ldq + c] = __float2bfloat16_rn(i < p.lq ? qg[int64_t(i) * d + c] : 0.0f);
    os[r * L.ldo + c] = 0.0f;
  }
  float m_row[16], l_row[16];
#pragma unroll
  for (int r = 0; r < 16; ++r) {
    m_row[r] = -INFINITY;
    l_row[r] = 0.0f;
  }
  const int last_q = min(q0 + kBM, p.lq) - 1;
  const int kv_end = min(p.lk, last_key(p, last_q) + 1);
  const int row0 = warp * 16;

  for (int kv0 = 0; kv0 < kv_end; kv0 += kBN) {
    __syncthreads();  // previous tile's K/V no longer read
    for (int idx = tid; idx < kBN * d; idx += kFlashThreads) {
      const int r = idx / d, c = idx % d;
      const int j = kv0 + r;
      const bool in = j < p.lk;
      ks[r * L.ldq + c] = __float2bfloat16_rn(in ? kg[int64_t(j) * d + c] : 0.0f);
      vs[r * L.ldq + c] = __float2bfloat16_rn(in ? vg[int64_t(j) * d + c] : 0.0f);
    }
    __syncthreads();

    // S[row0:row0+16, 0:64] = Q K^T
    {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a;
      wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> bt;
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      for (int nj = 0; nj < kBN / 16; ++nj) {
        wmma::fill_fragment(acc, 0.0f);
        for (int kk = 0; kk < d / 16; ++kk) {
          wmma::load_matrix_sync(a, qs + row0 * L.ldq + kk * 16, L.ldq);
          wmma::load_matrix_sync(bt, ks + nj * 16 * L.ldq + kk * 16, L.ldq);
          wmma::mma_sync(acc, a, bt, acc);
        }
        wmma::store_matrix_sync(ss + row0 * L.lds + nj * 16, acc, L.lds, wmma::mem_row_major);
      }
    }
    __syncwarp();

    // Online softmax over this warp's 16 rows; lanes hold columns lane and lane+32.
#pragma unroll
    for (int r = 0; r < 16; ++r) {
      const int row = row0 + r, i = q0 + row;
      const float* brow = i < p.lq ? bias_row(p, b, h, i) : nullptr;
      const int last = last_key(p, i);
      float s[2];
#pragma unroll
      for (int t = 0; t < 2; ++t) {
        const int c = lane + 32 * t, j = kv0 + c;
        float v = ss[row * L.lds + c] * p.scale;
        if (brow && j < p.lk) v += brow[j];
        if (j >= p.lk || j > last) v = -INFINITY;
        s[t] = v;
      }
      const float m_new = fmaxf(m_row[r], detail::warp_max(fmaxf(s[0], s[1])));
      const float p0 = m_new == -INFINITY ? 0.0f : expf(s[0] - m_new);
      const float p1 = m_new == -INFINITY ? 0.0f : expf(s[1] - m_new);
      const float alpha = m_row[r] == -INFINITY ? 0.0f : expf(m_row[r] - m_new);
      l_row[r] = l_row[r] * alpha + detail::warp_sum(p0 + p1);
      m_row[r] = m_new;
      ps[row * L.ldp + lane] = __float2bfloat16_rn(p0);
      ps[row * L.ldp + lane + 32] = __float2bfloat16_rn(p1);
      for (int c = lane; c < d; c += 32) os[row * L.ldo + c] *= alpha;
    }
    __syncwarp();

    // O[row0:row0+16, :] += P V
    {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a;
      wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> bv;
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      for (int nd = 0; nd < d / 16; ++nd) {
        wmma::load_matrix_sync(acc, os + row0 * L.ldo + nd * 16, L.ldo, wmma::mem_row_major);
        for (int kk = 0; kk < kBN / 16; ++kk) {
          wmma::load_matrix_sync(a, ps + row0 * L.ldp + kk * 16, L.ldp);
          wmma::load_matrix_sync(bv, vs + kk * 16 * L.ldq + nd * 16, L.ldq);
          wmma::mma_sync(acc, a, bv, acc);
        }
        wmma::store_matrix_sync(os + row0 * L.ldo + nd * 16, acc, L.ldo, wmma::mem_row_major);
      }
    }
    __syncwarp();
  }
  __syncthreads();  // also orders the O initialisation when there is no key tile (lk == 0)
#pragma unroll
  for (int r = 0; r < 16; ++r) {
    const int row = row0 + r, i = q0 + row;
    if (i >= p.lq) continue;
    const float inv = l_row[r] > 0.0f ? 1.0f / l_row[r] : __int_as_float(0x7fc00000);  // every key masked: NaN, as on the CPU
    float* out = p.o + (int64_t(bh) * p.lq + i) * d;
    for (int c = lane; c < d; c += 32) out[c] = os[row * L.ldo + c] * inv;
  }
}

// ---------------------------------------------------------------------------
// Memory-efficient path: kQT queries per block, key tiles of kt keys streamed
// through shared memory, f32 math, one score per thread per tile.
// ---------------------------------------------------------------------------
constexpr int kQT = 8;
constexpr int kGenericThreads = 128;
constexpr size_t kGenericSmemLimit = 96 * 1024;

size_t generic_smem(int d, int dv, int kt) {
  const int kv = d > dv ? d : dv;
  return sizeof(float) * (size_t(kQT) * d + size_t(kt) * kv + size_t(kQT) * kt + size_t(kQT) * dv + 3 * kQT);
}

__global__ void __launch_bounds__(kGenericThreads) generic_attention_kernel(AttentionParams p, int kt) {
  extern __shared__ __align__(16) float gsm[];
  const int d = p.d, dv = p.dv, kvw = d > dv ? d : dv;
  float* qs = gsm;                     // [kQT][d]
  float* kv = qs + kQT * d;            // [kt][kvw]: K, then V of the tile
  float* ss = kv + kt * kvw;           // [kQT][kt]: scores, then probabilities
  float* os = ss + kQT * kt;           // [kQT][dv]
  float* m_s = os + kQT * dv;          // [kQT]
  float* l_s = m_s + kQT;              // [kQT]
  float* alpha_s = l_s + kQT;          // [kQT]

  const int bh = blockIdx.y, b = bh / p.heads, h = bh % p.heads;
  const int q0 = blockIdx.x * kQT;
  const int tid = threadIdx.x;
  const float* qg = p.q + int64_t(bh) * p.lq * d;
  const float* kg = p.k + int64_t(bh) * p.lk * d;
  const float* vg = p.v + int64_t(bh) * p.lk * dv;

  for (int idx = tid; idx < kQT * d; idx += blockDim.x) {
    const int i = q0 + idx / d;
    qs[idx] = i < p.lq ? qg[int64_t(i) * d + idx % d] : 0.0f;
  }
  for (int idx = tid; idx < kQT * dv; idx += blockDim.x) os[idx] = 0.0f;
  if (tid < kQT) {
    m_s[tid] = -INFINITY;
    l_s[tid] = 0.0f;
  }
  const int last_q = min(q0 + kQT, p.lq) - 1;
  const int kv_end = min(p.lk, last_key(p, last_q) + 1);

  for (int kv0 = 0; kv0 < kv_end; kv0 += kt) {
    __syncthreads();
    for (int idx = tid; idx < kt * d; idx += blockDim.x) {
      const int j = kv0 + idx / d;
      kv[idx] = j < p.lk ? kg[int64_t(j) * d + idx % d] : 0.0f;
    }
    __syncthreads();
    for (int idx = tid; idx < kQT * kt; idx += blockDim.x) {
      const int r = idx / kt, c = idx % kt, i = q0 + r, j = kv0 + c;
      float dot = 0.0f;
      for (int e = 0; e < d; ++e) dot += qs[r * d + e] * kv[c * d + e];
      float v = dot * p.scale;
      const float* brow = i < p.lq ? bias_row(p, b, h, i) : nullptr;
      if (brow && j < p.lk) v += brow[j];
      if (j >= p.lk || j > last_key(p, i)) v = -INFINITY;
      ss[idx] = v;
    }
    __syncthreads();
    if (tid < kQT) {
      float mx = m_s[tid];
      for (int c = 0; c < kt; ++c) mx = fmaxf(mx, ss[tid * kt + c]);
      float sum = 0.0f;
      for (int c = 0; c < kt; ++c) {
        const float e = mx == -INFINITY ? 0.0f : expf(ss[tid * kt + c] - mx);
        ss[tid * kt + c] = e;
        sum += e;
      }
      const float alpha = m_s[tid] == -INFINITY ? 0.0f : expf(m_s[tid] - mx);
      l_s[tid] = l_s[tid] * alpha + sum;
      m_s[tid] = mx;
      alpha_s[tid] = alpha;
    }
    __syncthreads();
    for (int idx = tid; idx < kt * dv; idx += blockDim.x) {
      const int j = kv0 + idx / dv;
      kv[idx] = j < p.lk ? vg[int64_t(j) * dv + idx % dv] : 0.0f;
    }
    __syncthreads();
    for (int idx = tid; idx < kQT * dv; idx += blockDim.x) {
      const int r = idx / dv, c = idx % dv;
      float acc = os[idx] * alpha_s[r];
      for (int j = 0; j < kt; ++j) acc += ss[r * kt + j] * kv[j * dv + c];
      os[idx] = acc;
    }
  }
  __syncthreads();
  for (int idx = tid; idx < kQT * dv; idx += blockDim.x) {
    const int r = idx / dv, i = q0 + r;
    if (i >= p.lq) continue;
    const float l = l_s[r];
    p.o[(int64_t(bh) * p.lq + i) * dv + idx % dv] = l > 0.0f ? os[idx] / l : __int_as_float(0x7fc00000);
  }
}

}  // namespace

bool attention_uses_tensor_cores(const AttentionParams& p) {
  return p.d == p.dv && p.d % 16 == 0 && p.d >= 16 && p.d <= kFlashMaxD;
}

// Raises `kernel`'s dynamic shared-memory limit to `bytes` (its largest need) once per device. Setting it per
// launch to that launch's size would race between threads launching different head dims.
static cudaError_t allow_shared_memory(const void* kernel, size_t bytes, std::atomic<uint64_t>& done) {
  int device = 0;
  cudaError_t err = cudaGetDevice(&device);
  if (err != cudaSuccess) return err;
  const uint64_t bit = device < 64 ? uint64_t(1) << device : 0;
  if (bit && (done.load(std::memory_order_acquire) & bit)) return cudaSuccess;
  err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes));
  if (err == cudaSuccess) done.fetch_or(bit, std::memory_order_release);
  return err;
}

cudaError_t attention_f32(const AttentionParams& p, cudaStream_t stream) {
  static std::atomic<uint64_t> flash_ready{0}, generic_ready{0};
  if (p.batch <= 0 || p.heads <= 0 || p.lq <= 0) return cudaSuccess;
  if (int64_t(p.batch) * p.heads > 65535) return cudaErrorInvalidConfiguration;
  const unsigned bh = static_cast<unsigned>(p.batch * p.heads);
  if (attention_uses_tensor_cores(p)) {
    const size_t bytes = flash_layout(p.d).bytes;
    const cudaError_t err =
        allow_shared_memory(reinterpret_cast<const void*>(flash_attention_kernel), flash_layout(kFlashMaxD).bytes,
                            flash_ready);
    if (err != cudaSuccess) return err;
    const dim3 grid((p.lq + kBM - 1) / kBM, bh);
    flash_attention_kernel<<<grid, kFlashThreads, bytes, stream>>>(p);
    return cudaGetLastError();
  }
  int kt = 16;
  while (kt > 1 && generic_smem(p.d, p.dv, kt) > kGenericSmemLimit) kt /= 2;
  const size_t bytes = generic_smem(p.d, p.dv, kt);
  if (bytes > kGenericSmemLimit) return cudaErrorInvalidValue;  // head dims in the thousands
  const cudaError_t err = allow_shared_memory(reinterpret_cast<const void*>(generic_attention_kernel),
                                              kGenericSmemLimit, generic_ready);
  if (err != cudaSuccess) return err;
  const dim3 grid((p.lq + kQT - 1) / kQT, bh);
  generic_attention_kernel<<<grid, kGenericThreads, bytes, stream>>>(p, kt);
  return cudaGetLastError();
}

}  // namespace foley::kernels
