#pragma once

// How the CPU convolutions (tensor/ops.h conv1d, conv2d, conv_transpose1d) are
// computed. Two implementations that agree to f32 rounding:
// - im2col (in bands of output rows) + sgemm; transposed conv as GEMM + col2im;
// - oneDNN's direct convolution / deconvolution on blocked layouts (nchw is
//   reordered in and out on every call; weights are reordered once per weight
//   tensor and kept while that tensor's storage lives).
// kAuto picks per shape by measurement (docs/runtime.md, docs/performance.md):
// direct for kernels wider than 1x1 on planes of at least kDirectMinPlane
// output positions (UNet levels 0-1, the VAE, HiFi-GAN), im2col otherwise;
// and for stride-1 conv1d with kernels >= 2 and at least
// winograd1d_min_channels() channels in and out, the 1-D Winograd path
// (tensor/cpu/conv_winograd1d.h: HiFi-GAN's resblocks), which strided
// transposed convolutions also take by phases (conv_transpose_phases.h).

#include <cstddef>
#include <cstdint>

namespace foley::tensor::cpu {

enum class ConvAlgorithm { kAuto, kIm2col, kDirect };

// Smallest output plane (H*W, or L for 1-D) that kAuto sends to oneDNN.
inline constexpr int64_t kDirectMinPlane = 512;

// The algorithm in effect. Initially from FOLEY_CONV=auto|im2col|direct in the
// environment (benchmarks), kAuto otherwise. Not meant to change while ops run.
ConvAlgorithm conv_algorithm();
void set_conv_algorithm(ConvAlgorithm algorithm);

// Whether the Winograd paths (oneDNN's 2-D, ours in 1-D and 2-D) may run:
// false when FOLEY_CONV_WINOGRAD=0 is in the environment (benchmarks,
// accuracy checks).
bool conv_winograd_enabled();

// Default of winograd1d_min_channels(): below it the GEMMs of the Winograd
// path are too thin to beat oneDNN's direct convolution. At 32 channels (the
// full-size HiFi-GAN's last stage, 163 872 samples) the vectorised transforms
// already win: 2-3x on AVX2 and AVX-512 alike (docs/performance.md).
inline constexpr int64_t kWinograd1dMinChannels = 32;
// Smallest C_in and C_out that kAuto sends to the 1-D Winograd path. Tests
// lower it to run the tiny models through that path.
int64_t winograd1d_min_channels();
void set_winograd1d_min_channels(int64_t channels);

// Bounds of the oneDNN caches, so that a resident server meeting many cue
// durations keeps a bounded set: 2-D primitives' shapes follow the audio
// length (long 1-D rows run in length-independent tiles), and oneDNN's
// Winograd weight layout follows the shape, each layout a full transformed
// copy of the weight (measured on the full-size VAE: +170 to +800 MB per new
// length before these bounds). The least recently used go first.
inline constexpr size_t kMaxConvPrimitives = 512;
inline constexpr size_t kMaxConvWeightLayouts = 2;  // per weight tensor

// Drops every cached oneDNN primitive, reordered and Winograd-transformed
// weight (tests; a process
// that unloads one model to load another frees the copies this way).
void clear_conv_cache();
// Reordered weight tensors currently cached (tests observe reuse with it).
int64_t conv_cached_weights();
// oneDNN convolution primitives currently cached, one per shape (long 1-D
// convolutions share one per layer whatever their length).
int64_t conv_cached_primitives();

}  // namespace foley::tensor::cpu
