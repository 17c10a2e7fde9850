# The GoogleTest suite as a few executables, split by file so that CTest labels say what a
# test needs (docs/testing.md):
#   unit    runs no backend: IR, formats, fusion, features, store, predictors, eval (a few
#           also run the nnlat binary on a graph, e.g. TfliteExportCli)
#   cli     runs the nnlat binary
#   device  runs a backend (reference, XNNPACK, OpenCL on pocl), also through the CLI; and
#           per backend: xnnpack, opencl
#   layering  the build rejects an include that points up the layer order
# `ctest -L device`, `ctest -LE device`, `ctest -L opencl` select them.

# nnlat_test_executable(NAME SOURCES file... [LABELS label...] [BACKEND_LABELS])
# BACKEND_LABELS: tests whose full name mentions XNNPACK or OpenCL (suite, test or parameter)
# also get the label `xnnpack` or `opencl`; gtest_discover_tests is called once per backend
# with a filter, so every test is discovered exactly once.
function(nnlat_test_executable name)
  cmake_parse_arguments(T "BACKEND_LABELS;UNITY" "" "SOURCES;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  # UNITY: test files that spend most of their compile time on GoogleTest's and
  # nlohmann/json's headers, compiled 8 to a batch (their helpers' names must not collide).
  if(T_UNITY)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
  # Tests reach every layer's private headers (white-box tests of internal helpers).
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${NNLAT_GENERATED_DIR})
  target_compile_options(${name} PRIVATE ${NNLAT_WARNINGS})
  target_compile_definitions(${name} PRIVATE NNLAT_SOURCE_DIR="${CMAKE_SOURCE_DIR}" NNLAT_BINARY="$<TARGET_FILE:nnlat>"
                                             NNLAT_DEVICE_BINARY="$<TARGET_FILE:nnlat-device>"
                                             NNLAT_AARCH64_BUNDLE="${NNLAT_AARCH64_BUNDLE}")
  target_link_libraries(${name} PRIVATE nnlat_lib onnx onnx_proto protobuf::libprotobuf PkgConfig::FLATBUFFERS
                                        GTest::gtest GTest::gtest_main)
  add_dependencies(${name} nnlat nnlat-device)
  # Labels are set by a CTest include file that runs after discovery, on the list of names
  # each discovery call fills: gtest_discover_tests drops the escaping of a list given in
  # PROPERTIES (CMake 3.25), so `LABELS "device;xnnpack"` would lose its second label.
  set(label_script ${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake)
  file(WRITE ${label_script} "")
  if(T_BACKEND_LABELS)
    set(xnnpack "*xnnpack*:*Xnnpack*")
    set(opencl "*opencl*:*OpenCl*")
    set(filters "${xnnpack}" "${opencl}-${xnnpack}" "-${xnnpack}:${opencl}")
    set(extra_labels xnnpack opencl "")
  else()
    set(filters "*")
    set(extra_labels "")
  endif()
  foreach(filter extra IN ZIP_LISTS filters extra_labels)
    string(MAKE_C_IDENTIFIER "${name}_${extra}_tests" list)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "${filter}" TEST_LIST ${list}
                         PROPERTIES TIMEOUT 600)
    set(labels ${T_LABELS} ${extra})
    file(APPEND ${label_script}
         "if(${list})\n  set_tests_properties(\${${list}} PROPERTIES LABELS \"${labels}\")\nendif()\n")
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${label_script})
endfunction()

# nnlat_layering_probe(TEST_NAME SOURCE file LAYER layer [EXPECT_ERROR regex])
# An object library, outside `all`, compiled with LAYER's include views (as a file of
# src/LAYER sees them through its DEPS), and a test that builds it. With EXPECT_ERROR the
# build must fail with that message (a regex, not WILL_FAIL: a build that fails for another
# reason, such as a missing target, must not pass); without, it must succeed (the control).
function(nnlat_layering_probe test_name)
  cmake_parse_arguments(P "" "SOURCE;LAYER;EXPECT_ERROR" "" ${ARGN})
  string(REPLACE "." "_" target ${test_name})
  set(target nnlat_probe_${target})
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${P_SOURCE})
  target_link_libraries(${target} PRIVATE nnlat_${P_LAYER})
  target_compile_options(${target} PRIVATE ${NNLAT_WARNINGS})
  add_test(NAME ${test_name} COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${target})
  set_tests_properties(${test_name} PROPERTIES LABELS "layering" TIMEOUT 300)
  if(P_EXPECT_ERROR)
    set_tests_properties(${test_name} PROPERTIES PASS_REGULAR_EXPRESSION "${P_EXPECT_ERROR}")
  endif()
endfunction()
