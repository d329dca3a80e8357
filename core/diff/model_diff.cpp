#include "diff/model_diff.h"

#include "analysis/content_hash.h"
#include "analysis/exact_spectrum.h"
#include "analysis/randomized_svd.h"
#include "io/checkpoint.h"
#include "io/dtype.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

namespace sculpt {
namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr const char *kFactorA = ".weight_a";
constexpr const char *kFactorB = ".weight_b";

// A tensor as the diff sees it: a stored weight, or a factorized export's two factors.
struct Entry {
    DiffSide side;
    const Weight *weight = nullptr;   // the stored one, or factor A
    const Weight *factorB = nullptr;  // set for a factorized pair
    std::optional<MatrixShape> matrix;
    bool tiedAlias = false; // another tensor's storage under a second name (a tied classifier)
    int64_t interleavedHead = 0; // llama2.c's q or k: the head size its rotary pairs interleave in
};

// llama2.c rotates dimension pairs (2i, 2i+1) where Hugging Face's conversion rotates
// (i, i + d/2), permuting q's and k's rows to match: read in HF's order, a llama2.c file and
// its conversion compare as the same weights (the runtime reorders them alike).
int64_t interleavedHeadSize(const Checkpoint &checkpoint, const Weight &w)
{
    const auto &meta = checkpoint.metadata();
    const auto layout = meta.find("rope_layout"), dim = meta.find("dim"), heads = meta.find("n_heads");
    if (layout == meta.end() || layout->second != "interleaved" || dim == meta.end() || heads == meta.end() ||
        (w.role != Role::Q && w.role != Role::K) || !w.matrix)
        return 0;
    const int64_t headSize = std::stoll(dim->second) / std::max<int64_t>(1, std::stoll(heads->second));
    return headSize >= 2 && headSize % 2 == 0 && w.matrix->rows % headSize == 0 ? headSize : 0;
}

void toHalfSplitRows(std::vector<float> &values, int64_t rows, int64_t cols, int64_t headSize)
{
    std::vector<float> out(values.size());
    for (int64_t row = 0; row < rows; ++row) {
        const int64_t head = row / headSize, p = row % headSize, half = headSize / 2;
        const int64_t from = head * headSize + (p < half ? 2 * p : 2 * (p - half) + 1);
        std::copy_n(values.begin() + from * cols, cols, out.begin() + row * cols);
    }
    values = std::move(out);
}

std::vector<Entry> entriesOf(const Checkpoint &checkpoint, const ModelInventory &inventory)
{
    std::map<std::string, const Weight *> byName;
    for (const Weight &w : inventory.weights)
        byName[w.name] = &w;
    std::vector<Entry> entries;
    for (const Weight &w : inventory.weights) {
        if (w.name.ends_with(kFactorA) || w.name.ends_with(kFactorB)) {
            const std::string stem = w.name.substr(0, w.name.size() - std::string(kFactorA).size());
            const auto a = byName.find(stem + kFactorA), b = byName.find(stem + kFactorB);
            if (a != byName.end() && b != byName.end() && a->second->shape.size() == 2 && b->second->shape.size() == 2 &&
                a->second->shape[1] == b->second->shape[0]) {
                if (&w == a->second) // the pair enters once, where its A stands
                    entries.push_back({{stem + ".weight", {a->second->shape[0], b->second->shape[1]}, true},
                                       a->second,
                                       b->second,
                                       MatrixShape{a->second->shape[0], b->second->shape[1]}});
                continue;
            }
        }
        const TensorInfo *stored = checkpoint.find(w.name);
        entries.push_back({{w.name, w.shape, false}, &w, nullptr, w.matrix, stored && !stored->tiedTo.empty(),
                           interleavedHeadSize(checkpoint, w)});
    }
    return entries;
}

// The entry's values, row-major in the shape its side records.
std::vector<float> readEntry(const Checkpoint &checkpoint, const Entry &entry)
{
    if (entry.factorB) {
        const std::vector<float> a = readMatrix(checkpoint, *entry.weight), b = readMatrix(checkpoint, *entry.factorB);
        const Eigen::Index rows = entry.weight->shape[0], rank = entry.weight->shape[1], cols = entry.factorB->shape[1];
        std::vector<float> product(size_t(rows * cols));
        Eigen::Map<RowMatrixF>(product.data(), rows, cols) =
            Eigen::Map<const RowMatrixF>(a.data(), rows, rank) * Eigen::Map<const RowMatrixF>(b.data(), rank, cols);
        return product;
    }
    if (!entry.matrix)
        return checkpoint.toFloat32(checkpoint.at(entry.weight->name));
    std::vector<float> values = readMatrix(checkpoint, *entry.weight);
    if (entry.interleavedHead > 0)
        toHalfSplitRows(values, entry.matrix->rows, entry.matrix->cols, entry.interleavedHead);
    return values;
}

// Lets an entry's pages go, hashing each tensor first when `hashes` asks for it.
void release(const Checkpoint &checkpoint, const Entry &entry, std::map<std::string, std::string> *hashes)
{
    for (const Weight *w : {entry.weight, entry.factorB}) {
        if (!w)
            continue;
        const TensorInfo &t = checkpoint.at(w->name);
        if (hashes)
            (*hashes)[t.name] = contentHash(checkpoint.bytes(t));
        checkpoint.release(t);
    }
}

// An orthonormal basis of the leading k left singular vectors of `w`: exact for a small matrix,
// else by randomized subspace iteration (Halko et al. 2011, 4.4) with a few power steps, ample
// for a mean of cos² that is compared between pairs, not read to many digits.
template <typename Matrix> Eigen::MatrixXd leftSubspace(const Matrix &w, int k)
{
    if (std::min(w.rows(), w.cols()) <= 512) {
        const Eigen::BDCSVD<Eigen::MatrixXd> svd(w.template cast<double>(), Eigen::ComputeThinU);
        return svd.matrixU().leftCols(k);
    }
    const Eigen::Index width = std::min<Eigen::Index>(k + 10, std::min(w.rows(), w.cols()));
    std::mt19937_64 random(0);
    std::normal_distribution<float> normal;
    Eigen::MatrixXf probes(w.cols(), width);
    for (Eigen::Index i = 0; i < probes.size(); ++i)
        probes.data()[i] = normal(random);
    const auto orthonormal = [](const Eigen::MatrixXf &y) {
        return Eigen::MatrixXf(Eigen::HouseholderQR<Eigen::MatrixXf>(y).householderQ() *
                               Eigen::MatrixXf::Identity(y.rows(), y.cols()));
    };
    Eigen::MatrixXf q = orthonormal(w * probes);
    for (int step = 0; step < 3; ++step)
        q = orthonormal(w * orthonormal(w.transpose() * q));
    const Eigen::MatrixXd small = (q.transpose() * w).template cast<double>();
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(small, Eigen::ComputeThinU);
    return q.cast<double>() * svd.matrixU().leftCols(k);
}

// The leading k singular vectors on the matrix's longer side: on the shorter one, k vectors of
// a [10, 64] classifier would span all of R¹⁰ and any two such matrices would overlap fully.
Eigen::MatrixXd longerSideSubspace(const float *values, Eigen::Index rows, Eigen::Index cols, int k)
{
    if (rows >= cols)
        return leftSubspace(Eigen::Map<const RowMatrixF>(values, rows, cols), k);
    // The row-major [rows, cols] values read column-major are the transpose, [cols, rows].
    return leftSubspace(Eigen::Map<const Eigen::MatrixXf>(values, cols, rows), k);
}

// The distances' running sums, in float64 whatever the stored type.
struct Sums {
    double aa = 0, bb = 0, ab = 0, dd = 0, maxAbs = 0;

