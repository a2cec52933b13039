#pragma once

// A cache of weights transformed for one convolution algorithm (Winograd's
// G g G^T, say), one entry per weight tensor: found by the weight's storage
// and offset (weight_identity.h), kept only while that storage lives (a new
// tensor at a recycled address never meets a stale entry), and computed again when the weight was
// written in place since its first use (16 sampled values are compared).
// Each new entry first frees the entries of weights gone since (a server that
// evicts a model gets their memory back at the next model's first call).

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/cpu/weight_identity.h"
#include "tensor/tensor.h"

namespace foley::tensor::cpu {

template <class T>
class TransformedWeightCache {
 public:
  // The transform of the caller's tensor `weight_in` (maybe f16: the key)
  // whose f32 values are `weight`: make(weight) on first use, the cached
  // value afterwards. `make` runs outside the lock.
  template <class Make>
  std::shared_ptr<const T> find(const Tensor& weight_in, const Tensor& weight, Make&& make) {
    const WeightKey key{weight_in.storage().get(), weight_in.storage_offset()};
    const auto samples = sample_weights(weight.data<float>(), weight.numel());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& list = entries_[key];
      for (auto it = list.begin(); it != list.end();) {
        if (it->storage.lock() != weight_in.storage()) {
          it = list.erase(it);  // the weight it came from is gone; its address was recycled
          continue;
        }
        if (it->shape == weight.shape()) {
          if (it->samples == samples) return it->value;
          it = list.erase(it);  // written in place since: transform again
          continue;
        }
        ++it;
      }
    }
    Entry e{weight_in.storage(), weight.shape(), samples,
            std::make_shared<const T>(make(weight))};
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {  // the transforms of weights gone since
      auto& l = it->second;
      l.erase(std::remove_if(l.begin(), l.end(), [](const Entry& x) { return x.storage.expired(); }), l.end());
      it = l.empty() ? entries_.erase(it) : std::next(it);
    }
    entries_[key].push_back(e);
    return e.value;
  }

  // Entries whose weight still lives.
  int64_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t n = 0;
    for (const auto& [key, list] : entries_)
      for (const auto& e : list) n += e.storage.expired() ? 0 : 1;
    return n;
  }

  // Entries held, their weight alive or not (tests).
  int64_t held() {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t n = 0;
    for (const auto& [key, list] : entries_) n += static_cast<int64_t>(list.size());
    return n;
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
  }

 private:
  struct Entry {
    std::weak_ptr<Storage> storage;
    std::vector<int64_t> shape;
    std::array<float, 16> samples{};
    std::shared_ptr<const T> value;
  };
  std::mutex mutex_;
  std::unordered_map<WeightKey, std::vector<Entry>, WeightKeyHash> entries_;  // a weight's transforms
};

}  // namespace foley::tensor::cpu
