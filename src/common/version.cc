#include "common/version.h"

namespace foley {

const char* foley_version() { return FOLEY_VERSION; }

}  // namespace foley
