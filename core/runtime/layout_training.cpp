#include "runtime/layout_training.h"

#include "runtime/demo_folder.h"
#include "runtime/families/layout/layout_model.h"
#include "runtime/families/layout/panel_tokens.h"
#include "runtime/learning_rate.h"
#include "runtime/weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sculpt {
namespace {

// The steps the trained model's samples take: enough to exercise the sampler, few enough to
// be checked in a moment.
constexpr int64_t kSampleSteps = 20;

// Pages as the model reads them: boxes [N, P, 4] in [−1, 1] (padding 0), panels [N, P],
// aspect [N].
struct PageTensors {
    torch::Tensor boxes, panels, aspect;
    int64_t count = 0, skipped = 0;
};

PageTensors tensorsOf(const std::vector<Page> &pages, int64_t maxPanels)
{
    std::vector<float> boxes;
    std::vector<uint8_t> panels;
    std::vector<float> aspect;
    PageTensors t;
    for (const Page &page : pages) {
        const std::vector<PanelToken> tokens = panelTokens(page);
        if (tokens.empty() || int64_t(tokens.size()) > maxPanels || !(page.width > 0 && page.height > 0)) {
            ++t.skipped;
            continue;
        }
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
    t.panels = torch::tensor(std::vector<int64_t>(panels.begin(), panels.end())).view({t.count, maxPanels}).to(torch::kBool);
    t.aspect = torch::tensor(aspect);
    return t;
}

// DDPM's objective on pages `index` of `data`: boxes noised to steps `timesteps` by `noise`,
// the model's prediction of that noise scored by its mean square over the panels alone.
torch::Tensor noiseLoss(const LayoutModel &model, const PageTensors &data, const torch::Tensor &index,
                        const torch::Tensor &timesteps, const torch::Tensor &noise, const torch::Tensor &alphas)
{
    const torch::Tensor clean = data.boxes.index_select(0, index), panels = data.panels.index_select(0, index);
    const torch::Tensor a = alphas.index_select(0, timesteps).view({-1, 1, 1});
    const torch::Tensor noised = a.sqrt() * clean + (1 - a).sqrt() * noise;
    const torch::Tensor predicted =
        model.forward(ModelInput::ofLayouts(noised, panels, timesteps, data.aspect.index_select(0, index))).logits;
    const torch::Tensor perPanel = (predicted - noise).pow(2).mean(2);
    return perPanel.masked_select(panels).mean();
}

void check(const LayoutTrainingOptions &o)
{
    const LayoutConfig &c = o.shape;
    if (c.maxPanels < 1 || c.dim < 1 || c.heads < 1 || c.dim % c.heads != 0 || c.layers < 1 || c.hiddenDim < 1 ||
        c.frequencyDim < 2 || c.frequencyDim % 2 != 0 || c.timesteps < 1)
        throw std::invalid_argument("the layout model's shape: a positive width that its heads divide, at least one "
                                    "block, panel and timestep, and an even frequency size");
    if (o.steps < 1 || o.batch < 1 || o.threads < 1 || o.lossPoints < 1)
        throw std::invalid_argument("steps, batch, threads and loss points must be at least 1");
}

} // namespace

LayoutTrainingResult trainLayoutModel(const std::vector<Page> &train, const std::vector<Page> &test,
                                      const LayoutTrainingOptions &o, const std::string &folder, const JobContext &job)
{
    check(o);
    const LayoutConfig &c = o.shape;
    const PageTensors data = tensorsOf(train, c.maxPanels), held = tensorsOf(test, c.maxPanels);
    if (data.count == 0)
        throw std::invalid_argument("no training page has 1 to " + std::to_string(c.maxPanels) + " panels");
    LayoutTrainingResult result;
    result.trainPages = data.count;
    result.testPages = held.count;
    result.skippedPages = data.skipped + held.skipped;

    at::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    auto model = std::make_shared<LayoutTransformer>(FreshWeights(torch::kCPU), c);
    std::vector<torch::Tensor> parameters;
    for (auto &[name, tensor] : model->parameters())
        parameters.push_back(tensor.requires_grad_());
    torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay));
    const std::vector<double> alphaList = cumulativeAlphas(c);
    const torch::Tensor alphas = torch::tensor(alphaList).to(torch::kFloat32);

    const auto started = std::chrono::steady_clock::now();
    const int64_t stretch = std::max<int64_t>(1, o.steps / o.lossPoints);
    double lossSum = 0;
    int64_t lossSteps = 0;
    for (int64_t step = 0; step < o.steps; ++step) {
        job.checkCancelled();
        setLearningRate(optimizer, warmupCosineRate(o.learningRate, step, o.steps));
        const torch::Tensor index = torch::randint(data.count, {o.batch}, torch::kLong);
        const torch::Tensor timesteps = torch::randint(c.timesteps, {o.batch}, torch::kLong);
        const torch::Tensor noise = torch::randn({o.batch, c.maxPanels, 4});
        const torch::Tensor loss = noiseLoss(*model, data, index, timesteps, noise, alphas);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        lossSum += loss.item<double>();
        ++lossSteps;
        if ((step + 1) % stretch == 0 || step + 1 == o.steps) {
            result.loss.emplace_back(step + 1, lossSum / double(lossSteps));
            lossSum = 0;
            lossSteps = 0;
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        char message[48];
        std::snprintf(message, sizeof message, "loss %.4f", loss.item<double>());
        job.report(long(step + 1), long(o.steps), message, elapsed / double(step + 1) * double(o.steps - step - 1));
    }
    for (auto &t : parameters)
        t.requires_grad_(false);

    if (held.count > 0) {
        torch::NoGradGuard noGrad;
        // Its own generator: the same draws for every model measured with this seed.
        at::Generator generator = at::detail::createCPUGenerator(o.seed);
        const torch::Tensor timesteps = torch::randint(c.timesteps, {held.count}, generator, torch::kLong);
        const torch::Tensor noise = torch::randn({held.count, c.maxPanels, 4}, generator, torch::kFloat32);
        result.testLoss =
            noiseLoss(*model, held, torch::arange(held.count, torch::kLong), timesteps, noise, alphas).item<double>();
    }
    const std::unique_ptr<LayoutGenerator> generator = wrapLayoutGenerator(model);
    const double aspect = data.aspect[0].item<double>();
    for (int64_t n = 1; n <= c.maxPanels; ++n) {
        const LayoutRequest request{n, aspect, std::min(kSampleSteps, c.timesteps)};
        result.samples.push_back({request, uint64_t(n), generator->generate(request, uint64_t(n), job)});
    }
    writeDemoFolder(*model, folder);
    return result;
}

} // namespace sculpt
