// sculpt-cli compress: runs one compression pass on a language model and writes the result.

#include "commands.h"
#include "usage.h"
#include "stop_signals.h"
#include "options.h"
#include "progress_bar.h"

#include "builtin_passes.h"
#include "compress/pass.h"
#include "data/text.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "io/formats.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/model_tokenizer.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt::cli {
namespace {

void list()
{
    for (const CompressionPass *p : passes()) {
        std::cout << p->name() << "  " << p->title() << (p->needsCalibration() ? "  (needs --calib)" : "") << "\n    "
                  << p->description() << "\n";
        for (const PassSetting &s : p->settings())
            std::cout << "    --set " << s.key << "=" << s.value << "  " << s.help << "\n";
    }
}

// --set KEY=VALUE pairs; nothing, after printing why, when one is malformed.
std::optional<std::map<std::string, double>> settings(const Options &options)
{
    std::map<std::string, double> all;
    for (const std::string &pair : options.values("--set")) {
        const size_t eq = pair.find('=');
        char *end = nullptr;
        const double value = eq == std::string::npos ? 0 : std::strtod(pair.c_str() + eq + 1, &end);
        if (eq == std::string::npos || eq == 0 || end == pair.c_str() + eq + 1 || *end != '\0') {
            options.fail("--set takes KEY=NUMBER, not '" + pair + "'");
            return std::nullopt;
        }
        all[pair.substr(0, eq)] = value;
    }
    return all;
}

nlohmann::ordered_json summaryJson(const CompressionSummary &s, const std::string &output)
{
    nlohmann::ordered_json ranks = nlohmann::ordered_json::object();
    for (const CompressedLayer &l : s.layers)
        ranks[l.name] = {{"shape", {l.rows, l.cols}}, {"rank", l.rank}, {"dense", l.dense}};
    return {{"method", s.method},
            {"target_ratio", s.targetRatio},
            {"ratio", s.ratio},
            {"model_ratio", s.modelRatio()},
            {"parameters_before", s.parametersBefore},
            {"parameters_after", s.parametersAfter},
            {"seconds", s.seconds},
            {"ranks", ranks},
            {"output", output}};
}

} // namespace

int compress(const std::vector<std::string> &args)
{
    registerBuiltinPasses();
    Options options("compress",
                    {"--method", "--ratio", "--calib", "--calib-docs", "-o", "--format", "--set", "--tokenizer",
                     "--eval", "--eval-docs", "--log"},
                    {"--json", "--list"});
    if (!options.parse(args))
        return kBadInput;
    if (options.has("--list")) {
        list();
        return kOk;
    }
    if (options.positional().size() != 1 || !options.has("--method") || !options.has("--ratio") || !options.has("-o")) {
        std::cerr << usageOf("compress");
        return kBadInput;
    }
    const CompressionPass *pass = findPass(options.value("--method"));
    if (!pass) {
        options.fail("no method '" + options.value("--method") + "' (sculpt-cli compress --list)");
        return kBadInput;
    }
    if (options.value("-o").empty()) {
        options.fail("-o needs a folder name");
        return kBadInput;
    }
    const std::string format = options.value("--format", "factorized");
    if (format != "factorized" && format != "dense") {
        options.fail("--format is factorized or dense, not '" + format + "'");
        return kBadInput;
    }
    const auto ratio = options.number("--ratio", 0, 0, 0.999);
    const auto calibDocs = options.count("--calib-docs", 128, 1);
    const auto evalDocs = options.count("--eval-docs", -1, 1);
    const auto overrides = settings(options);
    if (!ratio || !calibDocs || !evalDocs || !overrides)
        return kBadInput;

    const std::string modelPath = options.positional()[0];
    std::unique_ptr<Checkpoint> checkpoint;
    ModelTokenizer tokenizer;
    CompressionRequest request;
    std::string evaluationText;
    // Every argument is checked before any work: a pass may train for minutes.
    try {
        ExportFolder::checkWritable(options.value("-o"));
        checkpoint = openCheckpoint(modelPath);
        tokenizer = openModelTokenizer(*checkpoint, options.value("--tokenizer"), "pass --tokenizer PATH");
        if (options.has("--calib"))
            request.calibrationText = readTextFile(options.value("--calib"));
        if (options.has("--eval"))
            evaluationText = readTextFile(options.value("--eval"));
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }
    request.ratio = *ratio;
    request.calibrationDocuments = *calibDocs;
    request.settings = *overrides;
    try {
        checkRequest(*pass, request);
    } catch (const std::invalid_argument &e) {
        options.fail(e.what());
        return kBadInput;
    }
    std::ofstream log;
    if (options.has("--log")) {
        // Appended to: a file that was there before this run keeps what it held.
        log.open(options.value("--log"), std::ios::app);
        if (!log) {
            options.fail("cannot write the log " + options.value("--log"));
            return kBadInput;
        }
        request.onStep = [&log](const TrainingStep &s) {
            log << nlohmann::json{{"step", s.step},   {"stage", s.stage}, {"loss", s.loss},
                                  {"kl", s.distillation}, {"ratio", s.ratio}, {"active", s.active}}
                       .dump()
                << "\n";
        };
    }

    ProgressBar bar(pass->name());
    const JobContext job([&](const Progress &p) { bar.update(p); }, cancelOnStopSignals());
    try {
        const CompressedModel compressed = runPass(*pass, *checkpoint, *tokenizer.tokenizer, request, job);
        compressed.write(options.value("-o"), format == "dense" ? ExportFormat::Dense : ExportFormat::Factorized,
                         tokenizer.path, job);
        nlohmann::ordered_json out = summaryJson(compressed.summary(), std::filesystem::absolute(options.value("-o")));
        if (!evaluationText.empty()) {
            const PerplexityResult r = perplexity(compressed.languageModel(), *tokenizer.tokenizer, evaluationText, *evalDocs, job);
            out["evaluation"] = {{"documents", r.documents}, {"tokens", r.tokens}, {"mean_nll", r.meanNll},
                                 {"perplexity", r.perplexity()}};
        }
        bar.finish();
        if (options.has("--json")) {
            std::cout << out.dump(2) << "\n";
        } else {
            const CompressionSummary &s = compressed.summary();
            std::printf("%s: %.1f %% of the targeted parameters removed (%.1f %% of the model), %lld -> %lld "
                        "parameters, %.1f s\nwrote %s\n",
                        s.method.c_str(), 100 * s.ratio, 100 * s.modelRatio(), (long long)s.parametersBefore,
                        (long long)s.parametersAfter, s.seconds, out["output"].get<std::string>().c_str());
            if (out.contains("evaluation"))
                std::printf("perplexity %.4f on %ld documents\n", out["evaluation"]["perplexity"].get<double>(),
                            out["evaluation"]["documents"].get<long>());
        }
        return kOk;
    } catch (const Cancelled &) {
        bar.finish();
        std::cerr << "sculpt-cli: cancelled; nothing written\n";
        return stoppedStatus();
    } catch (const std::invalid_argument &e) {
        bar.finish();
        options.fail(e.what());
        return kBadInput;
    } catch (const FileError &e) {
        bar.finish();
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }
}

} // namespace sculpt::cli
