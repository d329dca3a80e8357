// sculpt-cli compress: runs one compression pass on a model, writes the result and records the
// pass in the model's workspace, as the window does.

#include "commands.h"
#include "model_workspace.h"
#include "options.h"
#include "progress_bar.h"
#include "stop_signals.h"
#include "usage.h"

#include "builtin_passes.h"
#include "data/idx.h"
#include "data/text.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "io/formats.h"
#include "runtime/accuracy.h"
#include "session/device_check.h"
#include "runtime/image_classifier.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "session/compression.h"
#include "workspace/workspace.h"

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
        std::string kinds;
        for (const ModelKind k : p->models())
            kinds += (kinds.empty() ? "" : ", ") + kindName(k) + "s";
        std::cout << p->name() << "  " << p->title() << "  (" << kinds
                  << (p->needsImageQuestions() ? "; needs --calib-images"
                      : p->needsCalibration()  ? "; needs --calib"
                                               : "")
                  << (p->needsLabels() ? " and, for images, --calib-labels" : "")
                  << (p->takesRatio() ? "" : "; takes no --ratio")
                  << ")\n    " << p->description() << "\n";
        for (const PassSetting &s : p->settings())
            std::cout << "    --set " << s.key << "=" << settingText(s, s.value) << "  " << s.help << "\n";
    }
}

// --set KEY=VALUE pairs, each a value of the setting's type; nothing, after printing why, when
// one is malformed or names no setting of the pass.
std::optional<std::map<std::string, double>> settings(const Options &options, const CompressionPass &pass)
{
    std::map<std::string, double> all;
    const std::vector<PassSetting> declared = pass.settings();
    for (const std::string &pair : options.values("--set")) {
        const size_t eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            options.fail("--set takes KEY=VALUE, not '" + pair + "'");
            return std::nullopt;
        }
        const std::string key = pair.substr(0, eq), text = pair.substr(eq + 1);
        const auto setting = std::find_if(declared.begin(), declared.end(), [&](const PassSetting &s) { return s.key == key; });
        if (setting == declared.end()) {
            options.fail(pass.name() + " has no setting '" + key + "' (sculpt-cli compress --list)");
            return std::nullopt;
        }
        const std::optional<double> value = parseSetting(*setting, text);
        if (!value) {
            options.fail("--set " + key + " takes " +
                         (setting->type == PassSetting::Type::Integer   ? std::string("a whole number")
                          : setting->type == PassSetting::Type::Boolean ? std::string("true or false")
                          : setting->type == PassSetting::Type::Choice  ? "one of its choices"
                                                                        : std::string("a number")) +
                         ", not '" + text + "'");
            return std::nullopt;
        }
        all[key] = *value;
    }
    return all;
}

nlohmann::ordered_json summaryJson(const CompressionSummary &s, const std::string &output)
{
    nlohmann::ordered_json ranks = nlohmann::ordered_json::object();
    for (const CompressedLayer &l : s.layers)
        ranks[l.name] = {{"shape", {l.rows, l.cols}}, {"rank", l.rank}, {"dense", l.dense}};
    nlohmann::ordered_json out{{"method", s.method},
            {"target_ratio", s.targetRatio},
            {"ratio", s.ratio},
            {"model_ratio", s.modelRatio()},
            {"parameters_before", s.parametersBefore},
            {"parameters_after", s.parametersAfter},
            {"seconds", s.seconds},
            {"spectrum_of", s.spectrumOf},
            {"ranks", ranks},
            {"output", output}};
    if (s.parametersAdded)
        out["parameters_added"] = s.parametersAdded;
    if (s.decoderMacsBefore > 0) {
        out["decoder_gflops_before"] = 2e-9 * s.decoderMacsBefore;
        out["decoder_gflops_after"] = 2e-9 * s.decoderMacsAfter;
    }
    return out;
}

// What --eval measures the compressed model on, read before any work: text for a language
// model, an IDX image set and its labels for a vision model.
struct EvaluationData {
    std::string text;
    IdxImages images;
    std::vector<uint8_t> labels;
    long count = -1; // the first documents or images only when ≥ 1
};

nlohmann::ordered_json evaluate(const CompressedModel &compressed, const PreparedPass &prepared,
                                const EvaluationData &data, const JobContext &job)
{
    if (const LanguageModel *model = compressed.languageModel()) {
        const PerplexityResult r = perplexity(*model, *prepared.request.calibration.tokenizer, data.text, data.count, job);
        return {{"documents", r.documents}, {"tokens", r.tokens}, {"mean_nll", r.meanNll}, {"perplexity", r.perplexity()}};
    }
    const AccuracyResult r = accuracy(*compressed.imageClassifier(), data.images, data.labels, data.count, job);
    return {{"images", r.images}, {"correct", r.correct}, {"accuracy", r.accuracy()}};
}

void appendLog(std::ofstream &log, const TrainingStep &s)
{
    nlohmann::ordered_json line{{"step", s.step}, {"stage", s.stage}};
    for (const auto &[name, value] : s.values)
        line[name] = value;
    for (const auto &[name, counts] : s.counts)
        line[name] = counts;
    log << line.dump() << "\n" << std::flush;
}

} // namespace

