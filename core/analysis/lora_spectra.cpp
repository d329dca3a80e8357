#include "analysis/lora_spectra.h"

#include "analysis/lapack.h"
#include "analysis/metrics.h"
#include "io/checkpoint.h"
#include "io/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace sculpt {
namespace {

// The k × cols upper-triangular R of a column-major rows × cols matrix's QR (k = min(rows,
// cols)), column-major: what is left of the matrix once its orthonormal Q is set aside.
std::vector<double> upperFactor(std::vector<double> a, int rows, int cols)
{
    const int k = std::min(rows, cols);
    std::vector<double> tau(size_t(k) + 1);
    int info = 0, lwork = -1;
    double query = 0;
    dgeqrf_(&rows, &cols, a.data(), &rows, tau.data(), &query, &lwork, &info);
    lwork = std::max(1, int(query));
    std::vector<double> work(static_cast<size_t>(lwork));
    dgeqrf_(&rows, &cols, a.data(), &rows, tau.data(), work.data(), &lwork, &info);
    if (info != 0)
        throw std::runtime_error("LAPACK dgeqrf failed (info " + std::to_string(info) + ")");
    std::vector<double> r(size_t(k) * size_t(cols), 0.0);
    for (int j = 0; j < cols; ++j)
        for (int i = 0; i <= std::min(j, k - 1); ++i)
            r[size_t(i) + size_t(j) * size_t(k)] = a[size_t(i) + size_t(j) * size_t(rows)];
    return r;
}

// Singular values of a column-major rows × cols matrix (destroyed), descending.
std::vector<double> singularValues(std::vector<double> a, int rows, int cols)
{
    std::vector<double> s(size_t(std::min(rows, cols)));
    std::vector<int> iwork(8 * s.size());
    int info = 0, lwork = -1, one = 1;
    double query = 0;
    dgesdd_("N", &rows, &cols, a.data(), &rows, s.data(), nullptr, &one, nullptr, &one, &query, &lwork, iwork.data(),
            &info);
    lwork = std::max(1, int(query));
    std::vector<double> work(static_cast<size_t>(lwork));
    dgesdd_("N", &rows, &cols, a.data(), &rows, s.data(), nullptr, &one, nullptr, &one, work.data(), &lwork,
            iwork.data(), &info);
    if (info != 0)
        throw std::runtime_error("LAPACK dgesdd did not converge (info " + std::to_string(info) + ")");
    return s;
}

// A factor of the file as float64, refused when it holds NaN or Inf.
std::vector<double> readFactor(const Checkpoint &file, const TensorInfo &info)
{
    const std::vector<float> values = file.toFloat32(info);
    file.release(info);
    if (!std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); }))
        throw FileError(file.path(), info.name + " holds NaN or infinite values");
    return {values.begin(), values.end()};
}

// With B = Q_B·R_B and Aᵀ = Q_A·R_A, ΔW = s·B·A = Q_B·(s·R_B·R_Aᵀ)·Q_Aᵀ: its singular values are
// those of the small middle factor, since Q_B and Q_A have orthonormal columns.
std::vector<double> deltaSingularValues(const std::vector<double> &a, const std::vector<double> &b, int r, int out,
                                        int in, double scale)
{
    std::vector<double> bColumns(b.size()); // B row-major [out, r] → column-major
    for (int i = 0; i < out; ++i)
        for (int j = 0; j < r; ++j)
            bColumns[size_t(i) + size_t(j) * size_t(out)] = b[size_t(i) * size_t(r) + size_t(j)];
    const std::vector<double> rB = upperFactor(std::move(bColumns), out, r);
    const std::vector<double> rA = upperFactor(a, in, r); // A row-major [r, in] is Aᵀ column-major
    int kB = std::min(out, r), kA = std::min(in, r);
    std::vector<double> middle(size_t(kB) * size_t(kA));
    const double zero = 0;
    dgemm_("N", "T", &kB, &kA, &r, &scale, rB.data(), &kB, rA.data(), &kA, &zero, middle.data(), &kB);
    return singularValues(std::move(middle), kB, kA);
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

} // namespace

LoraSpectra loraSpectra(const std::string &peftFolder, const Checkpoint &base, const JobContext &job)
{
    LoraSpectra result;
    result.config = readPeftConfig(peftFolder);
    if (result.config.peftType != "LORA")
        throw FileError((std::filesystem::path(peftFolder) / kPeftConfigFile).string(),
                        "peft_type is '" + result.config.peftType + "': only LORA adapters' updates have a spectrum here");
    const PeftTensors tensors = readPeftTensors(peftFolder, result.config, kLoraTensors);
    const Checkpoint &file = *tensors.file;
    std::vector<std::pair<size_t, LoraDelta>> found; // with the base weight's place in the checkpoint
    long done = 0;
    for (const auto &[module, factors] : tensors.modules) {
        job.checkCancelled();
        job.report(done++, long(tensors.modules.size()), module);
        const auto start = std::chrono::steady_clock::now();
        LoraDelta delta;
        delta.module = module;
        delta.baseTensor = module + ".weight";
        delta.rank = peftRank(result.config, module);
        delta.alpha = peftAlpha(result.config, module);
        const TensorInfo *weight = base.find(delta.baseTensor);
        if (!weight)
            throw FileError(file.path(), "unknown module '" + module + "': the base model " + base.path() +
                                             " has no tensor " + delta.baseTensor);
        if (weight->shape.size() != 2)
            throw FileError(file.path(), module + ": the base's " + delta.baseTensor + " " + shapeText(weight->shape) +
                                             " is not a matrix");
        // [out, in] as lora_B and lora_A say, unless only the transposed reading fits (Conv1D).
        int64_t out = weight->shape[0], in = weight->shape[1];
        const auto b = factors.find("lora_B.weight");
        if (b != factors.end() && b->second->shape.size() == 2 && b->second->shape[0] == in && b->second->shape[0] != out)
            std::swap(out, in);
        const TensorInfo &a = peftTensor(tensors, module, "lora_A.weight", {delta.rank, in}, "[r, in]");
        const TensorInfo &bInfo = peftTensor(tensors, module, "lora_B.weight", {out, delta.rank}, "[out, r]");
        const double scale = delta.alpha / double(delta.rank);
        TensorSpectrum &s = delta.spectrum;
        s.name = delta.baseTensor + " · ΔW (LoRA r " + std::to_string(delta.rank) + ", α " + numberText(delta.alpha) + ")";
        s.rows = weight->shape[0];
        s.cols = weight->shape[1];
        s.method = "exact";
        s.singularValues = deltaSingularValues(readFactor(file, a), readFactor(file, bInfo),
                                               int(delta.rank), int(out), int(in), scale);
        double frobeniusSquared = 0;
        for (const double v : s.singularValues)
            frobeniusSquared += v * v;
        s.metrics = computeMetrics(s.singularValues, s.rows, s.cols, frobeniusSquared, true);
        s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        found.emplace_back(size_t(weight - base.tensors().data()), std::move(delta));
    }
    std::sort(found.begin(), found.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
    for (auto &[place, delta] : found)
        result.deltas.push_back(std::move(delta));
    return result;
}

} // namespace sculpt
