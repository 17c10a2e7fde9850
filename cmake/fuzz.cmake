# Fuzz targets (fuzz/, docs/reliability.md): one per input kind, each an
# LLVMFuzzerTestOneInput that takes an input through the whole path of a user's command and
# checks invariants (fuzz/fuzz_support.hpp). Built two ways from the same sources:
#   NNLAT_FUZZ=ON (clang, `make fuzz` → build-fuzz/): libFuzzer programs fuzz_KIND, every
#       layer built with ASan + UBSan + coverage (the flags come from the Makefile), and the
#       sanitizer test subset nnlat_sanitize_tests (`make test-sanitize`, label `sanitize`);
#   the normal build (g++, tests on): replay programs fuzz_replay_KIND (fuzz/replay_main.cpp)
#       and a CTest test per kind, fuzz.replay.KIND (labels unit, fuzz), that feeds the seed
#       corpus and every kept crash (tests/fuzz-regressions/KIND/) to the target once.
set(NNLAT_FUZZ_KINDS onnx tflite json_graph model_ref csv mlbench predictor_file protocol options)

add_library(nnlat_fuzz_support STATIC EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/fuzz/fuzz_support.cpp
                                                       ${CMAKE_SOURCE_DIR}/fuzz/fuzz_store_checks.cpp)
target_link_libraries(nnlat_fuzz_support PUBLIC nnlat_campaigns nnlat_predictors)
target_compile_options(nnlat_fuzz_support PRIVATE ${NNLAT_WARNINGS})

if(NNLAT_FUZZ)
  add_custom_target(nnlat_fuzz_targets)
  foreach(kind ${NNLAT_FUZZ_KINDS})
    add_executable(fuzz_${kind} EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${kind}.cpp)
    target_compile_options(fuzz_${kind} PRIVATE ${NNLAT_WARNINGS})
    target_link_libraries(fuzz_${kind} PRIVATE nnlat_fuzz_support)
    target_link_options(fuzz_${kind} PRIVATE -fsanitize=fuzzer)
    add_dependencies(nnlat_fuzz_targets fuzz_${kind})
  endforeach()

  # The unit tests of the readers and the store under ASan + UBSan: the files whose tests need
  # neither the CLI nor the layers above campaigns/predictors, so the sanitizer build stays
  # small enough for CI (docs/reliability.md has its build and run times).
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
  set(t ${CMAKE_SOURCE_DIR}/tests)
  add_executable(nnlat_sanitize_tests EXCLUDE_FROM_ALL
                 ${t}/ir_core_test.cpp ${t}/onnx_import_test.cpp ${t}/tflite_import_test.cpp ${t}/store_test.cpp
                 ${t}/fusion_test.cpp ${t}/kernel_features_test.cpp ${t}/import_agreement_test.cpp)
  target_include_directories(nnlat_sanitize_tests PRIVATE ${CMAKE_SOURCE_DIR}/src ${NNLAT_GENERATED_DIR})
  set_target_properties(nnlat_sanitize_tests PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 4)
  target_compile_options(nnlat_sanitize_tests PRIVATE ${NNLAT_WARNINGS})
  target_link_libraries(nnlat_sanitize_tests PRIVATE nnlat_campaigns nnlat_predictors onnx onnx_proto
                                                     protobuf::libprotobuf PkgConfig::FLATBUFFERS GTest::gtest
                                                     GTest::gtest_main)
  gtest_discover_tests(nnlat_sanitize_tests DISCOVERY_TIMEOUT 120 PROPERTIES LABELS sanitize TIMEOUT 900)
elseif(NNLAT_BUILD_TESTS)
  foreach(kind ${NNLAT_FUZZ_KINDS})
    add_executable(fuzz_replay_${kind} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${kind}.cpp ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_compile_options(fuzz_replay_${kind} PRIVATE ${NNLAT_WARNINGS})
    target_link_libraries(fuzz_replay_${kind} PRIVATE nnlat_fuzz_support)
    add_test(NAME fuzz.replay.${kind} COMMAND fuzz_replay_${kind} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${kind}
                                              ${CMAKE_SOURCE_DIR}/tests/fuzz-regressions/${kind})
    set_tests_properties(fuzz.replay.${kind} PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
  endforeach()
endif()
