#include "runtime/mac_count.h"

namespace sculpt {
namespace {

thread_local MacCount *innermost = nullptr;

} // namespace

MacCount::MacCount() : outer_(innermost) { innermost = this; }

MacCount::~MacCount()
{
    innermost = outer_;
    if (outer_)
        outer_->total_ += total_;
}

void MacCount::add(int64_t macs)
{
    if (innermost)
        innermost->total_ += macs;
}

} // namespace sculpt