    void add(const float *a, const float *b, int64_t n, float *difference = nullptr)
    {
        for (int64_t i = 0; i < n; ++i) {
            const double x = a[i], y = b[i], d = x - y;
            aa += x * x;
            bb += y * y;
            ab += x * y;
            dd += d * d;
            maxAbs = std::max(maxAbs, std::abs(d));
            if (difference)
                difference[i] = float(d);
        }
    }

    void into(TensorDiff &pair) const
    {
        pair.normA = std::sqrt(aa);
        pair.normB = std::sqrt(bb);
        pair.relativeDistance = aa > 0 ? std::sqrt(dd / aa) : std::sqrt(dd);
        pair.cosine = aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : (aa == 0 && bb == 0 ? 1.0 : 0.0);
        pair.maxAbsDifference = maxAbs;
    }
};

// A stored tensor whose elements can be read in file order, a stretch at a time.
const TensorInfo *streamableTensor(const Checkpoint &checkpoint, const Entry &entry)
{
    if (entry.factorB || entry.interleavedHead > 0)
        return nullptr;
    const TensorInfo &t = checkpoint.at(entry.weight->name);
    const DTypeInfo &type = dtypeInfo(t.dtype);
    return t.contiguous() && type.toFloat32 && type.blockElements == 1 ? &t : nullptr;
}

// The distances alone, converting a stretch of each side at a time: no pair is ever held
// whole, so a diff without spectra needs a few hundred kilobytes whatever the model, and no
// fresh buffer is faulted in per pair. Both sides' elements must line up as stored.
void streamDistances(TensorDiff &pair, const Checkpoint &a, const TensorInfo &ta, const Checkpoint &b,
                     const TensorInfo &tb, const JobContext &job)
{
    constexpr uint64_t kStretch = 1 << 15;
    std::vector<float> x(kStretch), y(kStretch);
    const std::byte *da = a.bytes(ta).data(), *db = b.bytes(tb).data();
    const uint64_t sizeA = dtypeInfo(ta.dtype).blockBytes, sizeB = dtypeInfo(tb.dtype).blockBytes;
    Sums sums;
    for (uint64_t at = 0, n = ta.elements(); at < n; at += kStretch) {
        const uint64_t count = std::min(kStretch, n - at);
        convertToFloat32(ta.dtype, da + at * sizeA, count, x.data());
        convertToFloat32(tb.dtype, db + at * sizeB, count, y.data());
        sums.add(x.data(), y.data(), int64_t(count));
        if ((at / kStretch) % 256 == 255)
            job.checkCancelled();
    }
    sums.into(pair);
}

} // namespace

