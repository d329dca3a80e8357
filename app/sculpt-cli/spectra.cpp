#include "commands.h"
#include "json_number.h"
#include "stop_signals.h"

#include "analysis/content_hash.h"
#include "analysis/spectra_job.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"
#include "model/inventory.h"
#include "progress_bar.h"
#include "usage.h"
#include "workspace/workspace.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

namespace sculpt::cli {
namespace {

using json = nlohmann::ordered_json;


struct Arguments {
    std::string path;
    std::string workspace;
    std::string format = "text"; // text, json or csv
    SpectraOptions options;
};

// -1 means "not reached": null, as a NaN is (jsonNumber).
json rank(long r) { return r >= 0 ? json(r) : json(); }

json metricsJson(const SpectrumMetrics &m)
{
    return {{"spectral_norm", jsonNumber(m.spectralNorm)}, {"frobenius_norm", jsonNumber(m.frobeniusNorm)},
            {"stable_rank", jsonNumber(m.stableRank)},     {"effective_rank", jsonNumber(m.effectiveRank)},
            {"rank_90", rank(m.rank90)},                   {"rank_95", rank(m.rank95)},
            {"rank_99", rank(m.rank99)},                   {"breakeven_rank", jsonNumber(m.breakevenRank)},
            {"alpha", jsonNumber(m.alpha.alpha)},          {"alpha_xmin", jsonNumber(m.alpha.xmin)},
            {"alpha_ks", jsonNumber(m.alpha.ks)},          {"alpha_tail", m.alpha.tailSize}};
}

void printJson(const Arguments &args, const std::string &workspace, const std::vector<SpectrumOutcome> &outcomes)
{
    json out;
    out["path"] = args.path;
    out["method"] = spectrumMethod(args.options);
    out["workspace"] = workspace;
    if (args.options.shard)
        out["shard"] = {{"index", args.options.shard->index}, {"count", args.options.shard->count}};
    json tensors = json::array(), skipped = json::array();
    for (const auto &o : outcomes) {
        if (!o.spectrum) {
            skipped.push_back({{"name", o.name}, {"reason", o.skipped}});
            continue;
        }
        const TensorSpectrum &s = *o.spectrum;
        json t{{"name", o.name}, {"shape", o.shape}, {"matrix", {s.rows, s.cols}}};
        t["singular_values"] = s.singularValues;
        t["metrics"] = metricsJson(s.metrics);
        if (args.options.topK > 0)
            t["error_estimate"] = jsonNumber(s.errorEstimate);
        t["seconds"] = s.seconds;
        t["reused"] = o.reused;
        tensors.push_back(std::move(t));
    }
    out["tensors"] = std::move(tensors);
    out["skipped"] = std::move(skipped);
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

std::string cell(double v, const char *format = "%.4g")
{
    if (!std::isfinite(v))
        return "";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, format, v);
    return buffer;
}

std::string cell(long r) { return r >= 0 ? std::to_string(r) : ""; }

void printTable(const std::vector<SpectrumOutcome> &outcomes, bool csv)
{
    const char *header = csv ? "name,rows,cols,spectral_norm,frobenius_norm,stable_rank,effective_rank,rank_90,"
                               "rank_95,rank_99,breakeven_rank,alpha,alpha_xmin,alpha_ks,alpha_tail,seconds,reused\n"
                             : "";
    std::cout << header;
    if (!csv)
        // "σ_max" is 6 bytes for 5 columns: one more byte of width keeps the header aligned.
        std::printf("%-48s %13s %10s %8s %8s %6s %6s %6s %7s %6s\n", "tensor", "matrix", "σ_max", "stable", "eff.rank",
                    "r90", "r95", "r99", "k*", "alpha");
    for (const auto &o : outcomes) {
        if (!o.spectrum) {
            if (!csv)
                std::printf("%-48s skipped: %s\n", o.name.c_str(), o.skipped.c_str());
            continue;
        }
        const TensorSpectrum &s = *o.spectrum;
        const SpectrumMetrics &m = s.metrics;
        if (csv) {
            std::cout << o.name << ',' << s.rows << ',' << s.cols << ',' << cell(m.spectralNorm, "%.9g") << ','
                      << cell(m.frobeniusNorm, "%.9g") << ',' << cell(m.stableRank, "%.9g") << ','
                      << cell(m.effectiveRank, "%.9g") << ',' << cell(m.rank90) << ',' << cell(m.rank95) << ','
                      << cell(m.rank99) << ',' << cell(m.breakevenRank, "%.9g") << ',' << cell(m.alpha.alpha, "%.9g")
                      << ',' << cell(m.alpha.xmin, "%.9g") << ',' << cell(m.alpha.ks, "%.9g") << ','
                      << m.alpha.tailSize << ',' << cell(s.seconds, "%.3f") << ',' << (o.reused ? 1 : 0) << '\n';
        } else {
            const std::string shape = std::to_string(s.rows) + "x" + std::to_string(s.cols);
            std::printf("%-48s %13s %9s %8s %8s %6s %6s %6s %7s %6s\n", o.name.c_str(), shape.c_str(),
                        cell(m.spectralNorm).c_str(), cell(m.stableRank).c_str(), cell(m.effectiveRank).c_str(),
                        cell(m.rank90).c_str(), cell(m.rank95).c_str(), cell(m.rank99).c_str(),
                        cell(m.breakevenRank, "%.0f").c_str(), cell(m.alpha.alpha, "%.2f").c_str());
        }
    }
}

// "K/N" with 1 ≤ K ≤ N, digits only.
std::optional<ShardSpec> parseShard(const std::string &text)
{
    ShardSpec shard;
    const char *end = text.data() + text.size();
    const auto [slash, indexError] = std::from_chars(text.data(), end, shard.index);
    if (indexError != std::errc() || slash == end || *slash != '/')
        return std::nullopt;
    const auto [last, countError] = std::from_chars(slash + 1, end, shard.count);
    if (countError != std::errc() || last != end || shard.index < 1 || shard.index > shard.count)
        return std::nullopt;
    return shard;
}

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Arguments a;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) {
                std::cerr << "sculpt-cli spectra: " << arg << " needs a value\n";
                return std::nullopt;
            }
            return args[++i];
        };
        if (arg == "--exact") {
            a.options.topK = 0;
        } else if (arg == "--topk") {
            const auto v = value();
            if (!v)
                return std::nullopt;
            char *end = nullptr;
            const long k = std::strtol(v->c_str(), &end, 10);
            if (*end != '\0' || k <= 0 || k > 1'000'000) {
                std::cerr << "sculpt-cli spectra: --topk takes a positive whole number, not '" << *v << "'\n";
                return std::nullopt;
            }
            a.options.topK = int(k);
        } else if (arg == "--workspace") {
            const auto v = value();
            if (!v)
                return std::nullopt;
            a.workspace = *v;
            if (a.workspace.empty()) {
                std::cerr << "sculpt-cli spectra: --workspace needs a file name\n";
                return std::nullopt;
            }
        } else if (arg == "--shard") {
            const auto v = value();
            if (!v)
                return std::nullopt;
            a.options.shard = parseShard(*v);
            if (!a.options.shard) {
                std::cerr << "sculpt-cli spectra: --shard takes K/N, shard K of N with 1 ≤ K ≤ N, not '" << *v << "'\n";
                return std::nullopt;
            }
        } else if (arg == "--match") {
            const auto v = value();
            if (!v)
                return std::nullopt;
            a.options.match = *v;
        } else if (arg == "--json" || arg == "--csv") {
            a.format = arg.substr(2);
        } else if (arg.starts_with("-")) {
            std::cerr << "sculpt-cli spectra: unknown option '" << arg << "'\n";
            return std::nullopt;
        } else if (a.path.empty()) {
            a.path = arg;
        } else {
            std::cerr << "sculpt-cli spectra: one PATH only\n";
            return std::nullopt;
        }
    }
    if (a.path.empty()) {
        std::cerr << usageOf("spectra");
        return std::nullopt;
    }
    if (a.options.shard && a.workspace.empty()) {
        // The model's own workspace would take the shard silently; a part is merged on purpose.
        std::cerr << "sculpt-cli spectra: --shard needs --workspace PART_FILE, the part `workspace merge` joins\n";
        return std::nullopt;
    }
    try {
        std::regex check(a.options.match);
    } catch (const std::regex_error &e) {
        std::cerr << "sculpt-cli spectra: --match '" << a.options.match << "' is not a valid regex: " << e.what() << "\n";
        return std::nullopt;
    }
    return a;
}

} // namespace

