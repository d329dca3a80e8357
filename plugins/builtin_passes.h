#pragma once
// Registers the passes that ship with Sculpt (svd, fwsvd, asvd, svd-llm, soco) with core's
// registry. Explicit, so a static link cannot drop a plugin; calling it twice is harmless.

namespace sculpt {
void registerBuiltinPasses();
}
