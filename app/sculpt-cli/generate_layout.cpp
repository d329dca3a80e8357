#include "generate_layout.h"

#include "box_json.h"
#include "commands.h"
#include "stop_signals.h"
#include "usage.h"

#include "io/error.h"
#include "io/formats.h"
#include "runtime/layout_generator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace sculpt::cli {

int generateLayout(const Options &options)
{
    for (const char *flag : {"--tokenizer", "--prompt", "--image", "--max-tokens", "--temperature"})
        if (options.has(flag)) {
            options.fail(std::string(flag) + " is for language models; " + options.positional()[0] +
                         " is a layout model (--panels N --seed S [--steps K] [--aspect A])");
            return kBadInput;
        }
    if (!options.has("--panels")) {
        options.fail("a layout model needs --panels N, the panel count of the page");
        return kBadInput;
    }
    LayoutRequest request;
    const auto panels = options.count("--panels", 0, 1);
    const auto steps = options.count("--steps", long(request.steps), 1);
    const auto aspect = options.number("--aspect", request.aspect, 1e-3, 1e3);
    const auto seed = options.count("--seed", 0, 0);
    if (!panels || !steps || !aspect || !seed)
        return kBadInput;
    request.panels = *panels;
    request.steps = *steps;
    request.aspect = *aspect;

    std::unique_ptr<LayoutGenerator> generator;
    Page page;
    try {
        generator = LayoutGenerator::load(*openCheckpoint(options.positional()[0]));
        generator->check(request);
        page = generator->generate(request, uint64_t(*seed), JobContext({}, cancelOnStopSignals()));
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    } catch (const std::invalid_argument &e) {
        options.fail(e.what());
        return kBadInput;
    } catch (const Cancelled &) {
        return stoppedStatus();
    }
    if (options.has("--json")) {
        nlohmann::ordered_json boxes = nlohmann::ordered_json::array();
        for (const Panel &p : page.panels)
            boxes.push_back(boxJson(p.box));
        const nlohmann::ordered_json out{{"panels", boxes}, {"seed", *seed}, {"aspect", request.aspect},
                                         {"steps", request.steps}, {"width", page.width}, {"height", page.height}};
        std::cout << out.dump(2) << "\n";
        return kOk;
    }
    // The page is 1 wide and `aspect` high; each panel in the order the model reads them.
    for (size_t i = 0; i < page.panels.size(); ++i) {
        const Box &b = page.panels[i].box;
        std::printf("%zu  %.4f %.4f %.4f %.4f\n", i + 1, b.x0, b.y0, b.x1, b.y1);
    }
    return kOk;
}

} // namespace sculpt::cli
