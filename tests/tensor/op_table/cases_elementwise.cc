// Op table rows: activations, broadcast arithmetic and reductions.

#include <cmath>
#include <string>

#include "op_table/op_table.h"

namespace foley::tensor::op_table {
namespace {

constexpr Threshold kCpuTranscendental{1e-12, "f32 vector exp/erf/tanh approximations, a few ulps (u^2 ~ 4e-15)"};
constexpr Threshold kCudaTranscendental{1e-10, "f32 on both sides; libm vs the CPU's vector math, a few ulps"};
constexpr Threshold kCudaReduction{1e-10, "f32 sums in a different order"};

OpCase unary_case(const std::string& op, const std::string& label, Shape shape, DType dtype, float lo, float hi,
                  std::function<Tensor(const Tensor&)> fn, std::function<double(double)> ref, Threshold cpu,
                  Threshold cuda, uint32_t seed) {
  return {op,
          shape_to_string(shape) + " " + std::string(dtype_name(dtype)) + (label.empty() ? "" : " " + label),
          [=] { return Inputs{random_float(shape, seed, lo, hi, dtype)}; },
          [=](const Inputs& t) { return std::vector<Tensor>{fn(t[0])}; },
          [=](const Inputs& t) {
            Expected e{shape, DType::kF32, values_of(t[0])};
            for (double& v : e.values) v = ref(v);
            return std::vector<Expected>{e};
          },
          cpu,
          cuda};
}

enum class Arith { kAdd, kSub, kMul, kDiv };

OpCase binary_case(Arith op, Shape a_shape, Shape b_shape, DType a_dtype, DType b_dtype, uint32_t seed) {
  static const char* names[] = {"add", "sub", "mul", "div"};
  const bool integer = !is_floating(a_dtype) && !is_floating(b_dtype);
  const std::string label = shape_to_string(a_shape) + " " + std::string(dtype_name(a_dtype)) + ", " +
                            shape_to_string(b_shape) + " " + std::string(dtype_name(b_dtype));
  // add/sub/mul/div of f32 values are correctly rounded on every backend; against double they are one rounding.
  const Threshold cpu = integer ? kExact : kF32Rounding;
  auto operand = [=](const Shape& shape, DType dtype, uint32_t s, bool divisor) {
    if (!is_floating(dtype)) {
      Tensor t = random_int(shape, s, -50, 50, dtype);
      if (divisor) {  // no zero divisors: shift non-negative values up by one
        std::vector<int64_t> v = t.to_vector_i64();
        for (int64_t& x : v) x = x >= 0 ? x + 1 : x;
        t = Tensor::from_vector(v, shape);
        if (dtype != DType::kI64) t = t.to(dtype);
      }
      return t;
    }
    return divisor ? random_float(shape, s, 0.5f, 2.0f, dtype) : random_float(shape, s, -2.0f, 2.0f, dtype);
  };
  return {
      names[static_cast<int>(op)],
      label,
      [=] {
        return Inputs{operand(a_shape, a_dtype, seed, false), operand(b_shape, b_dtype, seed + 1, op == Arith::kDiv)};
      },
      [=](const Inputs& t) {
        switch (op) {
          case Arith::kAdd:
            return std::vector<Tensor>{add(t[0], t[1])};
          case Arith::kSub:
            return std::vector<Tensor>{sub(t[0], t[1])};
          case Arith::kMul:
            return std::vector<Tensor>{mul(t[0], t[1])};
          case Arith::kDiv:
            return std::vector<Tensor>{div(t[0], t[1])};
        }
        return std::vector<Tensor>{};
      },
      [=](const Inputs& t) {
        const auto a = values_of(t[0]), b = values_of(t[1]);
        const Shape shape = broadcast_shape(a_shape, b_shape);
        Expected e{shape, integer ? a_dtype : DType::kF32, {}};
        for (int64_t i = 0; i < shape_numel(shape); ++i) {
          const double x = a[idx(broadcast_offset(i, shape, a_shape))];
          const double y = b[idx(broadcast_offset(i, shape, b_shape))];
          double r = 0;
          switch (op) {
            case Arith::kAdd:
              r = x + y;
              break;
            case Arith::kSub:
              r = x - y;
              break;
            case Arith::kMul:
              r = x * y;
              break;
            case Arith::kDiv:
              r = integer ? std::trunc(x / y) : x / y;
              break;  // integers round toward zero
          }
          e.values.push_back(r);
        }
        return std::vector<Expected>{e};
      },
      cpu,
      integer ? kExact : Threshold{0, "IEEE-exact f32 operations on both backends"}};
}

OpCase scalar_case(bool is_scale, Shape shape, double s, DType dtype, uint32_t seed) {
  return {is_scale ? "scale" : "add_scalar",
          shape_to_string(shape) + " " + std::string(dtype_name(dtype)) + " s=" + std::to_string(s),
          [=] { return Inputs{random_float(shape, seed, -3, 3, dtype)}; },
          [=](const Inputs& t) { return std::vector<Tensor>{is_scale ? scale(t[0], s) : add_scalar(t[0], s)}; },
          [=](const Inputs& t) {
            Expected e{shape, DType::kF32, values_of(t[0])};
            for (double& v : e.values) v = is_scale ? v * s : v + s;
            return std::vector<Expected>{e};
          },
          {1e-12, "s rounded to f32, then one f32 operation per element"},
          {1e-13, "one rounding per element on each side (s applied as f32 or as double)"}};
}

// Sum or mean along dim (keepdim or not) in double.
OpCase reduce_case(bool is_mean, Shape shape, int64_t dim, bool keepdim, DType dtype, uint32_t seed) {
  return {is_mean ? "mean" : "sum",
          shape_to_string(shape) + " dim " + std::to_string(dim) + (keepdim ? " keepdim" : "") + " " +
              std::string(dtype_name(dtype)),
          [=] { return Inputs{random_float(shape, seed, -2, 2, dtype)}; },
          [=](const Inputs& t) {
            return std::vector<Tensor>{is_mean ? mean(t[0], dim, keepdim) : sum(t[0], dim, keepdim)};
          },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            const int64_t d = dim < 0 ? dim + static_cast<int64_t>(shape.size()) : dim;
            int64_t outer = 1, inner = 1;
            for (int64_t i = 0; i < d; ++i) outer *= shape[idx(i)];
            for (size_t i = idx(d) + 1; i < shape.size(); ++i) inner *= shape[i];
            const int64_t n = shape[idx(d)];
            Shape out_shape = shape;
            if (keepdim)
              out_shape[idx(d)] = 1;
            else
              out_shape.erase(out_shape.begin() + d);
            Expected e{out_shape, DType::kF32, {}};
            for (int64_t o = 0; o < outer; ++o)
              for (int64_t in = 0; in < inner; ++in) {
                double acc = 0;
                for (int64_t j = 0; j < n; ++j) acc += x[idx((o * n + j) * inner + in)];
                e.values.push_back(is_mean ? acc / static_cast<double>(n) : acc);
              }
            return std::vector<Expected>{e};
          },
          {1e-13, "accumulated in double on the CPU, one f32 rounding"},
          kCudaReduction};
}

OpCase cumsum_case(Shape shape, int64_t dim, DType dtype, uint32_t seed) {
  const bool integer = !is_floating(dtype);
  return {
      "cumsum",
      shape_to_string(shape) + " dim " + std::to_string(dim) + " " + std::string(dtype_name(dtype)),
      [=] {
        return Inputs{integer ? random_int(shape, seed, -1000, 1000, dtype) : random_float(shape, seed, -1, 1, dtype)};
      },
      [=](const Inputs& t) { return std::vector<Tensor>{cumsum(t[0], dim)}; },
      [=](const Inputs& t) {
        const auto x = values_of(t[0]);
        const int64_t d = dim < 0 ? dim + static_cast<int64_t>(shape.size()) : dim;
        int64_t outer = 1, inner = 1;
        for (int64_t i = 0; i < d; ++i) outer *= shape[idx(i)];
        for (size_t i = idx(d) + 1; i < shape.size(); ++i) inner *= shape[i];
        const int64_t n = shape[idx(d)];
        // Integer inputs give i64 (as torch); floating ones f32.
        Expected e{shape, integer ? DType::kI64 : DType::kF32, x};
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t in = 0; in < inner; ++in) {
            double acc = 0;
            for (int64_t j = 0; j < n; ++j)
              e.values[idx((o * n + j) * inner + in)] = acc += x[idx((o * n + j) * inner + in)];
          }
        return std::vector<Expected>{e};
      },
      integer ? kExact : Threshold{1e-11, "running f32 sum over <= 40 terms"},
      integer ? kExact : kCudaReduction};
}

