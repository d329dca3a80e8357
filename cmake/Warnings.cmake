# Warnings for Sculpt's own targets only; third-party headers come in as SYSTEM.
function(sculpt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()
