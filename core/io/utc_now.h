#pragma once
#include <string>

namespace sculpt {

// Now, as ISO 8601 in UTC: "2025-01-31T17:04:05Z" — how every record says when it finished.
std::string utcNow();

} // namespace sculpt
