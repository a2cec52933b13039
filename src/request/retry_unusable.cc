#include "request/retry_unusable.h"

#include <cstdlib>
#include <string_view>

namespace foley {

bool retry_unusable_from_env() {
  const char* v = std::getenv(kRetryUnusableVariable);
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

}  // namespace foley
