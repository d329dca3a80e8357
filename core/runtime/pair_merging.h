#pragma once
// The loop at the heart of byte-pair encoding, shared by GPT-2's BPE and llama2.c's
// SentencePiece-style merges: merge adjacent tokens, the best pair first and the leftmost
// on ties, until no pair merges. Rescanning every pair after each merge would be quadratic;
// a heap of candidate pairs gives the same choices, pairs that a merge overtook being
// discarded as they surface.

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace sculpt {

struct PairMerge {
    double priority; // higher merges first
    int32_t merged;  // the token the pair becomes
};

// `mergeOf(left, right)` is the merge of two adjacent tokens, or nothing when they do not merge.
template <typename MergeOf>
std::vector<int32_t> mergePairs(const std::vector<int32_t> &tokens, const MergeOf &mergeOf)
{
    struct Symbol {
        int32_t id;
        int previous, next; // neighbours, -1 at the ends
        int version;        // bumped on every change; -1 once merged into its left neighbour
    };
    struct Candidate {
        double priority;
        int left, right;
        int leftVersion, rightVersion;
        int32_t merged;
        bool operator<(const Candidate &o) const { return priority != o.priority ? priority < o.priority : left > o.left; }
    };
    const int n = static_cast<int>(tokens.size());
    std::vector<Symbol> symbols(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        symbols[size_t(i)] = {tokens[size_t(i)], i - 1, i + 1 < n ? i + 1 : -1, 0};
    std::priority_queue<Candidate> heap;
    const auto consider = [&](int left) {
        const Symbol &l = symbols[size_t(left)];
        if (l.next < 0)
            return;
        const Symbol &r = symbols[size_t(l.next)];
        if (const std::optional<PairMerge> m = mergeOf(l.id, r.id))
            heap.push({m->priority, left, l.next, l.version, r.version, m->merged});
    };
    for (int i = 0; i + 1 < n; ++i)
        consider(i);
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol &l = symbols[size_t(c.left)];
        Symbol &r = symbols[size_t(c.right)];
        if (l.version != c.leftVersion || r.version != c.rightVersion || l.next != c.right)
            continue; // one side was merged away or grew since this pair was seen
        l.id = c.merged;
        l.next = r.next;
        ++l.version;
        r.version = -1;
        if (l.next >= 0)
            symbols[size_t(l.next)].previous = c.left;
        if (l.previous >= 0)
            consider(l.previous);
        consider(c.left);
    }
    std::vector<int32_t> out;
    for (int i = n > 0 ? 0 : -1; i >= 0; i = symbols[size_t(i)].next)
        out.push_back(symbols[size_t(i)].id);
    return out;
}

} // namespace sculpt
