#include "runtime/families/layout/noised_pages.h"

#include "runtime/families/layout/panel_tokens.h"

#include <torch/torch.h>

namespace sculpt {

bool modelReads(const Page &page, int64_t maxPanels)
{
    return !page.panels.empty() && int64_t(page.panels.size()) <= maxPanels && page.width > 0 && page.height > 0;
}

PageTensors pageTensors(const std::vector<Page> &pages, int64_t maxPanels)
{
    std::vector<float> boxes;
    std::vector<int64_t> panels;
    std::vector<float> aspect;
    PageTensors t;
    for (const Page &page : pages) {
        if (!modelReads(page, maxPanels)) {
            ++t.skipped;
            continue;
        }
        const std::vector<PanelToken> tokens = panelTokens(page);
        for (int64_t p = 0; p < maxPanels; ++p) {
            const bool real = p < int64_t(tokens.size());
            const PanelToken k = real ? tokens[size_t(p)] : PanelToken{0.5, 0.5, 0.5, 0.5};
            for (const double v : {k.cx, k.cy, k.w, k.h})
                boxes.push_back(float(2 * v - 1));
            panels.push_back(real);
        }
        aspect.push_back(float(aspectOf(page)));
        ++t.count;
    }
    t.boxes = torch::tensor(boxes).view({t.count, maxPanels, 4});
    t.panels = torch::tensor(panels).view({t.count, maxPanels}).to(torch::kBool);
    t.aspect = torch::tensor(aspect);
    return t;
}

ModelInput noisedPages(const torch::Tensor &clean, const torch::Tensor &panels, const torch::Tensor &aspect,
                       const torch::Tensor &timesteps, const torch::Tensor &noise, const torch::Tensor &alphas)
{
    const torch::Tensor a = alphas.index_select(0, timesteps).view({-1, 1, 1});
    return ModelInput::ofLayouts(a.sqrt() * clean + (1 - a).sqrt() * noise, panels, timesteps, aspect);
}

torch::Tensor noisePredictionLoss(const torch::Tensor &predicted, const torch::Tensor &noise, const torch::Tensor &panels)
{
    return (predicted - noise).pow(2).mean(2).masked_select(panels).mean();
}

} // namespace sculpt
