#pragma once
#include "model/inventory.h"

#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// The family from config.json's model_type or GGUF's general.architecture when present,
// else from tensor names and shapes.
Architecture detectArchitecture(const Checkpoint &checkpoint);

// The block index in a name like "model.layers.12.mlp…" or "blk.3.attn_q…", or -1.
int blockIndexOf(std::string_view name);

// The role a tensor plays, from its name alone; Role::Other when the name says nothing.
Role roleFromName(std::string_view name);

} // namespace sculpt
