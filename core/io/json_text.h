#pragma once
// JSON from a file Sculpt does not trust: a safetensors header, a sharded index, config.json,
// a sidecar, tokenizer.json. The text is first walked without building anything, so a
// document past its limits (a 49-million-element array, millions of metadata keys) is
// refused in the memory its text already takes; only then is it built.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sculpt {

struct JsonLimits {
    uint64_t values = 100'000; // every value and every key counts one
    int depth = 32;            // objects and arrays inside each other
};

// Throws FileError naming `path` and `what` ("header", "config.json") for text that is not
// JSON, a number a double cannot hold, or a document past `limits`.
nlohmann::json parseJson(std::string_view text, const std::string &path, const std::string &what,
                         const JsonLimits &limits = {});

} // namespace sculpt
