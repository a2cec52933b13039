// Op table rows: the shape and indexing ops. All of them copy values, so every
// backend must match the reference exactly, in the input's dtype.

#include <string>

#include "op_table/op_table.h"

namespace foley::tensor::op_table {
namespace {

Tensor random_of(const Shape& shape, DType dtype, uint32_t seed) {
  return is_floating(dtype) ? random_float(shape, seed, -1, 1, dtype) : random_int(shape, seed, -1000, 1000, dtype);
}

std::string dt(DType dtype) { return std::string(dtype_name(dtype)); }

int64_t wrap(int64_t dim, size_t rank) { return dim < 0 ? dim + static_cast<int64_t>(rank) : dim; }

// outer / size / inner split of `shape` at dim d.
struct Split {
  int64_t outer = 1, size = 1, inner = 1;
};
Split split(const Shape& shape, int64_t d) {
  Split s;
  for (int64_t i = 0; i < d; ++i) s.outer *= shape[idx(i)];
  s.size = shape[idx(d)];
  for (size_t i = idx(d) + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}

OpCase cat_case(std::vector<Shape> shapes, int64_t dim, DType dtype, uint32_t seed) {
  std::string label = "dim " + std::to_string(dim) + " " + dt(dtype);
  for (const Shape& s : shapes) label += " " + shape_to_string(s);
  return {"cat",
          label,
          [=] {
            Inputs in;
            for (size_t i = 0; i < shapes.size(); ++i)
              in.push_back(random_of(shapes[i], dtype, seed + static_cast<uint32_t>(i)));
            return in;
          },
          [=](const Inputs& t) { return std::vector<Tensor>{cat(t, dim)}; },
          [=](const Inputs& t) {
            const int64_t d = wrap(dim, shapes[0].size());
            Shape out_shape = shapes[0];
            out_shape[idx(d)] = 0;
            for (const Shape& s : shapes) out_shape[idx(d)] += s[idx(d)];
            Expected e{out_shape, dtype, {}};
            const Split so = split(out_shape, d);
            for (int64_t o = 0; o < so.outer; ++o)
              for (size_t i = 0; i < t.size(); ++i) {
                const auto v = values_of(t[i]);
                const Split si = split(shapes[i], d);
                for (int64_t j = 0; j < si.size * si.inner; ++j) e.values.push_back(v[idx(o * si.size * si.inner + j)]);
              }
            return std::vector<Expected>{e};
          },
          kExact,
          kExact};
}

OpCase stack_case(Shape shape, int64_t count, int64_t dim, DType dtype, uint32_t seed) {
  return {"stack",
          std::to_string(count) + " x " + shape_to_string(shape) + " dim " + std::to_string(dim) + " " + dt(dtype),
          [=] {
            Inputs in;
            for (int64_t i = 0; i < count; ++i) in.push_back(random_of(shape, dtype, seed + static_cast<uint32_t>(i)));
            return in;
          },
          [=](const Inputs& t) { return std::vector<Tensor>{stack(t, dim)}; },
          [=](const Inputs& t) {
            const int64_t d = wrap(dim, shape.size() + 1);
            Shape out_shape = shape;
            out_shape.insert(out_shape.begin() + d, count);
            Expected e{out_shape, dtype, {}};
            int64_t outer = 1, inner = 1;
            for (int64_t i = 0; i < d; ++i) outer *= shape[idx(i)];
            for (size_t i = idx(d); i < shape.size(); ++i) inner *= shape[i];
            for (int64_t o = 0; o < outer; ++o)
              for (int64_t i = 0; i < count; ++i) {
                const auto v = values_of(t[idx(i)]);
                for (int64_t j = 0; j < inner; ++j) e.values.push_back(v[idx(o * inner + j)]);
              }
            return std::vector<Expected>{e};
          },
          kExact,
          kExact};
}

OpCase index_select_case(Shape shape, DType dtype, int64_t dim, std::vector<int64_t> ids, DType index_dtype,
                         uint32_t seed) {
  return {"index_select",
          shape_to_string(shape) + " " + dt(dtype) + " dim " + std::to_string(dim) + " " + std::to_string(ids.size()) +
              " " + dt(index_dtype) + " ids (repeats, unordered)",
          [=] {
            Tensor index = Tensor::from_vector(ids, {static_cast<int64_t>(ids.size())});
            return Inputs{random_of(shape, dtype, seed), index_dtype == DType::kI64 ? index : index.to(index_dtype)};
          },
          [=](const Inputs& t) { return std::vector<Tensor>{index_select(t[0], dim, t[1])}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            const int64_t d = wrap(dim, shape.size());
            const Split s = split(shape, d);
            Shape out_shape = shape;
            out_shape[idx(d)] = static_cast<int64_t>(ids.size());
            Expected e{out_shape, dtype, {}};
            for (int64_t o = 0; o < s.outer; ++o)
              for (int64_t id : ids)
                for (int64_t in = 0; in < s.inner; ++in) e.values.push_back(x[idx((o * s.size + id) * s.inner + in)]);
            return std::vector<Expected>{e};
          },
          kExact,
          kExact};
}

OpCase embedding_case(int64_t vocab, int64_t width, DType dtype, Shape ids_shape, DType ids_dtype, uint32_t seed) {
  return {
      "embedding",
      "[" + std::to_string(vocab) + ", " + std::to_string(width) + "] " + dt(dtype) + " ids " +
          shape_to_string(ids_shape) + " " + dt(ids_dtype),
      [=] {
        return Inputs{random_of({vocab, width}, dtype, seed), random_int(ids_shape, seed + 1, 0, vocab - 1, ids_dtype)};
      },
      [](const Inputs& t) { return std::vector<Tensor>{embedding(t[0], t[1])}; },
      [=](const Inputs& t) {
        const auto w = values_of(t[0]), ids = values_of(t[1]);
        Shape out_shape = ids_shape;
        out_shape.push_back(width);
        Expected e{out_shape, dtype, {}};
        for (double id : ids)
          for (int64_t c = 0; c < width; ++c) e.values.push_back(w[idx(static_cast<int64_t>(id) * width + c)]);
        return std::vector<Expected>{e};
      },
      kExact,
      kExact};
}

OpCase chunk_case(Shape shape, int64_t chunks, int64_t dim, DType dtype, uint32_t seed) {
  return {
      "chunk",
      shape_to_string(shape) + " into " + std::to_string(chunks) + " along " + std::to_string(dim) + " " + dt(dtype),
      [=] { return Inputs{random_of(shape, dtype, seed)}; },
      [=](const Inputs& t) { return chunk(t[0], chunks, dim); },
      [=](const Inputs& t) {
        const auto x = values_of(t[0]);
        const int64_t d = wrap(dim, shape.size());
        const Split s = split(shape, d);
        const int64_t step = s.size / chunks;
        std::vector<Expected> parts;
        for (int64_t c = 0; c < chunks; ++c) {
          Shape part_shape = shape;
          part_shape[idx(d)] = step;
          Expected e{part_shape, dtype, {}};
          for (int64_t o = 0; o < s.outer; ++o)
            for (int64_t j = c * step; j < (c + 1) * step; ++j)
              for (int64_t in = 0; in < s.inner; ++in) e.values.push_back(x[idx((o * s.size + j) * s.inner + in)]);
          parts.push_back(e);
        }
        return parts;
      },
      kExact,
      kExact};
}

OpCase pad_case(Shape shape, std::vector<int64_t> pads, double value, DType dtype, uint32_t seed) {
  std::string label = shape_to_string(shape) + " " + dt(dtype) + " pads {";
  for (size_t i = 0; i < pads.size(); ++i) label += (i ? ", " : "") + std::to_string(pads[i]);
  label += "} value " + std::to_string(value);
  return {"pad",
          label,
          [=] { return Inputs{random_of(shape, dtype, seed)}; },
          [=](const Inputs& t) { return std::vector<Tensor>{pad(t[0], pads, value)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            const size_t rank = shape.size();
            Shape out_shape = shape;
            std::vector<int64_t> before(rank, 0);
            for (size_t p = 0; p < pads.size() / 2; ++p) {
              before[rank - 1 - p] = pads[2 * p];
              out_shape[rank - 1 - p] += pads[2 * p] + pads[2 * p + 1];
            }
            Expected e{out_shape, dtype, {}};
            const std::vector<int64_t> in_strides = strides_of(shape);
            for (int64_t flat = 0; flat < shape_numel(out_shape); ++flat) {
              int64_t rem = flat, offset = 0;
              bool inside = true;
              for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
                const int64_t src = rem % out_shape[idx(d)] - before[idx(d)];
                rem /= out_shape[idx(d)];
                if (src < 0 || src >= shape[idx(d)]) inside = false;
                offset += src * in_strides[idx(d)];
              }
              // The fill value in the output's dtype (integers truncate it).
              e.values.push_back(inside               ? x[idx(offset)]
                                 : is_floating(dtype) ? static_cast<double>(static_cast<float>(value))
                                                      : static_cast<double>(static_cast<int64_t>(value)));
            }
            return std::vector<Expected>{e};
          },
          kExact,
          kExact};
}

OpCase upsample_case(Shape shape, int64_t out_h, int64_t out_w, DType dtype, uint32_t seed) {
  return {"upsample_nearest2d",
          shape_to_string(shape) + " -> " + std::to_string(out_h) + "x" + std::to_string(out_w) + " " + dt(dtype),
          [=] { return Inputs{random_of(shape, dtype, seed)}; },
          [=](const Inputs& t) { return std::vector<Tensor>{upsample_nearest2d(t[0], out_h, out_w)}; },
          [=](const Inputs& t) {
            const auto x = values_of(t[0]);
            const int64_t planes = shape[0] * shape[1], h = shape[2], w = shape[3];
            Expected e{{shape[0], shape[1], out_h, out_w}, dtype, {}};
            for (int64_t p = 0; p < planes; ++p)
              for (int64_t y = 0; y < out_h; ++y)
                for (int64_t xo = 0; xo < out_w; ++xo)  // src = floor(dst * in / out)
                  e.values.push_back(x[idx((p * h + y * h / out_h) * w + xo * w / out_w)]);
            return std::vector<Expected>{e};
          },
          kExact,
          kExact};
}

}  // namespace

std::vector<OpCase> shape_cases() {
  const DType f32 = DType::kF32, bf16 = DType::kBF16, i32 = DType::kI32, i64 = DType::kI64;
  return {
      cat_case({{2, 3, 5}, {2, 4, 5}, {2, 1, 5}}, 1, f32, 3000),
      cat_case({{3, 7}, {1, 7}}, 0, i64, 3010),
      cat_case({{2, 3, 5}, {2, 3, 2}}, -1, i32, 3020),
      cat_case({{1, 2, 9}, {1, 5, 9}}, 1, bf16, 3030),  // stays bf16
      stack_case({3, 5}, 3, 0, f32, 3100),
      stack_case({2, 7}, 2, -1, i64, 3110),
      stack_case({4, 3}, 2, 1, i32, 3120),
      index_select_case({2, 9, 5}, f32, 1, {8, 0, 3, 3, 7}, i64, 3200),
      index_select_case({11, 4}, i64, 0, {10, 2, 2, 5}, i32, 3210),
      index_select_case({3, 2, 13}, bf16, -1, {12, 0, 6}, i64, 3220),
      embedding_case(37, 16, f32, {2, 5}, i64, 3300),
      embedding_case(50, 9, f32, {7}, i32, 3310),
      embedding_case(23, 8, bf16, {2, 3, 2}, i64, 3320),
      chunk_case({2, 9, 5}, 3, 1, f32, 3400),
      chunk_case({6, 7}, 2, 0, i64, 3410),
      chunk_case({2, 3, 8}, 4, -1, f32, 3420),
      pad_case({2, 3, 7}, {1, 2}, 0.0, f32, 3500),
      pad_case({2, 3, 5, 4}, {2, 0, 1, 3}, -1.5, f32, 3510),
      pad_case({2, 6, 7}, {-1, 2, 0, -2}, 0.25, f32, 3520),  // negative pads crop
      pad_case({3, 5}, {0, 3, 2, 1}, 7.0, i64, 3530),
      pad_case({4, 9}, {2, 1}, -2.0, i32, 3540),
      upsample_case({2, 3, 5, 7}, 10, 14, f32, 3600),  // the 2x upsampler
      upsample_case({1, 2, 5, 7}, 9, 4, f32, 3610),    // the UNet's resize-to-skip sizes
      upsample_case({1, 3, 4, 6}, 7, 11, bf16, 3620),
      upsample_case({2, 1, 3, 3}, 6, 6, i64, 3630),
  };
}

}  // namespace foley::tensor::op_table
