#pragma once

// A map that keeps at most `capacity` entries, dropping the least recently
// used one when full: the oneDNN primitive caches, whose keys include the
// length of the audio, so a resident server that meets a new cue duration
// after another would otherwise keep every shape it ever saw. Not
// thread-safe: callers hold their own lock.

#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace foley::tensor::cpu {

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The value under `key`, now the most recently used; nullopt when absent.
  std::optional<Value> get(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  // Stores `value` under `key` (or keeps the value already there) and returns
  // what is stored; drops the least recently used entry past the capacity.
  Value put(const Key& key, Value value) {
    if (auto found = get(key)) return *found;
    order_.emplace_front(key, std::move(value));
    index_.emplace(key, order_.begin());
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return order_.front().second;
  }

  size_t size() const { return order_.size(); }
  void clear() {
    index_.clear();
    order_.clear();
  }

 private:
  size_t capacity_;
  std::list<std::pair<Key, Value>> order_;  // most recently used first
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator, Hash> index_;
};

}  // namespace foley::tensor::cpu
