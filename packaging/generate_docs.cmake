# Build step (cmake -P): what is made from the built binary rather than written by hand.
#   - man pages, by help2man, from `xrca --help`, `xrca COMMAND --help` and `xrca --version`:
#     xrca.1 and one xrca-COMMAND.1 per command the binary lists, so a new command gets its page
#     without a change here;
#   - the bash completion script, from `xrca completion bash`, when the binary has that command.
# Inputs: XRCA (the built binary), HELP2MAN (empty when not found), OUT (a directory); writes
# OUT/man1/*.1 and OUT/completion/xrca, removing what an earlier run made and this one did not.
cmake_minimum_required(VERSION 3.25)
foreach(required XRCA OUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "generate_docs.cmake needs -D${required}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${OUT}/man1" "${OUT}/wrappers" "${OUT}/completion")
file(MAKE_DIRECTORY "${OUT}/man1" "${OUT}/completion")

# Bash completion: lights up once the binary has `xrca completion bash` (exit 0, some output).
execute_process(COMMAND "${XRCA}" completion bash
                RESULT_VARIABLE completion_status OUTPUT_VARIABLE completion ERROR_QUIET)
if(completion_status EQUAL 0 AND NOT completion STREQUAL "")
  file(WRITE "${OUT}/completion/xrca" "${completion}")
else()
  message(STATUS "xrca has no `completion bash` command: no bash completion is installed")
endif()

if(NOT HELP2MAN)
  message(STATUS "help2man not found: no man pages are built or installed (apt-get install help2man)")
  return()
endif()

execute_process(COMMAND "${XRCA}" --version RESULT_VARIABLE status OUTPUT_VARIABLE version_line)
if(NOT status EQUAL 0 OR NOT version_line MATCHES "^xrca ([^\n]+)")
  message(FATAL_ERROR "${XRCA} --version printed no version (exit ${status}): ${version_line}")
endif()
set(version "${CMAKE_MATCH_1}")

# The command list is the block after "commands:" in `xrca --help`: "  NAME  summary" lines.
execute_process(COMMAND "${XRCA}" --help RESULT_VARIABLE status OUTPUT_VARIABLE usage)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${XRCA} --help failed (exit ${status})")
endif()
# A help text without that block still gets its xrca.1; the install test (tests/install)
# fails on the missing command pages, and the build goes on.
string(FIND "${usage}" "\ncommands:\n" at)
set(listing "")
if(at GREATER_EQUAL 0)
  string(SUBSTRING "${usage}" ${at} -1 listing)
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(commands "")
foreach(line IN LISTS lines)
  if(line MATCHES "^  ([a-z][a-z0-9-]*)  +(.+)$")
    list(APPEND commands "${CMAKE_MATCH_1}")
    set(summary_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  elseif(commands AND line STREQUAL "")
    break()
  endif()
endforeach()
if(NOT commands)
  message(WARNING "${XRCA} --help lists no commands (no '  NAME  summary' lines after 'commands:'): "
                  "only xrca.1 is made")
endif()

# help2man documents one program: each command gets a two-line wrapper named xrca-COMMAND,
# which also gives the page its name.
# \% keeps groff from hyphenating a name at the end of a line.
list(TRANSFORM commands PREPEND ".BR \\%xrca-" OUTPUT_VARIABLE references)
list(TRANSFORM references APPEND " (1)")
list(JOIN references ",\n" see_also)
string(APPEND see_also "\n")
file(WRITE "${OUT}/wrappers/xrca.h2m" "[SEE ALSO]\n${see_also}")
file(WRITE "${OUT}/wrappers/command.h2m" "[SEE ALSO]\n.BR xrca (1)\n")

function(make_page program name include output)
  execute_process(COMMAND "${HELP2MAN}" --no-info --section 1 --source "xrca ${version}"
                          --version-string "${version}" --name "${name}" --include "${include}"
                          --output "${output}" "${program}"
                  RESULT_VARIABLE status ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "help2man failed for ${program} (exit ${status}): ${error}")
  endif()
endfunction()

make_page("${XRCA}" "an RMS-style certificate hierarchy and registration authority" "${OUT}/wrappers/xrca.h2m"
          "${OUT}/man1/xrca.1")
foreach(command IN LISTS commands)
  set(wrapper "${OUT}/wrappers/xrca-${command}")
  file(WRITE "${wrapper}" "#!/bin/sh\nexec '${XRCA}' ${command} \"$@\"\n")
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  make_page("${wrapper}" "${summary_${command}}" "${OUT}/wrappers/command.h2m" "${OUT}/man1/xrca-${command}.1")
endforeach()
list(LENGTH commands count)
message(STATUS "man pages: xrca.1 and ${count} command pages")
