# nnlat_layer(NAME [DEPS layer...] [PUBLIC_LIBS lib...] [PRIVATE_LIBS lib...] [SOURCES file...]
#             [EXCLUDE_DIRS subfolder...])
#
# One static library per folder of src/: nnlat_NAME from src/NAME/**.cpp (+ SOURCES), less
# the subfolders in EXCLUDE_DIRS (the runner-only build leaves the ONNX and TFLite readers out).
# Include views make the layering a compile error rather than a convention: the build
# folder holds include-views/NAME/public/nnlat/NAME -> include/nnlat/NAME and
# include-views/NAME/private/NAME -> src/NAME. A layer gets its own public and private view
# and, through DEPS (linked PUBLIC), the public views of the layers below it. Nothing else is
# on its include path, so `#include "nnlat/eval/..."` from src/store fails with
# "No such file or directory".
function(nnlat_layer name)
  cmake_parse_arguments(L "" "" "DEPS;PUBLIC_LIBS;PRIVATE_LIBS;SOURCES;EXCLUDE_DIRS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cpp)
  foreach(dir ${L_EXCLUDE_DIRS})
    list(FILTER sources EXCLUDE REGEX "^${CMAKE_SOURCE_DIR}/src/${name}/${dir}/")
  endforeach()
  set(target nnlat_${name})
  add_library(${target} STATIC ${sources} ${L_SOURCES})

  set(view ${CMAKE_BINARY_DIR}/include-views/${name})
  file(MAKE_DIRECTORY ${view}/public/nnlat ${view}/private)
  if(EXISTS ${CMAKE_SOURCE_DIR}/include/nnlat/${name})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/include/nnlat/${name} ${view}/public/nnlat/${name} SYMBOLIC)
  endif()
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${name} ${view}/private/${name} SYMBOLIC)
  target_include_directories(${target} PUBLIC ${view}/public PRIVATE ${view}/private)

  foreach(dep ${L_DEPS})
    target_link_libraries(${target} PUBLIC nnlat_${dep})
  endforeach()
  target_link_libraries(${target} PUBLIC ${L_PUBLIC_LIBS} PRIVATE ${L_PRIVATE_LIBS})
  target_compile_options(${target} PRIVATE ${NNLAT_WARNINGS})
  if(name IN_LIST NNLAT_UNITY_LAYERS)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
  set_property(GLOBAL APPEND PROPERTY NNLAT_LAYERS ${name})
endfunction()
