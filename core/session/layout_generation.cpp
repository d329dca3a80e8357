#include "session/layout_generation.h"

#include "compress/compressed_model.h"
#include "io/formats.h"
#include "runtime/layout_generator.h"

#include <chrono>
#include <stdexcept>

namespace sculpt {

LoadedLayoutModel loadLayoutModel(const LayoutModelSource &source, const JobContext &job)
{
    job.checkCancelled();
    LoadedLayoutModel m{source.name, source.path, nullptr, 0, 0};
    if (source.inMemory) {
        if (!source.inMemory->layoutGenerator())
            throw std::invalid_argument(source.name + " is not a layout model: the view compares layout models");
        // The pass's own model, kept alive by the result that holds it.
        m.generator = std::shared_ptr<const LayoutGenerator>(source.inMemory, source.inMemory->layoutGenerator());
    } else {
        m.generator = LayoutGenerator::load(*openCheckpoint(source.path));
    }
    m.maxPanels = m.generator->maxPanels();
    m.timesteps = m.generator->timesteps();
    return m;
}

std::vector<GeneratedLayout> generateLayouts(const LoadedLayoutModel &model, const LayoutGenerationRequest &request,
                                             const JobContext &job,
                                             const std::function<void(const GeneratedLayout &)> &generated)
{
    const LayoutRequest r{request.panels, request.aspect, request.steps};
    model.generator->check(r);
    if (request.seeds.empty())
        throw std::invalid_argument("no seed to generate a layout for");
    std::vector<GeneratedLayout> all;
    const long total = long(request.seeds.size());
    for (const uint64_t seed : request.seeds) {
        job.report(long(all.size()), total, model.name + ": seed " + std::to_string(seed));
        const auto start = std::chrono::steady_clock::now();
        Page page = model.generator->generate(r, seed, job);
        all.push_back({seed, std::move(page), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
        if (generated)
            generated(all.back());
    }
    job.report(total, total, model.name + ": done");
    return all;
}

} // namespace sculpt