void measurePair(TensorDiff &pair, const float *a, const float *b, const DiffOptions &options, const JobContext &job)
{
    int64_t size = 1;
    for (int64_t d : pair.a.shape)
        size *= d;
    const bool spectra = pair.matrix && options.spectra;
    std::vector<float> difference(spectra ? size_t(size) : 0); // kept for a matrix's spectrum only
    Sums sums;
    sums.add(a, b, size, spectra ? difference.data() : nullptr);
    sums.into(pair);
    if (!spectra)
        return;
    const double dd = sums.dd;
    const int64_t rows = pair.matrix->rows, cols = pair.matrix->cols;
    const auto spectrum = [&](const float *values) {
        return options.topK > 0 ? randomizedSingularValues(values, rows, cols, options.topK, {}, job).values
                                : exactSingularValues(values, rows, cols, job);
    };
    pair.differenceSpectrum = spectrum(difference.data());
    pair.spectrumA = spectrum(a);
    pair.spectrumB = spectrum(b);
    const double top = pair.differenceSpectrum.empty() ? 0 : pair.differenceSpectrum.front();
    pair.stableRank = top > 0 ? dd / (top * top) : 0;
    difference = {};
    job.checkCancelled();
    // Past the rank there is nothing to compare, and k vectors spanning the whole longer side
    // (a square matrix asked for all of them) would agree whatever A and B are.
    pair.subspaceK = int(std::min<int64_t>(options.subspaceK, std::min(rows, cols)));
    if (pair.subspaceK < 1 || pair.subspaceK == std::max(rows, cols)) {
        pair.subspaceK = 0;
        return;
    }
    const Eigen::MatrixXd ua = longerSideSubspace(a, rows, cols, pair.subspaceK),
                          ub = longerSideSubspace(b, rows, cols, pair.subspaceK);
    pair.subspaceOverlap = (ua.transpose() * ub).squaredNorm() / pair.subspaceK;
}

namespace {

// Both sides' tensors, read once per side for the pairing and for the reading.
struct Sides {
    ModelInventory inventoryA, inventoryB; // the entries point into these
    std::vector<Entry> entriesA, entriesB;

