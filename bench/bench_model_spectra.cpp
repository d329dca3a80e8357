// Exact spectra of a whole checkpoint: `sculpt-cli spectra FILE --csv` on a safetensors
// file with a LLaMA model's tensor names and shapes, fp16 weights drawn from N(0, 0.02).
// Measured: wall time and peak RSS of the child, then a second run that reuses the
// workspace. Baseline, measured in the same run: numpy's float32 SVD of one matrix per
// distinct shape, times the number of matrices of that shape — what numpy would take for
// the whole model. Targets (the issue, for 7B): < 15 min and < 2 GB peak RSS.
//
//   bench_model_spectra [--1b]   TinyLlama-1.1B shapes, 2.2 GB file (default)
//   bench_model_spectra --7b     LLaMA-2-7B shapes, 13.5 GB file (needs 20 GB free disk)
//   bench_model_spectra --tiny   2 small layers, for development

#include "bench_support.h"
#include "io/dtype.h"
#include "llama_checkpoint.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using bench::HalfNoise;
using bench::kLlama7b;
using bench::kTiny;
using bench::kTinyLlama;
using bench::kWeightScale;
using bench::ModelShape;
using bench::Tensor;

constexpr double kRssTargetMb = 2048;
constexpr double kTimeTargetSeconds = 15 * 60; // for 7B

using MatrixShape = std::pair<int64_t, int64_t>;

// How many 2-D tensors (the matrices the CLI analyses) have each shape.
std::map<MatrixShape, int> matrixShapes(const std::vector<Tensor> &tensors)
{
    std::map<MatrixShape, int> counts;
    for (const Tensor &t : tensors)
        if (t.shape.size() == 2)
            ++counts[{t.shape[0], t.shape[1]}];
    return counts;
}

// numpy's float32 SVD of one matrix of each distinct shape, filled like the model.
std::map<MatrixShape, double> numpyBaseline(bench::ScratchDir &scratch, const std::map<MatrixShape, int> &shapes)
{
    const std::string npy = scratch.file("matrix.npy");
    std::map<MatrixShape, double> seconds;
    uint64_t seed = 100;
    for (const auto &[shape, count] : shapes) {
        const auto [rows, cols] = shape;
        HalfNoise noise(seed++);
        std::vector<float> matrix(size_t(rows * cols));
        for (float &v : matrix)
            v = sculpt::halfToFloat(noise.next());
        bench::writeNpy(npy, matrix.data(), rows, cols);
        seconds[shape] = bench::numpySingularValues(scratch, npy, bench::Precision::Float32).seconds;
    }
    ::unlink(npy.c_str());
    return seconds;
}

struct CliRun {
    bench::ChildRun child;
    int spectra = 0; // CSV rows
    int reused = 0;  // of them, taken from the workspace
    std::map<MatrixShape, std::vector<double>> seconds; // the CLI's own time for each matrix
};

std::vector<std::string> split(const std::string &line)
{
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, ',');)
        fields.push_back(field);
    return fields;
}

