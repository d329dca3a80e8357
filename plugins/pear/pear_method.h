#pragma once
// Pear (prune and share) as core's adapter pruning "pear" (adapt/adapter_pruning.h): the
// weakest adapters go; with a share rule ("depth", "output") each pruned position is served by
// a kept adapter through its own scale; with the knowledge checkpoint a pruned adapter stays in
// place, frozen. Torch-free.

namespace sculpt {
void registerPear();
}
