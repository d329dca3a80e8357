#pragma once
// What a forward pass really costs: the multiply-adds of the runtime's matrix products — linear
// layers (a low-rank one's two thin products) and attention's scores and mixing — done in this
// thread while a MacCount lives. Norms, activations, rotary and softmax are elementwise and
// not counted, nor are adapters. The analytic counts (decoder_cost.h) are checked against it.
// Torch-free.

#include <cstdint>

namespace sculpt {

class MacCount {
public:
    MacCount();
    ~MacCount(); // hands its total on to the count it was opened inside, if any
    MacCount(const MacCount &) = delete;
    MacCount &operator=(const MacCount &) = delete;

    int64_t total() const { return total_; }

    // Called by the products themselves; nothing happens when no count is open.
    static void add(int64_t macs);

private:
    MacCount *outer_;
    int64_t total_ = 0;
};

} // namespace sculpt
