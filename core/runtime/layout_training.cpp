#include "runtime/layout_training.h"

#include "runtime/compute_threads.h"
#include "runtime/demo_folder.h"
#include "runtime/families/layout/layout_model.h"
#include "runtime/families/layout/noised_pages.h"
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

// DDPM's objective on pages `index` of `data`: boxes noised to steps `timesteps` by `noise`,
// the model's prediction of that noise scored by its mean square over the panels alone.
torch::Tensor noiseLoss(const LayoutModel &model, const PageTensors &data, const torch::Tensor &index,
                        const torch::Tensor &timesteps, const torch::Tensor &noise, const torch::Tensor &alphas)
{
    // Only as many tokens as the fullest page has: the padding after them is hidden from every
    // panel anyway, and most pages have far fewer panels than max_panels.
    const torch::Tensor panelsOfAll = data.panels.index_select(0, index);
    const int64_t tokens = panelsOfAll.sum(1).max().item<int64_t>();
    const torch::Tensor clean = data.boxes.index_select(0, index).narrow(1, 0, tokens);
    const torch::Tensor panels = panelsOfAll.narrow(1, 0, tokens), used = noise.narrow(1, 0, tokens);
    const ModelInput input =
        noisedPages(clean, panels, data.aspect.index_select(0, index), timesteps, used, alphas);
    return noisePredictionLoss(model.forward(input).logits, used, panels);
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
    const PageTensors data = pageTensors(train, c.maxPanels), held = pageTensors(test, c.maxPanels);
    if (data.count == 0)
        throw std::invalid_argument("no training page has 1 to " + std::to_string(c.maxPanels) + " panels");
    LayoutTrainingResult result;
    result.trainPages = data.count;
    result.testPages = held.count;
    result.skippedPages = data.skipped + held.skipped;

    setComputeThreads(o.threads);
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
