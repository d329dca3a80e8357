// The layout model's table (issue 15): for every held-out OpenMantra page (the last book in
// name order, as zoo --only layout holds it out), a layout with that page's panel count and
// aspect (seed = the page's place) from the trained model, from a copy compressed in the run
// at 40 % removed by each pass — the data-aware ones calibrated on the first training pages —
// and from the guillotine baseline, each measured against the held-out pages by core/layout's
// metrics, the real training pages as the reference row; then the time per layout of each
// model as a ratio to the original's.
//   build/bench/bench_layout_model LAYOUT_MODEL OPENMANTRA_DIR [--steps K] [--threads N]
// Prints a Markdown table; one thread unless --threads N.

#include "builtin_passes.h"
#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "io/error.h"
#include "io/formats.h"
#include "layout/guillotine_layouts.h"
#include "layout/layout_metrics.h"
#include "layout/layout_reader.h"
#include "runtime/layout_generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

using namespace sculpt;

namespace {

constexpr double kRatio = 0.4;
constexpr long kCalibrationPages = 64;
const char *const kMethods[] = {"svd", "fwsvd", "asvd", "svd-llm", "soco"};

struct Arguments {
    std::string model, data;
    int64_t steps = LayoutRequest{}.steps;
    int threads = 1;
};

std::optional<Arguments> parse(int argc, char **argv)
{
    Arguments a;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--steps" || arg == "--threads") && i + 1 < argc) {
            const long v = std::strtol(argv[++i], nullptr, 10);
            if (v < 1)
                return std::nullopt;
            if (arg == "--steps")
                a.steps = v;
            else
                a.threads = int(v);
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 2)
        return std::nullopt;
    a.model = positional[0];
    a.data = positional[1];
    return a;
}

// Seconds per layout of `generator` over `requests`, seed i for the i-th, into `pages`.
double generateAll(const LayoutGenerator &generator, const std::vector<LayoutRequest> &requests, std::vector<Page> &pages)
{
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < requests.size(); ++i)
        pages.push_back(generator.generate(requests[i], uint64_t(i)));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / double(requests.size());
}

struct Row {
    std::string name;
    const std::vector<Page> *pages;
    const std::vector<int> *requested;
};

// One row per set of pages, each measured against `reference` (the held-out pages).
void printTable(const std::vector<Row> &rows, const std::vector<Page> &reference)
{
    std::printf("| layouts | pages | count accuracy | overlap ↓ | coverage | alignment ↓ | order consistency | Fréchet ↓ |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const Row &row : rows) {
        const LayoutMetrics m = layoutMetrics(*row.pages, *row.requested, reference);
        std::printf("| %s | %d | %.1f %% | %.4f | %.3f | %.4f | %.1f %% | %.4f |\n", row.name.c_str(), m.pages,
                    100 * m.countAccuracy, m.overlap, m.coverage, m.alignment, 100 * m.orderConsistency, m.frechet);
    }
}

std::vector<int> countsOf(const std::vector<Page> &pages)
{
    std::vector<int> counts;
    for (const Page &p : pages)
        counts.push_back(int(p.panels.size()));
    return counts;
}

} // namespace

int main(int argc, char **argv)
{
    const auto args = parse(argc, argv);
    if (!args) {
        std::cerr << "usage: bench_layout_model LAYOUT_MODEL OPENMANTRA_DIR [--steps K] [--threads N]\n";
        return 2;
    }
    torch::set_num_threads(args->threads);
    registerBuiltinPasses();
    std::vector<LayoutBook> books;
    std::unique_ptr<LayoutGenerator> original;
    std::unique_ptr<Checkpoint> checkpoint;
    try {
        books = readLayouts(args->data);
        checkpoint = openCheckpoint(args->model);
        original = LayoutGenerator::load(*checkpoint);
    } catch (const std::exception &e) {
        std::cerr << "bench_layout_model: " << e.what() << "\n";
        return 2;
    }
    if (books.size() < 2) {
        std::cerr << "bench_layout_model: " << args->data << " holds fewer than two books\n";
        return 2;
    }
    std::ranges::stable_sort(books, {}, &LayoutBook::title);
    std::vector<Page> train, held;
    for (size_t i = 0; i + 1 < books.size(); ++i)
        for (const Page &p : books[i].pages)
            if (!p.panels.empty())
                train.push_back(p);
    std::vector<LayoutRequest> requests;
    for (const Page &p : books.back().pages)
        if (!p.panels.empty() && int64_t(p.panels.size()) <= original->maxPanels()) {
            held.push_back(p);
            requests.push_back({int64_t(p.panels.size()), p.height / p.width, args->steps});
        }

    std::vector<Page> fromOriginal, guillotine;
    const double originalSeconds = generateAll(*original, requests, fromOriginal);
    for (size_t i = 0; i < requests.size(); ++i)
        guillotine.push_back(guillotineLayouts({int(requests[i].panels)}, requests[i].aspect, uint64_t(i)).front());
    const std::vector<int> trainCounts = countsOf(train), heldCounts = countsOf(held);

    struct Compressed {
        std::string name;
        double seconds = 0, ratio = 0, passSeconds = 0;
        std::vector<Page> pages;
    };
    std::vector<Compressed> compressed;
    for (const char *method : kMethods) {
        const CompressionPass &pass = *findPass(method);
        CompressionRequest request;
        request.ratio = kRatio;
        if (pass.needsCalibration()) {
            request.calibration.pages = std::make_shared<const std::vector<Page>>(train);
            request.calibration.count = kCalibrationPages;
        }
        const CompressedModel model = runPass(pass, *checkpoint, {}, request);
        Compressed c{std::string("layout model, ") + method + " " + std::to_string(int(kRatio * 100)) + " %"};
        c.seconds = generateAll(*model.layoutGenerator(), requests, c.pages);
        c.ratio = model.summary().ratio;
        c.passSeconds = model.summary().seconds;
        compressed.push_back(std::move(c));
    }

    std::printf("%s against the %zu held-out pages of %s (%zu training pages of %zu books as the reference); "
                "%lld DDIM steps, seed i for page i; data-aware passes calibrated on the first %ld training pages; "
                "%d thread(s)\n\n",
                args->model.c_str(), held.size(), books.back().title.c_str(), train.size(), books.size() - 1,
                (long long)args->steps, kCalibrationPages, args->threads);
    std::vector<Row> rows{{"real training pages", &train, &trainCounts}, {"layout model", &fromOriginal, &heldCounts}};
    for (const Compressed &c : compressed)
        rows.push_back({c.name, &c.pages, &heldCounts});
    rows.push_back({"guillotine baseline", &guillotine, &heldCounts});
    printTable(rows, held);
    std::printf("\ntime per layout: original %.1f ms\n", 1000 * originalSeconds);
    for (const Compressed &c : compressed)
        std::printf("  %s: %.1f %% removed, pass %.1f s, %.1f ms a layout (%.2f× the original's)\n", c.name.c_str(),
                    100 * c.ratio, c.passSeconds, 1000 * c.seconds, c.seconds / originalSeconds);
    return 0;
}
