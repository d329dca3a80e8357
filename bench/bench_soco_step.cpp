// SoCo's time per optimisation step (issue 6): sculpt's real pass (plugins/soco, run through
// runPass with only stage 1, the step every stage shares, timed between its onStep calls)
// against the same step written in eager PyTorch (soco_step.py on Debian's python3-torch), on
// stories260K, the same calibration sequences — all of them in every step, so both sides do
// the same work step by step — and the same number of threads, in this run. Both sides start
// from the plain SVD of each projection (whiten=0), so their losses can be compared step by step.
//
//   bench_soco_step [--threads N] [--steps N] [--sequences N] [--rounds N]
//
// Prints each round (the two sides in alternating order) with the load average, then the best
// round's median ms/step of each side and their ratio.

#include "bench_support.h"
#include "builtin_passes.h"
#include "compress/calibration.h"
#include "compress/pass.h"
#include "io/formats.h"
#include "runtime/model_family.h"
#include "runtime/compute_threads.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "soco/soco_schedule.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr const char *kStories = SCULPT_SHARED_DIR "/models/stories260K/stories260K.bin";
constexpr const char *kStoriesTokenizer = SCULPT_SHARED_DIR "/models/stories260K/tok512.model";
constexpr const char *kText = SCULPT_SHARED_DIR "/models/tinystories_valid_sample/tinystories_val.txt";
constexpr double kTarget = 0.4;
constexpr long kWarmUp = 5; // steps left out of the median: allocator and caches settle

struct Options {
    int threads = 1;
    long steps = 40;
    long sequences = 4;
    int rounds = 3;
};

struct Run {
    std::vector<double> stepSeconds; // steps kWarmUp+1 … N
    std::vector<double> losses;      // every step
    double ratio = 0;                // hard ratio after the last step
    double median() const
    {
        std::vector<double> s = stepSeconds;
        std::nth_element(s.begin(), s.begin() + long(s.size() / 2), s.end());
        return s[s.size() / 2];
    }
};

struct PythonRun : Run {
    double teacherLogitDifference = 0, studentLogitDifference = 0;
    std::string torch;
};

Run runSculpt(const sculpt::Checkpoint &checkpoint, const std::shared_ptr<const sculpt::Tokenizer> &tokenizer, const std::string &text,
              const Options &o)
{
    using Clock = std::chrono::steady_clock;
    sculpt::CompressionRequest request;
    request.ratio = kTarget;
    request.calibration.text = text;
    request.calibration.tokenizer = tokenizer;
    request.calibration.count = o.sequences;
    request.settings = {{"whiten", 0},
                        {"coarse_steps", double(o.steps)},
                        {"refine_steps", 0},
                        {"sparsify_steps", 0},
                        {"batches_per_step", double(o.sequences)}};
    std::vector<Clock::time_point> ends;
    Run run;
    request.onStep = [&](const sculpt::TrainingStep &step) {
        ends.push_back(Clock::now());
        run.losses.push_back(step.value("loss"));
        run.ratio = step.value("ratio");
    };
    sculpt::runPass(*sculpt::findPass("soco"), checkpoint, {}, request);
    // Step k (1-based) runs from the end of step k−1 to its own end.
    for (size_t k = kWarmUp + 1; k <= ends.size(); ++k)
        run.stepSeconds.push_back(std::chrono::duration<double>(ends[k - 1] - ends[k - 2]).count());
    return run;
}

PythonRun runPython(bench::ScratchDir &scratch, const std::string &folder, const std::string &tokens,
                    const std::string &logits, const Options &o)
{
    const sculpt::SocoSchedule schedule = sculpt::socoSchedule({});
    const std::string out = scratch.file("python.out"), err = scratch.file("python.err");
    bench::runChild({SCULPT_SYSTEM_PYTHON, SCULPT_SOCO_STEP_SCRIPT, folder, tokens, logits, std::to_string(o.threads),
                     std::to_string(o.steps), std::to_string(kTarget), std::to_string(schedule.learningRate),
                     std::to_string(schedule.ratioWeight), std::to_string(schedule.sparsityWeight)},
                    out, err);
    const nlohmann::json result = nlohmann::json::parse(bench::readFile(out));
    if (result.at("threads").get<int>() != o.threads)
        throw std::runtime_error("PyTorch ran on " + result.at("threads").dump() + " threads");
    PythonRun run;
    const auto seconds = result.at("step_seconds").get<std::vector<double>>();
    run.stepSeconds.assign(seconds.begin() + kWarmUp, seconds.end());
    run.losses = result.at("losses").get<std::vector<double>>();
    run.ratio = result.at("hard_ratio").get<double>();
    run.teacherLogitDifference = result.at("teacher_logit_difference").get<double>();
    run.studentLogitDifference = result.at("student_logit_difference").get<double>();
    run.torch = result.at("torch").get<std::string>();
    return run;
}

