#pragma once
// What the spectra benchmarks share: a scratch folder that is removed even on Ctrl-C, a
// child process timed with its peak RSS, and numpy's SVD as the baseline they compare to.

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

// A private folder under /tmp. Its files (named through file()) are removed when it goes
// out of scope, and on SIGINT/SIGTERM/SIGHUP too — after killing the running child — since
// the model benchmark's file is gigabytes. One at a time.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir &) = delete;
    ScratchDir &operator=(const ScratchDir &) = delete;

    // The path of `name` inside the folder, removed with it.
    std::string file(const std::string &name);
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

struct ChildRun {
    double seconds;
    double peakMb; // the child's maximum resident set size
};

// Runs argv[0] (a path) with stdout and stderr sent to the given files; throws
// std::runtime_error, quoting the end of the stderr file, unless it exits with 0.
ChildRun runChild(const std::vector<std::string> &argv, const std::string &stdoutPath, const std::string &stderrPath);

std::string readFile(const std::string &path);

// "load average 1.02 (1 min)": the machine is shared, and other work skews every figure.
std::string loadAverage();

// An NPY v1 file of a row-major rows × cols float32 matrix, as numpy.save writes it.
void writeNpy(const std::string &path, const float *data, int64_t rows, int64_t cols);

struct NumpySvd {
    double seconds;              // inside numpy.linalg.svd only
    int blasThreads;             // OpenBLAS's thread count in the Python process (0: unknown)
    std::vector<double> values;  // descending
};

enum class Precision { Float32, Float64 };

// numpy.linalg.svd(a, compute_uv=False) of the matrix in `npyPath` through numpy_svd.py,
// in float32 as stored or converted to float64 first.
NumpySvd numpySingularValues(ScratchDir &scratch, const std::string &npyPath, Precision precision);

// Largest |σ − ref| / ref over the reference values ≥ 1e-3·σ_max: the part of a spectrum
// every metric depends on; below it float32 data carries little information.
double maxRelativeError(const std::vector<double> &values, const std::vector<double> &reference);

} // namespace bench
