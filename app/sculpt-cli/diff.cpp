#include "commands.h"
#include "foreground_job.h"
#include "json_number.h"
#include "options.h"
#include "stop_signals.h"
#include "usage.h"

#include "diff/workspace_diff.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

nlohmann::ordered_json sideJson(const DiffSide &side)
{
    nlohmann::ordered_json out{{"name", side.name}, {"shape", side.shape}};
    if (side.factorized)
        out["factorized"] = true;
    return out;
}

nlohmann::ordered_json pairJson(const TensorDiff &t)
{
    nlohmann::ordered_json out{{"name", t.a.name},
                               {"block", t.block >= 0 ? nlohmann::ordered_json(t.block) : nlohmann::ordered_json()},
                               {"role", std::string(roleName(t.role))},
                               {"shape", t.a.shape},
                               {"relative_distance", jsonNumber(t.relativeDistance)},
                               {"cosine", jsonNumber(t.cosine)},
                               {"max_abs_difference", jsonNumber(t.maxAbsDifference)},
                               {"norm_a", jsonNumber(t.normA)},
                               {"norm_b", jsonNumber(t.normB)}};
    if (t.a.factorized || t.b.factorized)
        out["factorized"] = {{"a", t.a.factorized}, {"b", t.b.factorized}};
    if (!t.differenceSpectrum.empty()) {
        out["stable_rank"] = jsonNumber(t.stableRank);
        if (t.subspaceK > 0) {
            out["subspace_overlap"] = jsonNumber(t.subspaceOverlap);
            out["subspace_k"] = t.subspaceK;
        }
        auto &spectrum = out["difference_spectrum"] = nlohmann::ordered_json::array();
        for (double s : t.differenceSpectrum)
            spectrum.push_back(jsonNumber(s));
    }
    return out;
}

void printJson(const std::string &a, const std::string &b, const WorkspaceDiff &kept)
{
    const ModelDiff &diff = kept.record.diff;
    const DiffOptions &options = kept.record.options;
    nlohmann::ordered_json out{{"a", a},
                               {"b", b},
                               {"workspace", kept.workspace},
                               {"reused", kept.reused},
                               {"date", kept.record.date},
                               {"architecture", std::string(architectureName(diff.architecture))},
                               {"spectrum", !options.spectra  ? "none"
                                            : options.topK > 0 ? "top" + std::to_string(options.topK)
                                                               : "exact"}};
    auto &tensors = out["tensors"] = nlohmann::ordered_json::array();
    for (const TensorDiff &t : diff.tensors)
        tensors.push_back(pairJson(t));
    auto &onlyA = out["only_in_a"] = nlohmann::ordered_json::array();
    for (const DiffMismatch &m : diff.onlyInA)
        onlyA.push_back(sideJson(m.a));
    auto &onlyB = out["only_in_b"] = nlohmann::ordered_json::array();
    for (const DiffMismatch &m : diff.onlyInB)
        onlyB.push_back(sideJson(m.b));
    auto &reshaped = out["reshaped"] = nlohmann::ordered_json::array();
    for (const DiffMismatch &m : diff.reshaped)
        reshaped.push_back({{"a", sideJson(m.a)}, {"b", sideJson(m.b)}});
    std::cout << out.dump(2) << "\n";
}

// The heaviest changes first: a researcher looks for where the model moved.
std::vector<const TensorDiff *> heaviestFirst(const ModelDiff &diff)
{
    std::vector<const TensorDiff *> order;
    for (const TensorDiff &t : diff.tensors)
        order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](const TensorDiff *x, const TensorDiff *y) { return x->relativeDistance > y->relativeDistance; });
    return order;
}

void printCsv(const ModelDiff &diff)
{
    std::cout << "name,block,role,rows,cols,relative_distance,cosine,max_abs_difference,stable_rank,subspace_overlap,"
                 "subspace_k,factorized_a,factorized_b\n";
    for (const TensorDiff *t : heaviestFirst(diff)) {
        std::cout << t->a.name << "," << (t->block >= 0 ? std::to_string(t->block) : "") << "," << roleName(t->role) << ",";
        if (t->matrix)
            std::cout << t->matrix->rows << "," << t->matrix->cols;
        else
            std::cout << ",";
        std::printf(",%.9g,%.9g,%.9g,", t->relativeDistance, t->cosine, t->maxAbsDifference);
        if (!t->differenceSpectrum.empty())
            std::printf("%.9g,", t->stableRank);
        else
            std::printf(",");
        if (!t->differenceSpectrum.empty() && t->subspaceK > 0)
            std::printf("%.9g,%d", t->subspaceOverlap, t->subspaceK);
        else
            std::printf(",");
        std::printf(",%d,%d\n", int(t->a.factorized), int(t->b.factorized));
    }
}