int compress(const std::vector<std::string> &args)
{
    registerBuiltinPasses();
    Options options("compress",
                    {"--method", "--ratio", "--calib", "--calib-labels", "--calib-images", "--calib-count", "-o", "--format", "--set",
                     "--tokenizer", "--config", "--eval", "--eval-labels", "--eval-count", "--workspace", "--log", "--device"},
                    {"--json", "--list"});
    if (!options.parse(args))
        return kBadInput;
    if (options.has("--list")) {
        list();
        return kOk;
    }
    if (options.positional().size() != 1 || !options.has("--method") || !options.has("-o")) {
        std::cerr << usageOf("compress");
        return kBadInput;
    }
    const CompressionPass *pass = findPass(options.value("--method"));
    if (!pass) {
        options.fail("no method '" + options.value("--method") + "' (sculpt-cli compress --list)");
        return kBadInput;
    }
    if (pass->takesRatio() != options.has("--ratio")) {
        options.fail(pass->takesRatio() ? pass->name() + " needs --ratio R, the share of parameters to remove"
                                        : pass->name() + " converts the model and takes no --ratio");
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
    const auto calibCount = options.count("--calib-count", kDefaultCalibrationCount, 1);
    const auto evalCount = options.count("--eval-count", -1, 1);
    const auto overrides = settings(options, *pass);
    if (!ratio || !calibCount || !evalCount || !overrides)
        return kBadInput;

    // Every argument is checked before any work: a pass may train for minutes.
    std::unique_ptr<Checkpoint> checkpoint;
    PreparedPass prepared;
    EvaluationData evaluation;
    std::optional<Workspace> workspace;
    try {
        ExportFolder::checkWritable(options.value("-o"));
        checkpoint = openCheckpoint(options.positional()[0]);
        PassRequest request;
        request.method = pass->name();
        request.ratio = *ratio;
        request.calibrationFile = options.value("--calib");
        request.calibrationLabels = options.value("--calib-labels");
        request.calibrationQuestions = options.value("--calib-images");
        request.calibrationCount = *calibCount;
        request.settings = *overrides;
        request.tokenizer = options.value("--tokenizer");
        request.model.sidecar = options.value("--config");
        request.device = options.value("--device", "cpu");
        checkDevice(request.device);
        prepared = preparePass(*checkpoint, request, [](const std::string &) {});
        if (options.has("--eval")) {
            evaluation.count = *evalCount;
            if (prepared.kind == ModelKind::Layout)
                throw std::invalid_argument("--eval measures text or images: a layout model's layouts are measured by "
                                            "bench_layout_model");
            if (prepared.kind == ModelKind::Language) {
                evaluation.text = readTextFile(options.value("--eval"));
            } else {
                if (!options.has("--eval-labels"))
                    throw std::invalid_argument("--eval on images needs their labels (--eval-labels IDX)");
                evaluation.images = readIdxImages(options.value("--eval"));
                evaluation.labels = readIdxLabels(options.value("--eval-labels"));
            }
        }
        workspace = openModelWorkspace(options, *checkpoint);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
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
    }

    ProgressBar bar(pass->name());
    const JobContext job([&](const Progress &p) { bar.update(p); }, cancelOnStopSignals());
    try {
        const auto onStep = [&log](const TrainingStep &s) {
            if (log.is_open())
                appendLog(log, s);
        };
        PassResult result = runPrepared(*checkpoint, prepared, onStep, job, [](const std::string &) {});
        const std::string output = std::filesystem::absolute(options.value("-o")).lexically_normal().string();
        const ExportFormat exportFormat = format == "dense" ? ExportFormat::Dense : ExportFormat::Factorized;
        result.model->write(output, exportFormat, result.tokenizer, job);
        result.record.exportPath = output;
        result.record.exportFormat = formatName(exportFormat);
        nlohmann::ordered_json out = summaryJson(result.model->summary(), output);
        if (options.has("--eval"))
            out["evaluation"] = evaluate(*result.model, prepared, evaluation, job);
        workspace->putPass(result.record);
        workspace->save();
        out["workspace"] = workspace->path();
        bar.finish();
        if (options.has("--json")) {
            std::cout << out.dump(2) << "\n";
        } else {
            const CompressionSummary &s = result.model->summary();
            if (pass->takesRatio())
                std::printf("%s: %.1f %% of the targeted parameters removed (%.1f %% of the model), ", s.method.c_str(),
                            100 * s.ratio, 100 * s.modelRatio());
            else
                std::printf("%s: %lld parameters added, ", s.method.c_str(), (long long)s.parametersAdded);
            std::printf("%lld -> %lld parameters, %.1f s\n", (long long)s.parametersBefore, (long long)s.parametersAfter,
                        s.seconds);
            if (s.decoderMacsBefore > 0)
                std::printf("decoder %.4f -> %.4f GFLOPs per answer (%.1f× fewer)\n", 2e-9 * s.decoderMacsBefore,
                            2e-9 * s.decoderMacsAfter, s.decoderMacsBefore / s.decoderMacsAfter);
            std::printf("wrote %s\nrecorded in %s\n", output.c_str(), workspace->path().c_str());
            if (out.contains("evaluation") && out["evaluation"].contains("perplexity"))
                std::printf("perplexity %.4f on %ld documents\n", out["evaluation"]["perplexity"].get<double>(),
                            out["evaluation"]["documents"].get<long>());
            else if (out.contains("evaluation"))
                std::printf("accuracy %.2f %% on %ld images\n", 100 * out["evaluation"]["accuracy"].get<double>(),
                            out["evaluation"]["images"].get<long>());
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