// `sculpt-cli spectra` with its CSV kept, so the run can be checked (a timing of a run that
// skipped everything would mean nothing) and its per-matrix times compared with numpy's.
CliRun runSpectra(bench::ScratchDir &scratch, const std::string &model, const std::string &workspace)
{
    const std::string csv = scratch.file("spectra.csv"), log = scratch.file("spectra.err");
    CliRun run;
    run.child = bench::runChild({SCULPT_CLI_PATH, "spectra", model, "--workspace", workspace, "--csv"}, csv, log);
    std::istringstream lines(bench::readFile(csv));
    std::string line;
    std::getline(lines, line); // the header: name,rows,cols,…,seconds,reused
    while (std::getline(lines, line)) {
        const std::vector<std::string> f = split(line);
        if (f.size() < 5)
            throw std::runtime_error("unexpected CSV line from sculpt-cli: " + line);
        ++run.spectra;
        run.reused += f.back() == "1";
        run.seconds[{std::stoll(f[1]), std::stoll(f[2])}].push_back(std::stod(f[f.size() - 2]));
    }
    return run;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void printShapes(const std::map<MatrixShape, int> &shapes, const std::map<MatrixShape, double> &numpy,
                 const CliRun &first, double numpyTotal)
{
    std::printf("\nper shape: numpy.linalg.svd(a, compute_uv=False) in float32 on one matrix (2 BLAS threads);\n"
                "sculpt: median of the CLI's own per-matrix times (1 BLAS thread, 2 matrices at once)\n");
    std::printf("%-13s %6s %12s %12s %12s\n", "matrix", "count", "numpy each", "numpy all", "sculpt each");
    for (const auto &[shape, count] : shapes) {
        const auto found = first.seconds.find(shape);
        const double sculpt = found == first.seconds.end() ? 0 : median(found->second);
        std::printf("%-13s %6d %10.2f s %10.1f s %10.2f s\n",
                    (std::to_string(shape.first) + "x" + std::to_string(shape.second)).c_str(), count,
                    numpy.at(shape), numpy.at(shape) * count, sculpt);
    }
    std::printf("%-13s %6s %12s %10.1f s  (numpy's estimate for the whole model)\n", "total", "", "", numpyTotal);
}

void printRun(const char *label, const CliRun &run, double baseline)
{
    std::printf("%-28s %9.2f s  peak RSS %7.1f MB  %3d spectra (%d reused)  numpy/sculpt %6.1fx\n", label,
                run.child.seconds, run.child.peakMb, run.spectra, run.reused, baseline / run.child.seconds);
}

int run(const ModelShape &shape)
{
    bench::ScratchDir scratch;
    const double available = bench::freeGb(scratch.path());
    if (available < shape.minFreeGb) {
        std::fprintf(stderr, "bench_model_spectra: %s needs %.0f GB free in /tmp, there are %.1f GB\n", shape.name,
                     shape.minFreeGb, available);
        return 1;
    }
    const std::string startLoad = bench::loadAverage();
    const std::vector<Tensor> tensors = bench::llamaTensors(shape);
    const std::string model = scratch.file("model.safetensors"), workspace = scratch.file("workspace.h5");
    const auto start = std::chrono::steady_clock::now();
    const uint64_t bytes = bench::writeModel(model, tensors);
    std::printf("model: %s shapes, fp16 N(0, %.2f), %.3g GB, written in %.1f s\n", shape.name, kWeightScale,
                double(bytes) / 1e9, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::fflush(stdout);

    const std::map<MatrixShape, int> shapes = matrixShapes(tensors);
    const std::map<MatrixShape, double> numpy = numpyBaseline(scratch, shapes);
    double baseline = 0;
    int matrices = 0;
    for (const auto &[shape, count] : shapes) {
        baseline += numpy.at(shape) * count;
        matrices += count;
    }

    const CliRun first = runSpectra(scratch, model, workspace);
    const CliRun second = runSpectra(scratch, model, workspace);
    printShapes(shapes, numpy, first, baseline);
    std::printf("\nsculpt-cli spectra FILE --workspace W.h5 --csv (exact, %d matrices), baseline: numpy's estimate\n",
                matrices);
    printRun("first run", first, baseline);
    printRun("second run (workspace reuse)", second, baseline);

    const bool complete = first.spectra == matrices && second.reused == matrices;
    std::printf("\nall %d matrices analysed, all reused the second time: %s\n", matrices, complete ? "yes" : "NO");
    const bool fast = first.child.seconds < kTimeTargetSeconds;
    std::printf("targets (7B): < 15 min: %s   < 2 GB peak RSS: %s\n",
                &shape == &kLlama7b ? (fast ? "met" : "MISSED") : "(7B only)",
                first.child.peakMb < kRssTargetMb && second.child.peakMb < kRssTargetMb ? "met" : "MISSED");
    std::printf("%s at the start, %s at the end\n", startLoad.c_str(), bench::loadAverage().c_str());
    return complete ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    const ModelShape *shape = &kTinyLlama;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--tiny") == 0) {
            shape = &kTiny;
        } else if (std::strcmp(argv[i], "--1b") == 0) {
            shape = &kTinyLlama;
        } else if (std::strcmp(argv[i], "--7b") == 0) {
            shape = &kLlama7b;
        } else {
            std::fprintf(stderr, "usage: bench_model_spectra [--tiny | --1b | --7b]\n");
            return 2;
        }
    }
    try {
        return run(*shape);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_model_spectra: %s\n", e.what());
        return 1;
    }
}