int spectra(const std::vector<std::string> &rawArgs)
{
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    std::unique_ptr<Checkpoint> checkpoint;
    std::optional<Workspace> workspace;
    try {
        checkpoint = openCheckpoint(args->path);
        const std::string workspacePath = args->workspace.empty() ? Workspace::defaultPath(args->path) : args->workspace;
        workspace = Workspace::open(workspacePath, {args->path, modelFingerprint(*checkpoint)});
        workspace->checkWritable();
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    }

    ProgressBar bar("matrices");
    const JobContext job([&](const Progress &p) { bar.update(p); }, cancelOnStopSignals());
    std::vector<SpectrumOutcome> outcomes;
    int status = kOk;
    bool stopped = false;
    try {
        outcomes = computeSpectra(*checkpoint, buildInventory(*checkpoint), args->options, &*workspace, job);
    } catch (const Cancelled &) {
        stopped = true;
    } catch (const std::exception &e) {
        bar.finish();
        std::cerr << "sculpt-cli: " << args->path << ": " << e.what() << "\n";
        status = kFailed;
    }
    bar.finish();
    try {
        workspace->save(); // also after a cancel: finished matrices are not lost
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kFailed;
    }
    if (stopped) {
        std::cerr << "sculpt-cli: cancelled; finished spectra were saved to " << workspace->path() << "\n";
        return stoppedStatus();
    }
    if (status != kOk)
        return status;
    if (args->format == "json")
        printJson(*args, workspace->path(), outcomes);
    else
        printTable(outcomes, args->format == "csv");
    return kOk;
}

} // namespace sculpt::cli
