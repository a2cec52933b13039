// Runs the op table (op_table.h): the CPU column against the double-precision
// references, the CUDA column against the CPU, and the check that every op
// declared in tensor/ops.h has a row. Each row's NMSE is printed, so a run's
// log shows the numbers and not only pass/fail.

#include "op_table/op_table.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "common/error.h"
#include "op_table/op_table_column.h"
#include "tensor/cuda/select_device.h"

using namespace foley::tensor;
using namespace foley::tensor::op_table;

namespace {

// sum((a - e)^2) / sum(e^2) (the sum itself when e is all zeros); NaN must sit exactly where the reference has
// NaN (infinity otherwise).
double nmse(const std::vector<double>& actual, const std::vector<double>& expected) {
  double num = 0, den = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    if (std::isnan(a) != std::isnan(e)) return INFINITY;
    if (std::isnan(e)) continue;
    if (a == e) {  // also equal infinities
      if (std::isfinite(e)) den += e * e;
      continue;
    }
    if (!std::isfinite(a) || !std::isfinite(e)) return INFINITY;
    num += (a - e) * (a - e);
    den += e * e;
  }
  return den == 0 ? num : num / den;
}

// One output against what it should be: "" when shape, dtype and NMSE pass, else why not.
std::string compare(const Tensor& actual, const Expected& expected, const Threshold& threshold, double& error) {
  error = INFINITY;
  if (actual.shape() != expected.shape)
    return "shape " + shape_to_string(actual.shape()) + ", expected " + shape_to_string(expected.shape);
  if (actual.dtype() != expected.dtype)
    return "dtype " + std::string(dtype_name(actual.dtype())) + ", expected " + std::string(dtype_name(expected.dtype));
  error = nmse(values_of(actual), expected.values);
  if (!(error <= threshold.nmse)) return "NMSE above the threshold";
  return "";
}

Expected expected_from(const Tensor& t) { return {t.shape(), t.dtype(), values_of(t)}; }

void report_row(const char* column, const OpCase& c, double error, const Threshold& threshold,
                const std::string& problem) {
  std::printf("%-4s %-18s %-70s nmse %-9.2e <= %-7.0e %s\n", column, c.op.c_str(), c.label.c_str(), error,
              threshold.nmse, problem.empty() ? "ok" : ("FAIL: " + problem).c_str());
  std::fflush(stdout);
}

// The largest error over a case's outputs, and the first problem found.
void check_outputs(const char* column, const OpCase& c, const std::vector<Tensor>& outputs,
                   const std::vector<Expected>& expected, const Threshold& threshold) {
  double worst = 0;
  std::string problem;
  if (outputs.size() != expected.size()) {
    problem = std::to_string(outputs.size()) + " outputs, expected " + std::to_string(expected.size());
    worst = INFINITY;
  }
  for (size_t i = 0; i < outputs.size() && i < expected.size(); ++i) {
    double error = 0;
    const std::string p = compare(outputs[i], expected[i], threshold, error);
    worst = std::max(worst, error);
    if (problem.empty() && !p.empty()) problem = (outputs.size() > 1 ? "output " + std::to_string(i) + ": " : "") + p;
  }
  report_row(column, c, worst, threshold, problem);
  INFO(column << " column: " << c.op << " " << c.label << ": nmse " << worst << " (threshold " << threshold.nmse << ": "
              << threshold.why << ")");
  CHECK(problem == "");
}

// Inputs on `device` (undefined tensors stay undefined).
Inputs on_device(const Inputs& inputs, Device device) {
  Inputs out;
  for (const Tensor& t : inputs) out.push_back(t.defined() ? t.to(device) : t);
  return out;
}

}  // namespace

TEST_CASE("op table, CPU column: every case matches a double-precision reference", "[cpu]") {
  for (const OpCase& c : all_cases()) {
    const Inputs inputs = c.make_inputs();
    std::vector<Tensor> outputs;
    try {
      outputs = c.call(inputs);
    } catch (const std::exception& e) {
      report_row("cpu", c, INFINITY, c.cpu, std::string("threw: ") + e.what());
      FAIL_CHECK("cpu column: " << c.op << " " << c.label << " threw: " << e.what());
      continue;
    }
    check_outputs("cpu", c, outputs, c.reference(inputs), c.cpu);
  }
}

TEST_CASE("op table, CUDA column: every case on cuda:0 matches the CPU", "[.cuda]") {
  const std::string skipped = cuda_column_skip_reason();
  if (!skipped.empty()) {
    std::printf("CUDA column: SKIPPED (%s)\n", skipped.c_str());
    WARN("CUDA column: SKIPPED (" << skipped << ")");
    return;
  }
  const Device gpu = Device::cuda(0);
  for (const OpCase& c : all_cases()) {
    const Inputs inputs = c.make_inputs();
    std::vector<Tensor> cpu_outputs, outputs;
    try {
      cpu_outputs = c.call(inputs);
    } catch (const std::exception& e) {
      FAIL_CHECK("cuda column: " << c.op << " " << c.label << " threw on the CPU: " << e.what());
      continue;
    }
    try {
      for (const Tensor& t : c.call(on_device(inputs, gpu))) {
        if (!t.device().is_cuda()) throw foley::Error("result on " + t.device().to_string() + ", not on the GPU");
        outputs.push_back(t.to(Device::cpu()));
      }
    } catch (const std::exception& e) {
      // An op the CUDA backend does not run is a failure of the table, never a skip.
      report_row("cuda", c, INFINITY, c.cuda, std::string("threw: ") + e.what());
      FAIL_CHECK("cuda column: " << c.op << " " << c.label << " threw: " << e.what());
      continue;
    }
    std::vector<Expected> expected;
    for (const Tensor& t : cpu_outputs) expected.push_back(expected_from(t));
    check_outputs("cuda", c, outputs, expected, c.cuda);
  }
}

TEST_CASE("op table covers every op declared in tensor/ops.h", "[cpu]") {
  // The checkout this binary was built from, unless FOLEY_SOURCE_DIR names another copy (a binary shipped
  // to another machine).
  const char* source_dir = std::getenv("FOLEY_SOURCE_DIR");
  std::ifstream header(std::string(source_dir && *source_dir ? source_dir : FOLEY_SOURCE_DIR) + "/src/tensor/ops.h");
  REQUIRE(header.good());
  // Declarations at namespace scope: "Tensor name(" or "std::vector<Tensor> name(".
  const std::regex declaration(R"(^(?:Tensor|std::vector<Tensor>)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\()");
  std::set<std::string> declared;
  std::string line;
  std::smatch m;
  while (std::getline(header, line))
    if (std::regex_search(line, m, declaration)) declared.insert(m[1]);
  REQUIRE(declared.size() >= 30);  // the parser still understands the header

  std::map<std::string, int> rows;
  for (const OpCase& c : all_cases()) ++rows[c.op];
  for (const std::string& op : declared) {
    INFO("tensor/ops.h declares " << op << " but the op table (tests/tensor/op_table/) has no case for it");
    CHECK(rows.count(op) == 1);
  }
  for (const auto& [op, count] : rows) {
    INFO("the op table has cases for " << op << ", which tensor/ops.h does not declare");
    CHECK(declared.count(op) == 1);
  }
  std::printf("op table: %zu ops declared in tensor/ops.h, %zu cases\n", declared.size(), all_cases().size());
}