double gelu_tanh_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

}  // namespace

std::vector<OpCase> elementwise_cases() {
  const DType f32 = DType::kF32, bf16 = DType::kBF16, f16 = DType::kF16, i32 = DType::kI32, i64 = DType::kI64;
  const Threshold tr = kCpuTranscendental, ctr = kCudaTranscendental;
  auto gelu_exact = [](const Tensor& x) { return gelu(x); };
  auto gelu_new = [](const Tensor& x) { return gelu(x, GeluApproximation::kTanh); };
  auto silu_op = [](const Tensor& x) { return silu(x); };
  std::vector<OpCase> cases = {
      unary_case("gelu", "exact", {2, 3, 37}, f32, -6, 6, gelu_exact, gelu_exact_ref, tr, ctr, 2000),
      unary_case("gelu", "exact", {1, 1031}, bf16, -4, 4, gelu_exact, gelu_exact_ref, tr, ctr, 2010),
      unary_case("gelu", "tanh", {2, 5, 67}, f32, -6, 6, gelu_new, gelu_tanh_ref, tr, ctr, 2020),
      unary_case("silu", "", {2, 7, 33}, f32, -10, 10, silu_op, silu_ref, tr, ctr, 2030),
      unary_case("silu", "", {1, 1029}, f16, -8, 8, silu_op, silu_ref, tr, ctr, 2040),
      unary_case(
          "relu", "", {2, 3, 37}, f32, -1, 1, [](const Tensor& x) { return relu(x); },
          [](double v) { return v > 0 ? v : 0.0; }, kExact, kExact, 2050),
      unary_case(
          "leaky_relu", "slope 0.1", {2, 41}, f32, -1, 1, [](const Tensor& x) { return leaky_relu(x, 0.1); },
          [](double v) { return v > 0 ? v : v * static_cast<double>(0.1f); }, kF32Rounding,
          {0, "one f32 multiplication on both backends"}, 2060),
      unary_case(
          "tanh", "", {3, 29}, f32, -5, 5, [](const Tensor& x) { return tanh(x); },
          [](double v) { return std::tanh(v); }, tr, ctr, 2070),
      unary_case(
          "sigmoid", "", {3, 29}, f32, -12, 12, [](const Tensor& x) { return sigmoid(x); },
          [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, tr, ctr, 2080),
      unary_case(
          "exp", "", {2, 39}, f32, -10, 10, [](const Tensor& x) { return exp(x); },
          [](double v) { return std::exp(v); }, tr, ctr, 2090),
      unary_case(
          "sqrt", "", {2, 39}, f32, 0, 9, [](const Tensor& x) { return sqrt(x); },
          [](double v) { return std::sqrt(v); }, kF32Rounding, {0, "IEEE sqrt is correctly rounded on both backends"},
          2100),
      // geglu: x [..., 2F] -> a * gelu_exact(g) over the halves of the last dim.
      {"geglu", "[2, 5, 2x37] f32",
       [] {
         return Inputs{random_float({2, 5, 74}, 2110, -4, 4)};
       },
       [](const Inputs& t) { return std::vector<Tensor>{geglu(t[0])}; },
       [](const Inputs& t) {
         const auto x = values_of(t[0]);
         Expected e{{2, 5, 37}, DType::kF32, {}};
         for (int64_t r = 0; r < 10; ++r)
           for (int64_t j = 0; j < 37; ++j)
             e.values.push_back(x[idx(r * 74 + j)] * gelu_exact_ref(x[idx(r * 74 + 37 + j)]));
         return std::vector<Expected>{e};
       },
       tr, ctr},
      binary_case(Arith::kAdd, {2, 3, 37}, {2, 3, 37}, f32, f32, 2200),
      binary_case(Arith::kAdd, {2, 1, 5, 7}, {3, 1, 7}, f32, bf16, 2210),  // broadcast both ways, mixed dtypes
      binary_case(Arith::kAdd, {2, 3, 37}, {37}, i32, i32, 2220),
      binary_case(Arith::kAdd, {4, 1}, {1, 9}, i64, i64, 2230),
      binary_case(Arith::kSub, {2, 5, 33}, {5, 1}, f32, f32, 2240),
      binary_case(Arith::kSub, {3, 11}, {3, 11}, i64, i64, 2250),
      binary_case(Arith::kSub, {1, 7}, {6, 1}, i32, i32, 2260),
      binary_case(Arith::kMul, {2, 3, 37}, {1, 3, 1}, f32, f32, 2270),
      binary_case(Arith::kMul, {5, 13}, {13}, i32, i32, 2280),
      binary_case(Arith::kMul, {2, 1, 9}, {2, 4, 1}, i64, i64, 2290),
      binary_case(Arith::kDiv, {2, 3, 37}, {2, 3, 37}, f32, f32, 2300),
      binary_case(Arith::kDiv, {3, 17}, {17}, f16, f32, 2310),
      binary_case(Arith::kDiv, {4, 15}, {4, 15}, i64, i64, 2320),  // rounds toward zero
      binary_case(Arith::kDiv, {2, 9}, {1, 9}, i32, i32, 2330),
      scalar_case(true, {2, 3, 37}, 0.18215, f32, 2400),
      scalar_case(true, {1, 77}, -3.0, bf16, 2410),
      scalar_case(false, {2, 3, 37}, 0.5, f32, 2420),
      scalar_case(false, {5, 9}, -1e-3, f16, 2430),
      reduce_case(false, {2, 7, 33}, -1, false, f32, 2500),
      reduce_case(false, {2, 7, 33}, 1, true, f32, 2510),
      reduce_case(false, {3, 5}, 0, false, bf16, 2520),
      reduce_case(true, {2, 7, 33}, 1, false, f32, 2530),
      reduce_case(true, {1, 9, 4, 5}, -1, true, f32, 2540),
      cumsum_case({2, 37}, -1, f32, 2600),
      cumsum_case({3, 7, 5}, 1, f32, 2610),
      cumsum_case({2, 37}, 1, i64, 2620),
      cumsum_case({4, 9, 3}, 0, i32, 2630),  // i32 in, i64 out
  };
  return cases;
}

}  // namespace foley::tensor::op_table
