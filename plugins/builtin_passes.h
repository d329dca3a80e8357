#pragma once
// Registers the methods that ship with Sculpt with core's registries: the compression passes
// (svd, fwsvd, asvd, svd-llm, soco), the head-score strategies (heat), the adapter kinds (lily)
// and the adapter prunings (pear).
// Explicit, so a static link cannot drop a plugin; calling it twice is harmless.

namespace sculpt {
void registerBuiltinPasses();
}