// stories260K as a Hugging Face folder for the Python side, through sculpt's own export of the
// model as loaded (llama2.c's interleaved q/k rows reordered into HF's layout). Not the svd pass
// at ratio 0: rankForRatio rounds break-even down, so layers whose m·n/(m+n) is not whole lose
// components even there.
void exportDense(const sculpt::Checkpoint &checkpoint, const std::string &folder)
{
    sculpt::CompressionSummary unchanged;
    unchanged.method = "none";
    sculpt::CompressedModel(sculpt::loadCausalModel(checkpoint, torch::kCPU), unchanged)
        .write(folder, sculpt::ExportFormat::Dense);
}

void writeSequences(const std::string &path, const std::vector<torch::Tensor> &sequences)
{
    std::vector<int32_t> ids{int32_t(sequences.size())};
    for (const torch::Tensor &s : sequences) {
        ids.push_back(int32_t(s.numel()));
        const torch::Tensor c = s.to(torch::kInt64).contiguous();
        ids.insert(ids.end(), c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
    }
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(ids.data()), std::streamsize(ids.size() * 4));
}

double maxRelativeDifference(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size())
        throw std::runtime_error("the two sides ran different step counts");
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), 1e-12));
    return worst;
}

int run(const Options &o)
{
    const std::string startLoad = bench::loadAverage();
    // The child inherits these; this process is told directly.
    ::setenv("OPENBLAS_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
    ::setenv("OMP_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
    sculpt::setComputeThreads(o.threads);
    sculpt::registerBuiltinPasses();

    const std::string text = bench::readFile(kText);
    const auto checkpoint = sculpt::openCheckpoint(kStories);
    const std::shared_ptr<const sculpt::Tokenizer> tokenizer = sculpt::openTokenizer(kStoriesTokenizer);

    bench::ScratchDir scratch;
    const std::string folder = scratch.path() + "/stories260K";
    scratch.file("stories260K/config.json");
    scratch.file("stories260K/model.safetensors");
    exportDense(*checkpoint, folder);

    // The sequences the pass will train on (the same call it makes), and the original model's
    // logits on the first, which the Python side must reproduce from the exported folder.
    const std::string tokens = scratch.file("calibration.tokens"), logits = scratch.file("logits.npy");
    {
        torch::NoGradGuard noGrad;
        const auto model = sculpt::loadCausalModel(*checkpoint, torch::kCPU);
        sculpt::CalibrationData data;
        data.text = text;
        data.tokenizer = tokenizer;
        data.count = o.sequences;
        std::vector<torch::Tensor> sequences;
        for (const sculpt::CalibrationBatch &batch : sculpt::makeCalibration(*model, data).batches)
            sequences.push_back(batch.input.tokens[0]);
        if (long(sequences.size()) != o.sequences)
            throw std::runtime_error("the last " + std::to_string(o.sequences) + " documents give only " +
                                     std::to_string(sequences.size()) + " usable sequences");
        writeSequences(tokens, sequences);
        const torch::Tensor first = model->step(sequences[0]).contiguous();
        bench::writeNpy(logits, first.data_ptr<float>(), first.size(0), first.size(1));
        long total = 0;
        for (const torch::Tensor &s : sequences)
            total += s.numel();
        std::printf("SoCo stage-1 step on stories260K: %ld sequences (%ld tokens) per step, every step; target ratio "
                    "%.1f; %ld steps, median of steps %ld-%ld; %d thread(s) each\n",
                    o.sequences, total, kTarget, o.steps, kWarmUp + 1, o.steps, o.threads);
        std::printf("sculpt: runPass(soco, whiten=0, coarse_steps=%ld, refine/sparsify 0), timed between onStep "
                    "calls; PyTorch: soco_step.py, eager\n\n",
                    o.steps);
    }

    std::printf("%-6s %-26s %14s %14s %8s\n", "round", "load before", "sculpt", "PyTorch", "ratio");
    Run bestSculpt;
    PythonRun bestPython;
    double bestSculptMs = INFINITY, bestPythonMs = INFINITY;
    for (int r = 0; r < o.rounds; ++r) {
        const std::string load = bench::loadAverage();
        Run sculptRun;
        PythonRun pythonRun;
        // Alternate which side goes first, so neither always meets the same state of the machine.
        if (r % 2 == 0) {
            sculptRun = runSculpt(*checkpoint, tokenizer, text, o);
            pythonRun = runPython(scratch, folder, tokens, logits, o);
        } else {
            pythonRun = runPython(scratch, folder, tokens, logits, o);
            sculptRun = runSculpt(*checkpoint, tokenizer, text, o);
        }
        const double sculptMs = 1e3 * sculptRun.median(), pythonMs = 1e3 * pythonRun.median();
        std::printf("%-6d %-26s %8.2f ms/step %8.2f ms/step %7.2fx\n", r + 1, load.c_str(), sculptMs, pythonMs,
                    pythonMs / sculptMs);
        std::fflush(stdout);
        if (sculptMs < bestSculptMs)
            bestSculptMs = sculptMs, bestSculpt = sculptRun;
        if (pythonMs < bestPythonMs)
            bestPythonMs = pythonMs, bestPython = pythonRun;
    }

    std::printf("\nbest round: sculpt %.2f ms/step, PyTorch %.2f ms/step, ratio %.2fx (PyTorch time / sculpt time)\n",
                bestSculptMs, bestPythonMs, bestPythonMs / bestSculptMs);
    // Float32 sums in another order (the pass shuffles each step's sequences) move the losses by ~1e-6.
    const double logitDifference = std::max(bestPython.teacherLogitDifference, bestPython.studentLogitDifference);
    const double lossDifference = maxRelativeDifference(bestPython.losses, bestSculpt.losses);
    std::printf("same start: max |logit difference| on the first sequence, PyTorch dense %.1e, PyTorch SVD form "
                "%.1e: %s\n",
                bestPython.teacherLogitDifference, bestPython.studentLogitDifference,
                logitDifference < 1e-3 ? "agree" : "DIFFER");
    std::printf("same steps: loss max relative difference over %ld steps %.1e (first %.6f / %.6f, last %.6f / %.6f); "
                "hard ratio after the last step %.4f / %.4f: %s\n",
                o.steps, lossDifference, bestSculpt.losses.front(), bestPython.losses.front(), bestSculpt.losses.back(),
                bestPython.losses.back(), bestSculpt.ratio, bestPython.ratio,
                lossDifference < 1e-3 ? "agree" : "DIFFER");
    std::printf("PyTorch %s (python3-torch), LibTorch %s; %s at the start, %s at the end\n", bestPython.torch.c_str(),
                TORCH_VERSION, startLoad.c_str(), bench::loadAverage().c_str());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const bool hasValue = i + 1 < argc && std::atol(argv[i + 1]) > 0;
        if (std::strcmp(argv[i], "--threads") == 0 && hasValue)
            o.threads = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--steps") == 0 && hasValue && std::atol(argv[i + 1]) > kWarmUp + 1)
            o.steps = std::atol(argv[++i]);
        else if (std::strcmp(argv[i], "--sequences") == 0 && hasValue)
            o.sequences = std::atol(argv[++i]);
        else if (std::strcmp(argv[i], "--rounds") == 0 && hasValue)
            o.rounds = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_soco_step [--threads N] [--steps N > %ld] [--sequences N] [--rounds N]\n",
                         kWarmUp + 1);
            return 2;
        }
    }
    try {
        return run(o);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_soco_step: %s\n", e.what());
        return 1;
    }
}
