#include <catch2/catch.hpp>

#include <string>

#include "tensor/op_profile.h"
#include "tensor/ops.h"

using namespace foley::tensor;

namespace {

// Restores the mode and empties the table around a test.
struct ProfileScope {
  explicit ProfileScope(OpProfile mode) {
    clear_op_profile();
    set_op_profile(mode);
  }
  ~ProfileScope() {
    set_op_profile(OpProfile::kOff);
    clear_op_profile();
  }
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("op profile: off records nothing; on, one row per op with its calls; shapes split rows by input shape") {
  const Tensor a = Tensor::from_vector(std::vector<float>(6, 1.0f), {2, 3});
  const Tensor w = Tensor::from_vector(std::vector<float>(12, 0.5f), {4, 3});
  const Tensor x = Tensor::from_vector(std::vector<float>(3, 2.0f), {1, 3});
  {
    ProfileScope scope(OpProfile::kOff);
    (void)linear(a, w, {});
    CHECK(count(op_profile_report(), "linear") == 0);
  }
  {
    ProfileScope scope(OpProfile::kOps);
    for (int i = 0; i < 3; ++i) (void)linear(a, w, {});
    (void)linear(x, w, {});
    (void)add(a, a);
    const std::string report = op_profile_report();
    INFO(report);
    CHECK(count(report, "  linear\n") == 1);
    CHECK(report.find("       4 ") != std::string::npos);  // linear's 4 calls in one row
    CHECK(count(report, "  add\n") == 1);
    CHECK(report.find("ms in tensor ops") != std::string::npos);
  }
  {
    ProfileScope scope(OpProfile::kShapes);
    for (int i = 0; i < 2; ++i) (void)linear(a, w, {});
    (void)linear(x, w, {});
    const std::string report = op_profile_report();
    INFO(report);
    CHECK(count(report, "  linear [2, 3] [4, 3]\n") == 1);
    CHECK(count(report, "  linear [1, 3] [4, 3]\n") == 1);
  }
}

TEST_CASE("FOLEY_PROFILE_OPS values: 0, 1, shapes; anything else is an error naming the variable") {
  CHECK(op_profile_from(nullptr) == OpProfile::kOff);
  CHECK(op_profile_from("") == OpProfile::kOff);
  CHECK(op_profile_from("0") == OpProfile::kOff);
  CHECK(op_profile_from("1") == OpProfile::kOps);
  CHECK(op_profile_from("shapes") == OpProfile::kShapes);
  for (const char* bad : {"yes", "Shapes", "2", " 1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(op_profile_from(bad), Catch::Contains("FOLEY_PROFILE_OPS") && Catch::Contains(bad) &&
                                                Catch::Contains("expected 0, 1 or shapes"));
  }
}
