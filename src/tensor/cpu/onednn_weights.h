#pragma once

// Weight tensors reordered into the layout a oneDNN primitive chose (its
// blocked, packed form), made on first use and cached: the convolutions' and
// the linear layers' weights are read every step, so each is reordered once
// instead of the library packing it inside every call. An entry is found by
// the weight's storage, offset and layout; it lives only while that storage
// does (a new tensor at a recycled address never meets a stale entry), is
// made again when the weight was written in place since (16 sampled values
// are compared), and each weight keeps at most `max_layouts` layouts, the
// least recently used dropped first. Each new entry first frees the entries
// of weights gone since: a server that evicts a model and loads another gets
// the old copies' memory back at the new model's first call.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/cpu/weight_identity.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

class OneDnnWeightCache {
 public:
  explicit OneDnnWeightCache(size_t max_layouts) : max_layouts_(max_layouts) {}

  // The weights of `weight_in` (the caller's tensor, maybe f16: the key;
  // `weight_f32` its f32 values, laid out as `user_md` says) in layout `md`.
  dnnl::memory find(const Tensor& weight_in, const Tensor& weight_f32, const dnnl::memory::desc& user_md,
                    const dnnl::memory::desc& md);

  // Entries whose weight still lives.
  int64_t size();
  // Entries held, their weight alive or not (tests).
  int64_t held();
  void clear();

 private:
  struct Entry;
  const size_t max_layouts_;
  std::mutex mutex_;
  std::unordered_map<WeightKey, std::vector<std::shared_ptr<Entry>>, WeightKeyHash> entries_;  // a weight's layouts
  uint64_t tick_ = 0;
};

}  // namespace foley::tensor::cpu
