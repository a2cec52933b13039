# foley_module(NAME SOURCES... DEPS ...) defines the static library foley_NAME
# with src/ on its include path, so headers are included as "module/file.h".
function(foley_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(foley_${name} STATIC ${ARG_SOURCES})
  target_include_directories(foley_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(foley_${name} PUBLIC ${ARG_DEPS})
endfunction()

# foley_test(NAME SOURCES... DEPS ... [MAIN file]) builds a Catch2 test binary
# (with tests/catch_main.cc, or MAIN's own main()) and registers it with CTest. Tests run with the source tree's root as
# FOLEY_SOURCE_DIR and the build dir as FOLEY_BUILD_DIR in their environment.
function(foley_test name)
  cmake_parse_arguments(ARG "" "MAIN" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_MAIN)
    set(ARG_MAIN ${PROJECT_SOURCE_DIR}/tests/catch_main.cc)
  endif()
  add_executable(${name} ${ARG_SOURCES} ${ARG_MAIN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE
    FOLEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}" FOLEY_BUILD_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  # GOMP_SPINCOUNT: the bound the model server runs with (ipc/launcher.cc); ctest runs test
  # executables side by side, and OpenMP's default spinning made each several times slower there.
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "FOLEY_SOURCE_DIR=${PROJECT_SOURCE_DIR};FOLEY_BUILD_DIR=${PROJECT_BINARY_DIR};GOMP_SPINCOUNT=10000")
endfunction()

# foley_test_isa_variants(NAME ISA...) registers NAME_<isa> per ISA: test binary NAME (a foley_test of this
# directory) run with FOLEY_CPU_ISA=<isa>, which caps the hand-written CPU kernels and oneDNN (tensor/cpu/isa.h),
# so one machine tests its narrower paths; NAME's own entry runs the machine's best.
function(foley_test_isa_variants name)
  get_test_property(${name} ENVIRONMENT environment)
  foreach(isa ${ARGN})
    add_test(NAME ${name}_${isa} COMMAND ${name})
    set_tests_properties(${name}_${isa} PROPERTIES ENVIRONMENT "${environment};FOLEY_CPU_ISA=${isa}")
  endforeach()
endfunction()
