#include "adapt/expert_routing.h"

#include "runtime/adapter.h"

#include <torch/torch.h>

#include <algorithm>
#include <memory>

namespace sculpt {

ExpertRouting expertRouting(Model &model, const LabelledImages &data, int64_t count)
{
    struct Row {
        std::string name; // "<layer> <role>"
        std::shared_ptr<Adapter> adapter;
        torch::Tensor sum; // [experts] over every token seen; undefined for adapters that mix none
        int64_t tokens = 0;
    };
    std::vector<Row> rows;
    std::vector<Linear *> hooked;
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            rows.push_back({std::to_string(site.layer) + " " + (adapter->partName().empty() ? site.role : adapter->partName()),
                            adapter, {}, 0});
    const int64_t n = std::min(count, data.count());
    if (rows.empty() || n == 0)
        return {};
    torch::NoGradGuard noGrad;
    size_t next = 0;
    for (const LinearSite &site : model.linearSites()) {
        const size_t first = next, last = next + site.linear->adapters().size();
        next = last;
        if (first == last)
            continue;
        hooked.push_back(site.linear);
        site.linear->observeInputs([&rows, first, last](const torch::Tensor &x) {
            for (size_t i = first; i < last; ++i)
                if (const std::optional<torch::Tensor> w = rows[i].adapter->expertWeights(x)) {
                    const torch::Tensor flat = w->reshape({-1, w->size(-1)}).to(torch::kFloat64);
                    rows[i].sum = rows[i].sum.defined() ? rows[i].sum + flat.sum(0) : flat.sum(0);
                    rows[i].tokens += flat.size(0);
                }
        });
    }
    // Unhooked whatever happens: the model is left as found.
    const std::shared_ptr<void> unhook(nullptr, [&hooked](void *) {
        for (Linear *linear : hooked)
            linear->observeInputs({});
    });
    for (int64_t first = 0; first < n; first += 64)
        model.forward(ModelInput::ofPixels(data.pixels.narrow(0, first, std::min<int64_t>(64, n - first))));
    ExpertRouting routing;
    for (const Row &row : rows) {
        if (!row.sum.defined())
            continue;
        const torch::Tensor mean = (row.sum / double(row.tokens)).cpu().contiguous();
        routing.rows.push_back(row.name);
        routing.experts = mean.numel();
        routing.weights.insert(routing.weights.end(), mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    }
    return routing;
}

} // namespace sculpt
