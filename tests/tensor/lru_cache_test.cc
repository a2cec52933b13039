#include <catch2/catch.hpp>

#include <string>

#include "tensor/cpu/lru_cache.h"

using foley::tensor::cpu::LruCache;

TEST_CASE("LruCache keeps the most recently used entries up to its capacity") {
  LruCache<int, std::string> cache(2);
  CHECK(cache.put(1, "one") == "one");
  CHECK(cache.put(2, "two") == "two");
  CHECK(cache.put(1, "uno") == "one");  // already there: kept, and now the most recent
  CHECK(cache.put(3, "three") == "three");  // drops 2, the least recently used
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.get(2).has_value());
  CHECK(cache.get(1) == std::optional<std::string>("one"));
  CHECK(cache.get(3) == std::optional<std::string>("three"));
  CHECK(cache.put(4, "four") == "four");  // 1 was used before 3: 1 goes
  CHECK_FALSE(cache.get(1).has_value());
  CHECK(cache.get(3).has_value());
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.get(3).has_value());
  LruCache<int, int> zero(0);  // a capacity under 1 holds one entry
  zero.put(1, 1);
  zero.put(2, 2);
  CHECK(zero.size() == 1);
  CHECK(zero.get(2) == std::optional<int>(2));
}
