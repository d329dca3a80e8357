#pragma once
// The window's Layouts view, as a use case: layout models side by side — an original and a
// compressed copy, say — each generating pages for the same seeds, panel count, aspect and
// steps, so that what compression changed shows layout by layout. Torch-free face; without
// LibTorch it says it cannot (layout_generation_unavailable.cpp).

#include "job/job.h"
#include "layout/page.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class CompressedModel;
class LayoutGenerator;

// Where a column's model comes from.
struct LayoutModelSource {
    std::string name; // the column's head
    std::string path; // a layout model's folder; for a model in memory, the one it was made from
    std::shared_ptr<const CompressedModel> inMemory; // a pass's model the window still has; null: load `path`
};

struct LoadedLayoutModel {
    std::string name, path;
    std::shared_ptr<const LayoutGenerator> generator;
    int64_t maxPanels = 0, timesteps = 0; // the panel counts and steps a request may ask for
};

// Loads the source's model. Throws FileError for a folder it cannot run, std::invalid_argument
// for a model (on disk or in memory) that is not a layout model, Cancelled.
LoadedLayoutModel loadLayoutModel(const LayoutModelSource &source, const JobContext &job = {});

struct LayoutGenerationRequest {
    int64_t panels = 0;
    double aspect = 1.5; // height / width
    int64_t steps = 50;
    std::vector<uint64_t> seeds; // one page each, in this order
};

struct GeneratedLayout {
    uint64_t seed = 0;
    Page page; // width 1, height request.aspect, request.panels panels in the model's order
    double seconds = 0;
};

// A page for each seed of the request, in order, reporting progress per page and handing each
// to `generated` (from the job's thread) as it is done. Throws std::invalid_argument, before
// any work, for a request the model cannot take (panels outside 1 … maxPanels, steps outside
// 1 … timesteps, an aspect that is not positive, no seed); Cancelled.
std::vector<GeneratedLayout> generateLayouts(const LoadedLayoutModel &model, const LayoutGenerationRequest &request,
                                             const JobContext &job = {},
                                             const std::function<void(const GeneratedLayout &)> &generated = {});

} // namespace sculpt
