# Every dependency is a Debian bookworm package installed by tools/install-deps.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(tomlplusplus QUIET)
if(NOT TARGET tomlplusplus::tomlplusplus)
  pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
  add_library(tomlplusplus::tomlplusplus ALIAS PkgConfig::TOMLPP)
endif()
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CURL REQUIRED)
# OpenSSL's libcrypto (libcurl links it already): the SHA-256 that SigV4 signs for S3
# payloads, and the farm servers' HMAC handshake and random secret.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(EBUR128 REQUIRED IMPORTED_TARGET libebur128)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
# OpenBLAS: headers only at build time. The tensor module opens the library
# with dlopen when FOLEY_GEMM=openblas asks for it (benchmarks), because a
# linked OpenBLAS spins a worker thread in every process from load to exit.
pkg_check_modules(OPENBLAS REQUIRED openblas)
add_library(PkgConfig::OPENBLAS INTERFACE IMPORTED)
set_target_properties(PkgConfig::OPENBLAS PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")
# Debian's dnnl CMake config drags in OpenCL; the plain library is all we need.
find_library(FOLEY_DNNL_LIBRARY dnnl)
find_path(FOLEY_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)

find_program(FOLEY_NINJA ninja REQUIRED)

# CUDA: AUTO builds it when nvcc is found; ON insists; OFF never looks.
set(FOLEY_CUDA_ENABLED OFF)
if(NOT FOLEY_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 86 89 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(FOLEY_CUDA_ENABLED ON)
  elseif(FOLEY_CUDA STREQUAL "ON")
    message(FATAL_ERROR "FOLEY_CUDA=ON but no CUDA compiler was found")
  endif()
endif()
message(STATUS "foley: CUDA backend ${FOLEY_CUDA_ENABLED}")
