#include "analysis/head_spectra.h"

#include "analysis/exact_spectrum.h"
#include "analysis/metrics.h"
#include "io/checkpoint.h"
#include "io/error.h"

#include <chrono>
#include <cmath>

namespace sculpt {
namespace {

// The slice of a row-major [out, in] weight as a row-major matrix: a run of rows, or of columns.
std::vector<float> sliceOf(const std::vector<float> &weight, int64_t in, const HeadSlice &slice)
{
    if (!slice.columns)
        return {weight.begin() + slice.first * in, weight.begin() + (slice.first + slice.count) * in};
    std::vector<float> out;
    out.reserve(weight.size() / size_t(in) * size_t(slice.count));
    for (auto row = weight.begin(); row != weight.end(); row += in)
        out.insert(out.end(), row + slice.first, row + slice.first + slice.count);
    return out;
}

TensorSpectrum spectrumOf(const std::string &path, const HeadSlice &slice, const std::vector<float> &weight,
                          const TensorInfo &info, const JobContext &job)
{
    const auto start = std::chrono::steady_clock::now();
    const int64_t extent = info.shape[slice.columns ? 1 : 0];
    if (slice.first < 0 || slice.count <= 0 || slice.first + slice.count > extent)
        throw FileError(path, slice.name + ": " + (slice.columns ? "columns " : "rows ") + std::to_string(slice.first) +
                                  "…" + std::to_string(slice.first + slice.count - 1) + " are outside " + info.name +
                                  " " + shapeText(info.shape));
    TensorSpectrum spectrum;
    spectrum.name = slice.name;
    spectrum.rows = slice.columns ? info.shape[0] : slice.count;
    spectrum.cols = slice.columns ? slice.count : info.shape[1];
    const std::vector<float> matrix = sliceOf(weight, info.shape[1], slice);
    double frobeniusSquared = 0;
    for (const float v : matrix) {
        if (!std::isfinite(v))
            throw FileError(path, slice.name + " holds non-finite entries (NaN or Inf)");
        frobeniusSquared += double(v) * double(v);
    }
    spectrum.method = "exact";
    spectrum.singularValues = exactSingularValues(matrix.data(), spectrum.rows, spectrum.cols, job);
    spectrum.metrics = computeMetrics(spectrum.singularValues, spectrum.rows, spectrum.cols, frobeniusSquared, true);
    spectrum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return spectrum;
}

} // namespace

std::vector<TensorSpectrum> headSpectra(const Checkpoint &checkpoint, const std::vector<HeadSlice> &slices,
                                        const JobContext &job)
{
    std::vector<TensorSpectrum> spectra;
    const TensorInfo *read = nullptr; // a fused projection's three slices share one read
    std::vector<float> weight;
    for (const HeadSlice &slice : slices) {
        job.checkCancelled();
        job.report(long(spectra.size()), long(slices.size()), slice.name);
        const TensorInfo &info = checkpoint.at(slice.tensor);
        if (info.shape.size() != 2)
            throw FileError(checkpoint.path(), info.name + " " + shapeText(info.shape) + " is not a matrix");
        if (&info != read) {
            weight = checkpoint.toFloat32(info);
            checkpoint.release(info);
            read = &info;
        }
        spectra.push_back(spectrumOf(checkpoint.path(), slice, weight, info, job));
    }
    return spectra;
}

} // namespace sculpt
