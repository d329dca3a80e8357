#pragma once
// Lily as core's adapter kind "lily" (adapt/adapter_kinds.h): AdapterSpec's rank, α, roles and
// experts make its LilySpec. Torch-free.

namespace sculpt {
void registerLilyAdapter();
}
