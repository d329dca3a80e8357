#include "analysis/spectra_job.h"

#include "analysis/content_hash.h"
#include "analysis/exact_spectrum.h"
#include "analysis/lapack.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "model/inventory.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <regex>
#include <set>
#include <thread>

namespace sculpt {
namespace {

using Clock = std::chrono::steady_clock;

// What `match` stands for; the shards and the run must read it alike.
std::regex namePattern(const std::string &match)
{
    return std::regex(match.empty() ? std::string(".*") : match, std::regex::ECMAScript);
}

std::string whySkipped(const Weight &w, const TensorInfo &t)
{
    if (t.elements() == 0)
        return "empty tensor";
    if (!dtypeInfo(t.dtype).toFloat32)
        return "dtype " + std::string(dtypeName(t.dtype)) + " cannot be converted yet";
    if (w.shape.size() < 2)
        return std::to_string(w.shape.size()) + "-D tensor";
    return "not a weight matrix (role " + std::string(roleName(w.role)) + ")";
}

// Runs the expensive part for one matrix; reports problems with the data as `skipped`.
void analyse(const Checkpoint &checkpoint, const Weight &weight, const SpectraOptions &options,
             const std::string &method, Workspace *workspace, std::mutex &workspaceLock, SpectrumOutcome &out,
             const JobContext &job)
{
    const TensorInfo &tensor = checkpoint.at(weight.name);
    const std::string hash = contentHash(checkpoint.bytes(tensor));
    if (workspace) {
        const std::lock_guard lock(workspaceLock);
        if (auto stored = workspace->spectrum(weight.name, method, hash)) {
            checkpoint.release(tensor);
            out.spectrum = std::move(stored);
            out.reused = true;
            return;
        }
    }
    const auto start = Clock::now();
    const std::vector<float> matrix = readMatrix(checkpoint, weight);
    checkpoint.release(tensor); // peak memory follows the matrices in flight, not the model
    double frobeniusSquared = 0;
    long nonFinite = 0;
    for (float v : matrix) {
        if (!std::isfinite(v))
            ++nonFinite;
        frobeniusSquared += double(v) * double(v);
    }
    if (nonFinite > 0) {
        out.skipped = std::to_string(nonFinite) + " non-finite entries (NaN or Inf)";
        return;
    }
    const auto [rows, cols] = *weight.matrix;
    TensorSpectrum spectrum;
    spectrum.name = weight.name;
    spectrum.contentHash = hash;
    spectrum.rows = rows;
    spectrum.cols = cols;
    spectrum.method = method;
    if (options.topK > 0) {
        auto top = randomizedSingularValues(matrix.data(), rows, cols, options.topK, options.randomized, job);
        spectrum.singularValues = std::move(top.values);
        spectrum.errorEstimate = top.relativeErrorBound;
    } else {
        spectrum.singularValues = exactSingularValues(matrix.data(), rows, cols, job);
    }
    const bool complete = spectrum.singularValues.size() == size_t(std::min(rows, cols));
    spectrum.metrics = computeMetrics(spectrum.singularValues, rows, cols, frobeniusSquared, complete);
    spectrum.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (workspace) {
        const std::lock_guard lock(workspaceLock);
        workspace->putSpectrum(spectrum);
    }
    out.spectrum = std::move(spectrum);
}

// Restores OpenBLAS's thread count when the job ends, however it ends.
class BlasThreads {
public:
    explicit BlasThreads(int threads) : previous_(blas::threads()) { blas::setThreads(threads); }
    ~BlasThreads() { blas::setThreads(previous_); }
    BlasThreads(const BlasThreads &) = delete;
    BlasThreads &operator=(const BlasThreads &) = delete;

private:
    int previous_;
};

} // namespace

std::string spectrumMethod(const SpectraOptions &options)
{
    return options.topK > 0 ? "top" + std::to_string(options.topK) : "exact";
}

std::vector<NamedMatrix> spectraMatrices(const ModelInventory &inventory, const std::string &match)
{
    const std::regex pattern = namePattern(match);
    std::vector<NamedMatrix> matrices;
    for (const Weight &w : inventory.weights)
        if (w.matrix && std::regex_search(w.name, pattern))
            matrices.push_back({w.name, *w.matrix});
    return matrices;
}

std::vector<SpectrumOutcome> computeSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory,
                                            const SpectraOptions &options, Workspace *workspace,
                                            const JobContext &job)
{
    const std::regex pattern = namePattern(options.match);
    std::set<std::string> shard;
    if (options.shard) {
        auto names = shardOf(spectraMatrices(inventory, options.match), *options.shard).matrices;
        shard.insert(std::make_move_iterator(names.begin()), std::make_move_iterator(names.end()));
    }
    const std::string method = spectrumMethod(options);
    std::vector<SpectrumOutcome> outcomes;
    std::vector<size_t> todo; // indices into outcomes/weights that need a spectrum
    std::vector<const Weight *> weights;
    for (size_t i = 0; i < inventory.weights.size(); ++i) {
        const Weight &w = inventory.weights[i];
        if (!std::regex_search(w.name, pattern) || (options.shard && !shard.contains(w.name)))
            continue;
        SpectrumOutcome out;
        out.name = w.name;
        out.shape = w.shape;
        if (!w.matrix)
            out.skipped = whySkipped(w, checkpoint.tensors()[i]);
        else
            todo.push_back(outcomes.size());
        outcomes.push_back(std::move(out));
        weights.push_back(&w);
    }
    // Largest first: the pool then finishes together rather than waiting on one big matrix.
    const auto cost = [&](size_t i) { return spectrumCost(*weights[i]->matrix); };
    std::stable_sort(todo.begin(), todo.end(), [&](size_t a, size_t b) { return cost(a) > cost(b); });

    const int cores = std::max(1, int(std::thread::hardware_concurrency()));
    const int workers = std::clamp(options.workers > 0 ? options.workers : cores, 1, std::max<int>(1, int(todo.size())));
    // Measured: two matrices on one BLAS thread each beat one matrix on two threads.
    const BlasThreads threads(std::max(1, cores / workers));

    const double totalCost =
        std::accumulate(todo.begin(), todo.end(), 0.0, [&](double sum, size_t i) { return sum + cost(i); });
    std::atomic<size_t> next{0};
    std::mutex lock; // guards the workspace, the progress counters and the first error
    long done = 0;
    double doneCost = 0;
    std::exception_ptr failure;
    const auto start = Clock::now();
    job.report(0, long(todo.size()), "starting");

    const auto work = [&] {
        for (size_t n; (n = next.fetch_add(1)) < todo.size();) {
            const size_t i = todo[n];
            try {
                job.checkCancelled();
                analyse(checkpoint, *weights[i], options, method, workspace, lock, outcomes[i], job);
            } catch (const FileError &e) { // a tensor the reader cannot convert: that tensor only
                outcomes[i].skipped = e.reason();
            } catch (...) {
                const std::lock_guard guard(lock);
                if (!failure)
                    failure = std::current_exception();
                next = todo.size(); // stop the other workers too
                return;
            }
            const std::lock_guard guard(lock);
            if (options.onOutcome)
                options.onOutcome(outcomes[i]);
            ++done;
            doneCost += cost(i);
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            const double left = doneCost > 0 ? elapsed * (totalCost - doneCost) / doneCost : -1;
            job.report(done, long(todo.size()), outcomes[i].name, left);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < workers; ++t)
        pool.emplace_back(work);
    work();
    for (auto &thread : pool)
        thread.join();
    if (failure)
        std::rethrow_exception(failure);
    return outcomes;
}

} // namespace sculpt
