#include "runtime/layout_generator.h"

#include "io/checkpoint.h"
#include "runtime/device.h"
#include "runtime/families/layout/panel_tokens.h"
#include "runtime/model_family.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>

namespace sculpt {

struct LayoutGenerator::Impl {
    std::shared_ptr<const LayoutModel> model;
    std::vector<double> alphas; // ᾱₜ of the model's schedule

    // DDIM's trailing spacing: steps from T − 1 down, evenly, so the first step starts from
    // pure noise whatever their number.
    std::vector<int64_t> schedule(int64_t steps) const
    {
        const int64_t t = int64_t(alphas.size());
        std::vector<int64_t> all;
        for (int64_t i = 0; i < steps; ++i)
            all.push_back((steps - i) * t / steps - 1);
        return all;
    }
};

LayoutGenerator::LayoutGenerator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LayoutGenerator::~LayoutGenerator() = default;

std::unique_ptr<LayoutGenerator> wrapLayoutGenerator(std::shared_ptr<const LayoutModel> model)
{
    auto impl = std::make_unique<LayoutGenerator::Impl>();
    impl->alphas = cumulativeAlphas(model->layoutConfig());
    impl->model = std::move(model);
    return std::unique_ptr<LayoutGenerator>(new LayoutGenerator(std::move(impl)));
}

std::unique_ptr<LayoutGenerator> LayoutGenerator::load(const Checkpoint &checkpoint, const std::string &device)
{
    const torch::Device where = parseDevice(device);
    if (const auto kind = runnableKind(checkpoint); kind && *kind != ModelKind::Layout)
        throw std::invalid_argument(checkpoint.path() + " is a " + kindName(*kind) + ", not a layout model");
    c10::InferenceMode inference;
    std::unique_ptr<Model> model = loadModel(checkpoint, ModelKind::Layout, where);
    return wrapLayoutGenerator(std::shared_ptr<const LayoutModel>(static_cast<LayoutModel *>(model.release())));
}

int64_t LayoutGenerator::maxPanels() const { return impl_->model->layoutConfig().maxPanels; }
int64_t LayoutGenerator::timesteps() const { return int64_t(impl_->alphas.size()); }

void LayoutGenerator::check(const LayoutRequest &r) const
{
    if (r.panels < 1 || r.panels > maxPanels())
        throw std::invalid_argument("the model lays out 1 to " + std::to_string(maxPanels()) + " panels, not " +
                                    std::to_string(r.panels));
    if (r.steps < 1 || r.steps > timesteps())
        throw std::invalid_argument("denoising takes 1 to " + std::to_string(timesteps()) + " steps, not " +
                                    std::to_string(r.steps));
    if (!(std::isfinite(r.aspect) && r.aspect > 0))
        throw std::invalid_argument("the page's aspect (height / width) must be a positive number");
}

Page LayoutGenerator::generate(const LayoutRequest &r, uint64_t seed, const JobContext &job) const
{
    check(r);
    c10::InferenceMode inference;
    const LayoutModel &model = *impl_->model;
    const torch::Device device = model.device();
    // A generator of its own: the seed alone decides the noise, whatever else draws numbers.
    at::Generator generator = at::detail::createCPUGenerator(seed);
    torch::Tensor x = torch::randn({1, r.panels, 4}, generator, torch::kFloat32).to(device);
    const torch::Tensor panels = torch::ones({1, r.panels}, torch::TensorOptions().dtype(torch::kBool).device(device));
    const torch::Tensor aspect = torch::full({1}, r.aspect, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    const std::vector<int64_t> steps = impl_->schedule(r.steps);
    const std::vector<double> &alphas = impl_->alphas;
    for (size_t i = 0; i < steps.size(); ++i) {
        job.checkCancelled();
        const double a = alphas[size_t(steps[i])], next = i + 1 < steps.size() ? alphas[size_t(steps[i + 1])] : 1.0;
        const torch::Tensor t = torch::full({1}, steps[i], torch::TensorOptions().dtype(torch::kInt64).device(device));
        const torch::Tensor noise = model.forward(ModelInput::ofLayouts(x, panels, t, aspect)).logits;
        // The clean boxes the prediction implies, kept inside the page's [−1, 1]; the noise
        // recomputed from them, so both agree with x.
        const torch::Tensor clean = ((x - std::sqrt(1 - a) * noise) / std::sqrt(a)).clamp(-1, 1);
        const torch::Tensor implied = (x - std::sqrt(a) * clean) / std::sqrt(1 - a);
        x = std::sqrt(next) * clean + std::sqrt(1 - next) * implied;
    }
    const torch::Tensor unit = ((x[0] + 1) / 2).to(torch::kCPU, torch::kFloat64).contiguous();
    const double *v = unit.data_ptr<double>();
    std::vector<PanelToken> tokens;
    for (int64_t p = 0; p < r.panels; ++p)
        tokens.push_back({v[4 * p], v[4 * p + 1], v[4 * p + 2], v[4 * p + 3]});
    return pageOf(tokens, r.aspect);
}

} // namespace sculpt
