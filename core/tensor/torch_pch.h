// Precompiled once per target: a torch translation unit costs ~50 s here without it.
#pragma once
#include <torch/torch.h>