    Sides(const Checkpoint &a, const Checkpoint &b)
        : inventoryA(buildInventory(a)), inventoryB(buildInventory(b)), entriesA(entriesOf(a, inventoryA)),
          entriesB(entriesOf(b, inventoryB))
    {
    }
    Sides(const Sides &) = delete;
};

ModelDiff pairUp(const Sides &sides)
{
    const ModelInventory &inventoryA = sides.inventoryA, &inventoryB = sides.inventoryB;
    const std::vector<Entry> &entriesA = sides.entriesA, &entriesB = sides.entriesB;
    if (inventoryA.architecture != inventoryB.architecture && inventoryA.architecture != Architecture::Generic &&
        inventoryB.architecture != Architecture::Generic)
        throw std::invalid_argument("different families: " + std::string(architectureName(inventoryA.architecture)) +
                                    " and " + std::string(architectureName(inventoryB.architecture)));
    ModelDiff plan;
    plan.architecture = inventoryA.architecture;
    std::map<std::string, const Entry *> inB;
    for (const Entry &e : entriesB)
        inB[e.side.name] = &e;
    std::map<std::string, bool> paired;
    for (const Entry &e : entriesA) {
        const auto other = inB.find(e.side.name);
        if (other == inB.end()) {
            if (!e.tiedAlias) // what it aliases is compared; a file that ties otherwise lacks only the name
                plan.onlyInA.push_back({e.side, {}});
            continue;
        }
        paired[e.side.name] = true;
        if (other->second->side.shape != e.side.shape) {
            plan.reshaped.push_back({e.side, other->second->side});
            continue;
        }
        TensorDiff pair;
        pair.a = e.side;
        pair.b = other->second->side;
        const Weight &known = e.factorB ? *other->second->weight : *e.weight; // a factor's role is its stem's
        pair.block = known.block;
        pair.role = known.role;
        pair.matrix = e.matrix && other->second->matrix ? e.matrix : std::nullopt;
        plan.tensors.push_back(std::move(pair));
    }
    for (const Entry &e : entriesB)
        if (!paired.contains(e.side.name) && !e.tiedAlias)
            plan.onlyInB.push_back({{}, e.side});
    if (plan.tensors.empty())
        throw std::invalid_argument("no tensor of the same name and shape in both checkpoints (" +
                                    std::to_string(plan.reshaped.size()) + " with another shape)");
    return plan;
}

} // namespace

ModelDiff planDiff(const Checkpoint &a, const Checkpoint &b) { return pairUp(Sides(a, b)); }

ModelDiff diffModels(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options, const JobContext &job,
                     const std::function<void(const TensorDiff &)> &onTensor, ReadHashes *hashes)
{
    std::map<std::string, std::string> *hashesA = hashes ? &hashes->a : nullptr, *hashesB = hashes ? &hashes->b : nullptr;
    const Sides sides(a, b);
    ModelDiff diff = pairUp(sides);
    std::map<std::string, const Entry *> entriesA, entriesB;
    for (const Entry &e : sides.entriesA)
        entriesA[e.side.name] = &e;
    for (const Entry &e : sides.entriesB)
        entriesB[e.side.name] = &e;
    const long total = long(diff.tensors.size());
    for (long i = 0; i < total; ++i) {
        TensorDiff &pair = diff.tensors[size_t(i)];
        job.checkCancelled();
        job.report(i, total, pair.a.name);
        const Entry &ea = *entriesA.at(pair.a.name), &eb = *entriesB.at(pair.b.name);
        const TensorInfo *sa = streamableTensor(a, ea), *sb = streamableTensor(b, eb);
        if ((!options.spectra || !pair.matrix) && sa && sb && ea.weight->transposed == eb.weight->transposed) {
            streamDistances(pair, a, *sa, b, *sb, job);
            release(a, ea, hashesA);
            release(b, eb, hashesB);
        } else {
            const std::vector<float> valuesA = readEntry(a, ea), valuesB = readEntry(b, eb);
            release(a, ea, hashesA);
            release(b, eb, hashesB);
            measurePair(pair, valuesA.data(), valuesB.data(), options, job);
        }
        if (onTensor)
            onTensor(pair);
    }
    job.report(total, total);
    return diff;
}

} // namespace sculpt
