// `sculpt-cli zoo --only layout`: the layout model, trained on a manga dataset's page layouts
// (OpenMantra's, CC BY-NC: written where --out says, never bundled), its last book in name
// order held out.

#include "zoo.h"

#include "commands.h"
#include "foreground_job.h"
#include "io/error.h"
#include "io/formats.h"
#include "layout/layout_reader.h"
#include "runtime/layout_generator.h"
#include "runtime/layout_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace sculpt::cli {
namespace {

// Float32 weights written and read back exactly: the saved model's layouts are the trained
// one's, up to the last bits of a sum in another order.
constexpr double kBoxTolerance = 1e-5;

double largestDifference(const Page &a, const Page &b)
{
    if (a.panels.size() != b.panels.size())
        return HUGE_VAL;
    double worst = 0;
    for (size_t i = 0; i < a.panels.size(); ++i) {
        const Box &x = a.panels[i].box, &y = b.panels[i].box;
        for (const double d : {x.x0 - y.x0, x.y0 - y.y0, x.x1 - y.x1, x.y1 - y.y1})
            worst = std::max(worst, std::abs(d));
    }
    return worst;
}

// The saved folder through the runtime: each layout the trained model generated comes back.
bool verify(const std::string &folder, const LayoutTrainingResult &trained)
{
    const auto generator = LayoutGenerator::load(*openCheckpoint(folder));
    double worst = 0;
    for (const LayoutSample &s : trained.samples)
        worst = std::max(worst, largestDifference(generator->generate(s.request, s.seed), s.page));
    std::printf("runtime   %zu layouts (1 to %lld panels) regenerated within %.1e of training's\n", trained.samples.size(),
                (long long)generator->maxPanels(), worst);
    if (worst > kBoxTolerance) {
        std::cerr << "sculpt-cli zoo: " << folder << " does not generate as it trained\n";
        return false;
    }
    return true;
}

} // namespace

int zooLayout(const ZooOptions &options, const std::atomic<bool> *cancel)
{
    std::vector<LayoutBook> books;
    try {
        books = readLayouts(options.data);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli zoo: " << e.what() << "\n";
        return kBadInput;
    }
    if (books.size() < 2) {
        std::cerr << "sculpt-cli zoo: " << options.data << " holds " << books.size()
                  << " book(s): the layout model holds its last book in name order out, and trains on the others\n";
        return kBadInput;
    }
    std::stable_sort(books.begin(), books.end(), [](const LayoutBook &a, const LayoutBook &b) { return a.title < b.title; });
    std::vector<Page> train;
    std::string trainTitles;
    for (size_t i = 0; i + 1 < books.size(); ++i) {
        train.insert(train.end(), books[i].pages.begin(), books[i].pages.end());
        trainTitles += (i == 0 ? "" : ", ") + books[i].title;
    }
    const LayoutBook &held = books.back();

    LayoutTrainingOptions o;
    o.steps = options.steps.value_or(o.steps);
    o.seed = options.seed;
    o.threads = options.threads;
    const LayoutConfig &c = o.shape;
    std::printf("layout: DiT hidden %lld, %lld blocks, %lld heads, up to %lld panels, %lld diffusion steps (cosine); "
                "%lld training steps, batch %lld, seed %llu, %d threads\n"
                "data      %zu pages of %s; %zu held out (%s)\n",
                (long long)c.dim, (long long)c.layers, (long long)c.heads, (long long)c.maxPanels, (long long)c.timesteps,
                (long long)o.steps, (long long)o.batch, (unsigned long long)o.seed, o.threads, train.size(),
                trainTitles.c_str(), held.pages.size(), held.title.c_str());
    std::fflush(stdout);
    const auto started = std::chrono::steady_clock::now();
    LayoutTrainingResult result;
    if (const auto ended = runInForeground("zoo", "steps", cancel, [&](const JobContext &job) {
            result = trainLayoutModel(train, held.pages, o, options.out, job);
        }))
        return *ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("pages     %lld trained on, %lld held out, %lld skipped (no panels, or more than %lld)\n",
                (long long)result.trainPages, (long long)result.testPages, (long long)result.skippedPages,
                (long long)c.maxPanels);
    for (const auto &[step, loss] : result.loss)
        std::printf("step %-6lld mean noise MSE %.4f\n", (long long)step, loss);
    std::printf("trained   held-out noise MSE %.4f in %.0f s\nsaved     %s\n", result.testLoss, seconds, options.out.c_str());
    return verify(options.out, result) ? kOk : kFailed;
}

} // namespace sculpt::cli