void printTable(const std::string &a, const std::string &b, const WorkspaceDiff &kept)
{
    const ModelDiff &diff = kept.record.diff;
    std::cout << "A " << a << "\nB " << b << "\n"
              << (kept.reused ? "as compared on " + kept.record.date + ", read back from " : "kept in ") << kept.workspace
              << "\n"
              << diff.tensors.size() << " tensors compared (" << architectureName(diff.architecture) << "), "
              << diff.onlyInA.size() << " only in A, " << diff.onlyInB.size() << " only in B, " << diff.reshaped.size()
              << " of another shape\n\n";
    std::printf("%-52s %-16s %10s %9s %11s %8s %8s\n", "tensor (heaviest change first)", "shape", "rel. dist",
                "cosine", "max |A−B|", "s.rank", "overlap");
    for (const TensorDiff *t : heaviestFirst(diff)) {
        std::printf("%-52s %-16s %10.4g %9.6f %11.4g", (t->a.name + (t->b.factorized ? " (A·B)" : "")).c_str(),
                    shapeText(t->a.shape).c_str(), t->relativeDistance, t->cosine, t->maxAbsDifference);
        if (!t->differenceSpectrum.empty() && t->subspaceK > 0)
            std::printf(" %8.2f %8.4f\n", t->stableRank, t->subspaceOverlap);
        else if (!t->differenceSpectrum.empty())
            std::printf(" %8.2f %8s\n", t->stableRank, "");
        else
            std::printf(" %8s %8s\n", "", "");
    }
    const auto list = [](const char *title, const std::vector<DiffMismatch> &items, bool sideA) {
        if (items.empty())
            return;
        std::cout << "\n" << title << "\n";
        for (const DiffMismatch &m : items) {
            const DiffSide &side = sideA ? m.a : m.b;
            std::cout << "  " << side.name << " " << shapeText(side.shape) << "\n";
        }
    };
    list("only in A:", diff.onlyInA, true);
    list("only in B:", diff.onlyInB, false);
    if (!diff.reshaped.empty()) {
        std::cout << "\nof another shape:\n";
        for (const DiffMismatch &m : diff.reshaped)
            std::cout << "  " << m.a.name << " " << shapeText(m.a.shape) << " in A, " << shapeText(m.b.shape) << " in B\n";
    }
}

} // namespace

int diff(const std::vector<std::string> &args)
{
    Options options("diff", {"--topk", "--subspace", "--workspace"}, {"--json", "--csv", "--distances-only"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 2) {
        std::cerr << usageOf("diff");
        return kBadInput;
    }
    for (const auto &[one, other] : {std::pair{"--json", "--csv"}, std::pair{"--topk", "--distances-only"}})
        if (options.has(one) && options.has(other)) {
            options.fail(std::string(one) + " or " + other + ", not both");
            return kBadInput;
        }
    const auto topK = options.count("--topk", 0, 1);
    const auto subspace = options.count("--subspace", DiffOptions{}.subspaceK, 1);
    if (!topK || !subspace)
        return kBadInput;
    const DiffOptions diffOptions{int(*topK), int(*subspace), !options.has("--distances-only")};
    const std::string a = options.positional()[0], b = options.positional()[1];
    std::unique_ptr<Checkpoint> first, second;
    WorkspaceDiff kept;
    if (const auto ended = runInForeground("diff", "tensors", cancelOnStopSignals(), [&](const JobContext &job) {
            first = openCheckpoint(a);
            second = openCheckpoint(b);
            kept = diffInWorkspace(*first, *second, diffOptions, options.value("--workspace"), job);
        }))
        return *ended;
    if (options.has("--json"))
        printJson(a, b, kept);
    else if (options.has("--csv"))
        printCsv(kept.record.diff);
    else
        printTable(a, b, kept);
    return kOk;
}

} // namespace sculpt::cli
