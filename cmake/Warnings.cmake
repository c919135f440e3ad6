# Strict warnings for every keeper target; third-party headers come in as SYSTEM and stay quiet.
add_library(keeper_warnings INTERFACE)
target_compile_options(keeper_warnings INTERFACE
  -Wall -Wextra -Werror -Wpedantic
  -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast -Wcast-align
  -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2 -Wmissing-declarations)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(keeper_warnings INTERFACE -Wduplicated-cond -Wlogical-op)
  # GCC 12 reports impossible overlaps inside std::string at -O2/-O3 (GCC bug 105651).
  # and "maybe uninitialized" through std::variant of Boost.Multiprecision numbers (GCC bug 80635).
  target_compile_options(keeper_warnings INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
