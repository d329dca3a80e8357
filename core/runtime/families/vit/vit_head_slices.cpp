#include "runtime/families/vit/vit_head_slices.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "runtime/families/vit/vit_config.h"
#include "runtime/renamed_tensors.h"

#include <algorithm>

namespace sculpt {
namespace {

// The head's number before any head of its layer was pruned.
int64_t originalHead(const VitConfig &config, int64_t layer, int64_t head)
{
    if (config.prunedHeads.empty())
        return head;
    const std::vector<int64_t> &pruned = config.prunedHeads[size_t(layer)];
    for (int64_t original = 0, kept = 0; original < config.heads; ++original)
        if (!std::ranges::binary_search(pruned, original) && kept++ == head)
            return original;
    return head;
}

std::string range(const HeadSpan &span)
{
    return std::to_string(span.first) + "–" + std::to_string(span.first + span.count - 1);
}

} // namespace

std::vector<HeadSlice> vitHeadSlices(const Checkpoint &checkpoint, const VitConfig &config, int64_t layer, int64_t head)
{
    const VitAttentionLayout attention = vitAttentionLayout(config, layer);
    const std::array<HeadSpan, 3> rows = headInputSpans(attention.heads, head);
    const RenamedTensors tensors(checkpoint, config.renames);
    const int64_t width = attention.heads.heads * attention.heads.headDim;
    // The stored name of projection `module`, checked to be the [out, in] matrix the config implies.
    const auto stored = [&](const std::string &module, int64_t out, int64_t in) {
        const std::string name = module + ".weight";
        const TensorInfo *t = tensors.find(name);
        if (!t)
            throw FileError(checkpoint.path(), name + " is not in the checkpoint" +
                                                   (tensors.find(module + ".weight_a")
                                                        ? std::string(": it is stored as low-rank factors, which hold no head's rows")
                                                        : std::string()));
        if (t->shape != std::vector{out, in})
            throw FileError(checkpoint.path(), t->name + " is " + shapeText(t->shape) + " but the config implies " +
                                                   shapeText(std::vector{out, in}));
        return t->name;
    };
    const int64_t original = originalHead(config, layer, head);
    const std::string pruned = original == head ? "" : "; head " + std::to_string(original) + " before pruning";
    const std::string title = " · head " + std::to_string(head);
    std::vector<HeadSlice> slices;
    const char *parts[] = {"query", "key", "value"};
    for (size_t i = 0; i < rows.size(); ++i) {
        const bool fused = attention.heads.fused;
        const std::string tensor = stored(attention.inputs[rows[i].input], fused ? 3 * width : width, config.dim);
        slices.push_back({tensor + title + (fused ? std::string(" ") + parts[i] : "") + " (rows " + range(rows[i]) + pruned + ")",
                          tensor, false, rows[i].first, rows[i].count});
    }
    const HeadSpan columns = headOutputSpan(attention.heads, head);
    const std::string output = stored(attention.output, config.dim, width);
    slices.push_back({output + title + " (columns " + range(columns) + pruned + ")", output, true, columns.first, columns.count});
    return slices;
}

} // namespace sculpt
