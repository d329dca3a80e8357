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

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/statvfs.h>
#include <unistd.h>
#include <vector>

namespace {

struct ModelShape {
    const char *name;
    int64_t dim, hidden, layers, kvDim, vocab;
    double minFreeGb; // the file plus room for the workspace and everything else on the disk
};

constexpr ModelShape kTiny{"tiny LLaMA", 256, 688, 2, 128, 1000, 1};
constexpr ModelShape kTinyLlama{"TinyLlama-1.1B", 2048, 5632, 22, 256, 32000, 5};
constexpr ModelShape kLlama7b{"LLaMA-2-7B", 4096, 11008, 32, 4096, 32000, 20};

constexpr double kRssTargetMb = 2048;
constexpr double kTimeTargetSeconds = 15 * 60; // for 7B
constexpr float kWeightScale = 0.02f;          // the usual std of LLaMA's initialisation

struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
};

// Hugging Face LLaMA names and [out, in] shapes, in the order of the model's modules.
std::vector<Tensor> llamaTensors(const ModelShape &s)
{
    std::vector<Tensor> tensors{{"model.embed_tokens.weight", {s.vocab, s.dim}}};
    for (int64_t l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        tensors.push_back({p + "self_attn.q_proj.weight", {s.dim, s.dim}});
        tensors.push_back({p + "self_attn.k_proj.weight", {s.kvDim, s.dim}});
        tensors.push_back({p + "self_attn.v_proj.weight", {s.kvDim, s.dim}});
        tensors.push_back({p + "self_attn.o_proj.weight", {s.dim, s.dim}});
        tensors.push_back({p + "mlp.gate_proj.weight", {s.hidden, s.dim}});
        tensors.push_back({p + "mlp.up_proj.weight", {s.hidden, s.dim}});
        tensors.push_back({p + "mlp.down_proj.weight", {s.dim, s.hidden}});
        tensors.push_back({p + "input_layernorm.weight", {s.dim}});
        tensors.push_back({p + "post_attention_layernorm.weight", {s.dim}});
    }
    tensors.push_back({"model.norm.weight", {s.dim}});
    tensors.push_back({"lm_head.weight", {s.vocab, s.dim}});
    return tensors;
}

int64_t elements(const Tensor &t)
{
    int64_t n = 1;
    for (int64_t d : t.shape)
        n *= d;
    return n;
}

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

// fp16 draws from N(0, kWeightScale).
class HalfNoise {
public:
    explicit HalfNoise(uint64_t seed) : rng_(seed), normal_(0.0f, kWeightScale) {}
    uint16_t next() { return sculpt::floatToHalf(normal_(rng_)); }

private:
    std::mt19937_64 rng_;
    std::normal_distribution<float> normal_;
};

// The safetensors header (8-byte length, JSON padded with spaces to 8) for `tensors` in F16;
// returns the header bytes and sets `dataBytes`.
std::string safetensorsHeader(const std::vector<Tensor> &tensors, uint64_t &dataBytes)
{
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t offset = 0;
    for (const Tensor &t : tensors) {
        const uint64_t bytes = 2 * static_cast<uint64_t>(elements(t));
        header[t.name] = {{"dtype", "F16"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t length = text.size();
    dataBytes = offset;
    return std::string(reinterpret_cast<const char *>(&length), 8) + text;
}

struct FileDescriptor {
    int fd;
    ~FileDescriptor()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

void writeAll(int fd, const void *data, size_t bytes, uint64_t offset, const std::string &path)
{
    for (size_t done = 0; done < bytes;) {
        const ssize_t n = ::pwrite(fd, static_cast<const char *>(data) + done, bytes - done, off_t(offset + done));
        if (n <= 0)
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        done += size_t(n);
    }
}

// Sparse first (header, then the full length), then the data filled in place in chunks, so
// the memory used stays at one chunk; synced so write-back does not run during the timing.
uint64_t writeModel(const std::string &path, const std::vector<Tensor> &tensors)
{
    uint64_t dataBytes = 0;
    const std::string header = safetensorsHeader(tensors, dataBytes);
    const uint64_t total = header.size() + dataBytes;
    const FileDescriptor file{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)};
    const int fd = file.fd;
    if (fd < 0 || ::ftruncate(fd, off_t(total)) != 0)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    writeAll(fd, header.data(), header.size(), 0, path);
    HalfNoise noise(7);
    std::vector<uint16_t> chunk(size_t(8) << 20);
    for (uint64_t offset = header.size(); offset < total;) {
        const size_t count = size_t(std::min<uint64_t>(chunk.size(), (total - offset) / 2));
        for (size_t i = 0; i < count; ++i)
            chunk[i] = noise.next();
        writeAll(fd, chunk.data(), count * 2, offset, path);
        offset += count * 2;
    }
    if (::fsync(fd) != 0)
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    return total;
}

double freeGb(const std::string &folder)
{
    struct statvfs fs {};
    if (::statvfs(folder.c_str(), &fs) != 0)
        throw std::runtime_error("statvfs " + folder + ": " + std::strerror(errno));
    return double(fs.f_bavail) * double(fs.f_frsize) / 1e9;
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
    const double available = freeGb(scratch.path());
    if (available < shape.minFreeGb) {
        std::fprintf(stderr, "bench_model_spectra: %s needs %.0f GB free in /tmp, there are %.1f GB\n", shape.name,
                     shape.minFreeGb, available);
        return 1;
    }
    const std::string startLoad = bench::loadAverage();
    const std::vector<Tensor> tensors = llamaTensors(shape);
    const std::string model = scratch.file("model.safetensors"), workspace = scratch.file("workspace.h5");
    const auto start = std::chrono::steady_clock::now();
    const uint64_t bytes = writeModel(model, tensors);
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
