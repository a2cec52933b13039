#include "tensor/cpu/onednn_weights.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "tensor/cpu/onednn_engine.h"

namespace foley::tensor::cpu {

struct OneDnnWeightCache::Entry {
  std::weak_ptr<Storage> storage;
  uint64_t last_used = 0;  // tick_ at the last lookup
  dnnl::memory::desc md;
  std::array<float, 16> samples{};
  dnnl::memory memory;
};

dnnl::memory OneDnnWeightCache::find(const Tensor& weight_in, const Tensor& weight_f32,
                                     const dnnl::memory::desc& user_md, const dnnl::memory::desc& md) {
  const float* w = weight_f32.data<float>();
  const auto samples = sample_weights(w, weight_f32.numel());
  const WeightKey key{weight_in.storage().get(), weight_in.storage_offset()};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = entries_[key];
    for (auto it = list.begin(); it != list.end();) {
      const auto& e = *it;
      if (e->storage.lock() != weight_in.storage()) {
        it = list.erase(it);  // the weight it came from is gone; its address was recycled
        continue;
      }
      if (e->md == md) {
        if (e->samples == samples) {
          e->last_used = ++tick_;
          return e->memory;
        }
        it = list.erase(it);  // written in place since: reorder again
        continue;
      }
      ++it;
    }
  }
  auto entry = std::make_shared<Entry>();
  entry->storage = weight_in.storage();
  entry->md = md;
  entry->samples = samples;
  const auto& eng = onednn_engine();
  entry->memory = dnnl::memory(md, eng);
  dnnl::memory user(user_md, eng, const_cast<float*>(w));
  dnnl::stream stream(eng);
  dnnl::reorder(user, entry->memory).execute(stream, user, entry->memory);
  stream.wait();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {  // the copies of weights gone since
    auto& l = it->second;
    l.erase(std::remove_if(l.begin(), l.end(), [](const auto& e) { return e->storage.expired(); }), l.end());
    it = l.empty() ? entries_.erase(it) : std::next(it);
  }
  auto& list = entries_[key];
  if (!list.empty() && list.size() >= max_layouts_)
    list.erase(std::min_element(list.begin(), list.end(),
                                [](const auto& a, const auto& b) { return a->last_used < b->last_used; }));
  entry->last_used = ++tick_;
  list.push_back(entry);
  return entry->memory;
}

int64_t OneDnnWeightCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t n = 0;
  for (const auto& [key, list] : entries_)
    for (const auto& e : list) n += e->storage.expired() ? 0 : 1;
  return n;
}

int64_t OneDnnWeightCache::held() {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t n = 0;
  for (const auto& [key, list] : entries_) n += static_cast<int64_t>(list.size());
  return n;
}

void OneDnnWeightCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

}  // namespace foley::tensor::cpu
