#pragma once
// A layout model ready to run: the torch-free face of the layout runtime for the CLI, the
// window and the benchmarks. It samples a page's panel boxes by DDIM (deterministic, η = 0)
// from the model's DDPM, a seed giving the same layout bit for bit on one machine.

#include "job/job.h"
#include "layout/page.h"

#include <cstdint>
#include <memory>
#include <string>

namespace sculpt {

class Checkpoint;
class LayoutModel;

// What a layout is generated for: its panel count (exactly that many panels come back), the
// page's aspect (height / width) and the denoising steps (more: closer to the DDPM the model
// learnt, slower).
struct LayoutRequest {
    int64_t panels = 0;
    double aspect = 1.5;
    int64_t steps = 50;
};

class LayoutGenerator {
public:
    // The layout model of `checkpoint`, as float32 on `device` ("cpu", "cuda"…). Throws
    // FileError for a model it cannot run, std::invalid_argument for one that is not a layout
    // model or an unknown device.
    static std::unique_ptr<LayoutGenerator> load(const Checkpoint &checkpoint, const std::string &device = "cpu");
    ~LayoutGenerator();

    int64_t maxPanels() const;
    int64_t timesteps() const; // the most denoising steps a request may ask for

    // Throws std::invalid_argument, in one line, for a panel count outside 1 … maxPanels(),
    // steps outside 1 … timesteps() or an aspect that is not a positive number.
    void check(const LayoutRequest &request) const;
    // One page for `seed`: width 1, height request.aspect, request.panels panels in the order
    // the model emits them (its reading order), each clipped to the page. Throws as check(),
    // and Cancelled between steps.
    Page generate(const LayoutRequest &request, uint64_t seed, const JobContext &job = {}) const;

private:
    struct Impl;
    friend std::unique_ptr<LayoutGenerator> wrapLayoutGenerator(std::shared_ptr<const LayoutModel> model);
    explicit LayoutGenerator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The torch-free face over a model built in torch (a compressed copy, a freshly trained one).
std::unique_ptr<LayoutGenerator> wrapLayoutGenerator(std::shared_ptr<const LayoutModel> model);

} // namespace sculpt
