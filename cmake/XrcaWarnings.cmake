# Warning, sanitizer and fuzzing switches shared by every xrca target.

# -Wnull-dereference is left out: with GCC 12 it reports false positives inside libstdc++'s
# istreambuf_iterator, which -Werror would turn into build failures.
set(XRCA_WARNING_FLAGS
    -Wall -Wextra -Wno-missing-field-initializers -Wpedantic -Wshadow -Wswitch-enum -Wconversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
    -Wdouble-promotion -Wformat=2)

if(XRCA_SANITIZE)
  add_compile_options(-fsanitize=${XRCA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${XRCA_SANITIZE})
endif()

if(XRCA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "XRCA_FUZZ needs clang++ (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  # Every library gets coverage instrumentation; only the fuzz executables link libFuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Applies xrca's warning policy to one of our own targets (never to third-party code).
function(xrca_set_warnings target)
  target_compile_options(${target} PRIVATE ${XRCA_WARNING_FLAGS})
  if(XRCA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
