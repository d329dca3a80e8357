#pragma once
// The contract between sculpt-cli and its LibTorch module. Linking LibTorch costs ~0.4 s
// and ~160 MB at startup, which `inspect` must not pay, so the commands that run models
// live in sculpt-cli-runtime.so, loaded only when one of them runs.

namespace sculpt::cli {

inline constexpr const char *kRuntimeModuleFile = "sculpt-cli-runtime.so";
inline constexpr const char *kRuntimeEntryPoint = "sculpt_runtime_command";

} // namespace sculpt::cli

// Runs `command` (generate, eval) with the arguments after it; returns the exit code.
extern "C" int sculpt_runtime_command(const char *command, int argc, const char *const *argv);
