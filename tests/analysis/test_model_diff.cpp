// Two checkpoints compared tensor by tensor (core/diff): on constructed pairs whose answer is
// known — a low-rank change shows its rank, a factorized export is compared as its product,
// GPT-2's Conv1D is read as [out, in] on both sides, a model and its slight perturbation share
// their leading subspaces where two independent models do not — and what cannot be compared
// is listed or refused in one line.

#include "tensor_files.h"

#include "analysis/content_hash.h"
#include "diff/model_diff.h"
#include "io/formats.h"
#include "job/job.h"
#include "session/weights_hash.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <random>

using namespace sculpt;
using namespace sculpt::test;

namespace {

using Values = std::vector<float>;

Values gaussian(size_t n, uint64_t seed, float scale = 1)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<float> normal(0, scale);
    Values v(n);
    for (float &x : v)
        x = normal(random);
    return v;
}

// Row-major [rows, k] · [k, cols].
Values product(const Values &a, const Values &b, int64_t rows, int64_t k, int64_t cols)
{
    Values out(size_t(rows * cols), 0);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < k; ++i)
            for (int64_t c = 0; c < cols; ++c)
                out[size_t(r * cols + c)] += a[size_t(r * k + i)] * b[size_t(i * cols + c)];
    return out;
}

Values transposed(const Values &v, int64_t rows, int64_t cols)
{
    Values out(v.size());
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            out[size_t(c * rows + r)] = v[size_t(r * cols + c)];
    return out;
}

Tensor f32(const std::string &name, std::vector<int64_t> shape, const Values &values)
{
    QByteArray bytes(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
    return {name, DType::F32, std::move(shape), bytes};
}

// A matrix with singular values `sigma` (then zeros) along random orthonormal directions.
Values withSpectrum(int64_t rows, int64_t cols, const std::vector<float> &sigma, uint64_t seed)
{
    const int64_t k = int64_t(sigma.size());
    Values u = gaussian(size_t(rows * k), seed), v = gaussian(size_t(k * cols), seed + 1);
    // Gram–Schmidt on u's columns and v's rows, so sigma is exactly the spectrum.
    const auto orthonormalize = [](Values &m, int64_t n, int64_t count, bool columns) {
        const auto at = [&](int64_t vec, int64_t i) -> float & {
            return columns ? m[size_t(i * count + vec)] : m[size_t(vec * n + i)];
        };
        for (int64_t j = 0; j < count; ++j) {
            for (int64_t p = 0; p < j; ++p) {
                double dot = 0;
                for (int64_t i = 0; i < n; ++i)
                    dot += at(j, i) * at(p, i);
                for (int64_t i = 0; i < n; ++i)
                    at(j, i) -= float(dot) * at(p, i);
            }
            double norm = 0;
            for (int64_t i = 0; i < n; ++i)
                norm += at(j, i) * at(j, i);
            for (int64_t i = 0; i < n; ++i)
                at(j, i) /= float(std::sqrt(norm));
        }
    };
    orthonormalize(u, rows, k, true);
    orthonormalize(v, cols, k, false);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < k; ++i)
            u[size_t(r * k + i)] *= sigma[size_t(i)];
    return product(u, v, rows, k, cols);
}

struct Direct {
    double relative, cosine, maxAbs;
};

Direct direct(const Values &a, const Values &b)
{
    double aa = 0, bb = 0, ab = 0, dd = 0, maxAbs = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
        ab += double(a[i]) * b[i];
        dd += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        maxAbs = std::max(maxAbs, std::abs(double(a[i]) - b[i]));
    }
    return {std::sqrt(dd / aa), ab / std::sqrt(aa * bb), maxAbs};
}

const TensorDiff &pairNamed(const ModelDiff &diff, const std::string &name)
{
    for (const TensorDiff &t : diff.tensors)
        if (t.a.name == name)
            return t;
    throw std::logic_error("no pair " + name);
}

const std::string kQ = "model.layers.0.self_attn.q_proj.weight";
const std::string kK = "model.layers.0.self_attn.k_proj.weight";
const std::string kNorm = "model.layers.0.input_layernorm.weight";

} // namespace

class TestModelDiff : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::unique_ptr<Checkpoint> write(const QString &name, const std::vector<Tensor> &tensors)
    {
        writeTensors(dir_.filePath(name), tensors);
        return openCheckpoint(dir_.filePath(name).toStdString());
    }

private Q_SLOTS:
    // A fine-tune's ΔW of rank 3: three non-zero singular values, a stable rank of at most 3,
    // and distances that equal the ones computed directly.
    void lowRankChangeShowsItsRank()
    {
        const int64_t rows = 64, cols = 48;
        const Values base = gaussian(size_t(rows * cols), 1, 0.1f);
        const Values delta = product(gaussian(size_t(rows * 3), 2, 0.05f), gaussian(size_t(3 * cols), 3), rows, 3, cols);
        Values tuned = base;
        for (size_t i = 0; i < tuned.size(); ++i)
            tuned[i] += delta[i];
        const Values norm = gaussian(size_t(cols), 4), normTuned = gaussian(size_t(cols), 5);
        const auto a = write("base.safetensors", {f32(kQ, {rows, cols}, base), f32(kNorm, {cols}, norm)});
        const auto b = write("tuned.safetensors", {f32(kQ, {rows, cols}, tuned), f32(kNorm, {cols}, normTuned)});

        std::vector<std::string> seen;
        const ModelDiff diff = diffModels(*a, *b, {}, {}, [&](const TensorDiff &t) { seen.push_back(t.a.name); });
        std::vector<std::string> inOrderOfA; // each pair as it is done, in A's order
        for (const TensorInfo &t : a->tensors())
            inOrderOfA.push_back(t.name);
        QCOMPARE(seen, inOrderOfA);
        const TensorDiff &q = pairNamed(diff, kQ);
        QVERIFY(q.matrix && q.matrix->rows == rows && q.matrix->cols == cols);
        QCOMPARE(q.block, 0);
        QCOMPARE(q.role, Role::Q);
        QCOMPARE(q.differenceSpectrum.size(), size_t(cols));
        QVERIFY(q.differenceSpectrum[2] > 1e-3 * q.differenceSpectrum[0]);
        QVERIFY2(q.differenceSpectrum[3] < 1e-4 * q.differenceSpectrum[0], qPrintable(QString::number(q.differenceSpectrum[3])));
        QVERIFY(q.stableRank >= 1 && q.stableRank <= 3 + 1e-4);
        const Direct expected = direct(base, tuned);
        QVERIFY(std::abs(q.relativeDistance - expected.relative) < 1e-6 * expected.relative);
        QVERIFY(std::abs(q.cosine - expected.cosine) < 1e-9);
        QCOMPARE(float(q.maxAbsDifference), float(expected.maxAbs));

        const TensorDiff &n = pairNamed(diff, kNorm); // a vector: distances, no spectrum
        QVERIFY(!n.matrix && n.differenceSpectrum.empty());
        QVERIFY(std::abs(n.relativeDistance - direct(norm, normTuned).relative) < 1e-9);

        const TensorDiff &quick = pairNamed(diffModels(*a, *b, {.spectra = false}), kQ); // the same distances, no spectrum
        QVERIFY(quick.differenceSpectrum.empty() && quick.subspaceK == 0);
        QCOMPARE(quick.relativeDistance, q.relativeDistance);

        const ModelDiff top = diffModels(*a, *b, {.topK = 4}); // a top-k spectrum agrees with the exact one
        const TensorDiff &qTop = pairNamed(top, kQ);
        QCOMPARE(qTop.differenceSpectrum.size(), size_t(4));
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::abs(qTop.differenceSpectrum[size_t(i)] - q.differenceSpectrum[size_t(i)]) <
                    1e-4 * q.differenceSpectrum[0]);
    }

    // A factorized export is compared as A·B, under the name of the weight it replaced.
    void factorizedExportIsItsProduct()
    {
        const int64_t rows = 40, cols = 56, rank = 6;
        const Values w = gaussian(size_t(rows * cols), 7), fa = gaussian(size_t(rows * rank), 8), fb = gaussian(size_t(rank * cols), 9);
        const auto a = write("dense.safetensors", {f32(kQ, {rows, cols}, w)});
        const std::string stem = kQ.substr(0, kQ.size() - std::string(".weight").size());
        const auto b = write("factorized.safetensors", {f32(stem + ".weight_a", {rows, rank}, fa),
                                                        f32(stem + ".weight_b", {rank, cols}, fb)});
        const ModelDiff diff = diffModels(*a, *b, {});
        QCOMPARE(diff.tensors.size(), size_t(1));
        QVERIFY(diff.onlyInA.empty() && diff.onlyInB.empty() && diff.reshaped.empty());
        const TensorDiff &q = diff.tensors[0];
        QVERIFY(q.b.factorized && !q.a.factorized);
        QCOMPARE(q.b.shape, (std::vector<int64_t>{rows, cols}));
        QCOMPARE(q.role, Role::Q);
        const Direct expected = direct(w, product(fa, fb, rows, rank, cols));
        QVERIFY(std::abs(q.relativeDistance - expected.relative) < 1e-6 * expected.relative);
        QVERIFY(std::abs(q.cosine - expected.cosine) < 1e-6);
    }

    // GPT-2 stores its projections [in, out]; a factorized export writes [out, in] factors.
    // Read as [out, in] on both sides, the two are the same weight.
    void gpt2Conv1dMeetsItsFactors()
    {
        const int64_t out = 48, in = 16, rank = 4;
        const Values fa = gaussian(size_t(out * rank), 10), fb = gaussian(size_t(rank * in), 11);
        const Values w = product(fa, fb, out, rank, in); // [out, in]
        const std::string name = "h.0.attn.c_attn.weight";
        const auto a = write("gpt2.safetensors", {f32("wte.weight", {32, in}, gaussian(size_t(32 * in), 12)),
                                                  f32(name, {in, out}, transposed(w, out, in))});
        const auto b = write("gpt2-factorized.safetensors", {f32("wte.weight", {32, in}, gaussian(size_t(32 * in), 12)),
                                                             f32("h.0.attn.c_attn.weight_a", {out, rank}, fa),
                                                             f32("h.0.attn.c_attn.weight_b", {rank, in}, fb)});
        const ModelDiff diff = diffModels(*a, *b, {});
        QCOMPARE(diff.architecture, Architecture::Gpt2);
        const TensorDiff &c = pairNamed(diff, name);
        QVERIFY(c.matrix && c.matrix->rows == out && c.matrix->cols == in);
        QVERIFY2(c.relativeDistance < 1e-6, qPrintable(QString::number(c.relativeDistance)));
        QVERIFY(c.subspaceOverlap > 0.999);
    }

    // What a diff reads it hashes as it lets it go, both factors of a factorized pair too: the
    // weights hash made from those plus the unread rest is the one a separate pass makes.
    void readTensorsAreHashedOnce()
    {
        const int64_t out = 24, in = 16, rank = 4;
        const Values fa = gaussian(size_t(out * rank), 50), fb = gaussian(size_t(rank * in), 51);
        const auto a = write("hashed-dense.safetensors", {f32(kQ, {out, in}, product(fa, fb, out, rank, in)),
                                                          f32(kNorm, {in}, gaussian(size_t(in), 52))});
        const std::string stem = kQ.substr(0, kQ.size() - std::string(".weight").size());
        const auto b = write("hashed-factors.safetensors", {f32(stem + ".weight_a", {out, rank}, fa),
                                                            f32(stem + ".weight_b", {rank, in}, fb),
                                                            f32(kNorm, {in}, gaussian(size_t(in), 53)),
                                                            f32("model.norm.weight", {in}, gaussian(size_t(in), 54))});
        ReadHashes read;
        for (const bool spectra : {true, false}) { // the streamed path hashes as the full one does
            read = {};
            diffModels(*a, *b, {.spectra = spectra}, {}, {}, &read);
            QCOMPARE(read.a.size(), size_t(2));
            QCOMPARE(read.b.size(), size_t(3)); // both factors and the norm; model.norm.weight is B's alone
            for (const auto &[side, hashes] : {std::pair{a.get(), &read.a}, std::pair{b.get(), &read.b}})
                for (const auto &[name, hash] : *hashes)
                    QCOMPARE(hash, contentHash(side->bytes(side->at(name))));
        }
        QCOMPARE(weightsHash(*a, {}, read.a), weightsHash(*a));
        QCOMPARE(weightsHash(*b, {}, read.b), weightsHash(*b));
    }

    // A slight perturbation keeps the leading subspaces; an independent model of the same
    // spectrum does not — on the exact path (a small matrix) and the randomized one, for a tall
    // matrix (compared by its left singular vectors) and a wide one (by its right ones).
    void subspaceOverlapTellsRelativesFromStrangers()
    {
        for (const int64_t size : {int64_t(96), int64_t(600)})
            for (const bool wide : {false, true}) {
                const int64_t rows = wide ? size - 16 : size, cols = wide ? size : size - 16;
                std::vector<float> sigma;
                for (int i = 0; i < 40; ++i)
                    sigma.push_back(i < 16 ? 10.0f - 0.2f * float(i) : 0.5f);
                const Values model = withSpectrum(rows, cols, sigma, 20);
                Values relative = model;
                const Values noise = gaussian(model.size(), 21, 0.001f);
                for (size_t i = 0; i < relative.size(); ++i)
                    relative[i] += noise[i];
                const Values stranger = withSpectrum(rows, cols, sigma, 30);
                const QString tag = QString::number(rows) + "x" + QString::number(cols);
                const auto a = write("model-" + tag + ".safetensors", {f32(kQ, {rows, cols}, model)});
                const auto near = write("relative-" + tag + ".safetensors", {f32(kQ, {rows, cols}, relative)});
                const auto far = write("stranger-" + tag + ".safetensors", {f32(kQ, {rows, cols}, stranger)});
                const double overlapNear = diffModels(*a, *near, {.topK = 8}).tensors[0].subspaceOverlap;
                const double overlapFar = diffModels(*a, *far, {.topK = 8}).tensors[0].subspaceOverlap;
                QVERIFY2(overlapNear > 0.99, qPrintable(tag + ": " + QString::number(overlapNear)));
                QVERIFY2(overlapFar < 0.2, qPrintable(tag + ": " + QString::number(overlapFar)));
            }
    }

    // k vectors on a matrix's shorter side can span all of it: a [10, 64] classifier's 16
    // leading left singular vectors are R¹⁰ itself, for any two classifiers. The longer side
    // tells two independent ones apart; a square matrix asked for all its vectors is not compared.
    void subspaceOfAShortSideIsNotTrivial()
    {
        const auto a = write("head-a.safetensors", {f32(kQ, {10, 64}, gaussian(640, 40)), f32(kK, {8, 8}, gaussian(64, 41))});
        const auto b = write("head-b.safetensors", {f32(kQ, {10, 64}, gaussian(640, 42)), f32(kK, {8, 8}, gaussian(64, 43))});
        const ModelDiff diff = diffModels(*a, *b, {});
        const TensorDiff &wide = pairNamed(diff, kQ), &square = pairNamed(diff, kK);
        QCOMPARE(wide.subspaceK, 10);
        // Two random 10-dimensional subspaces of R⁶⁴ share about 10/64 of each other.
        QVERIFY2(wide.subspaceOverlap < 0.4, qPrintable(QString::number(wide.subspaceOverlap)));
        QCOMPARE(square.subspaceK, 0);
        QVERIFY(!square.differenceSpectrum.empty()); // the rest of its measures are there
    }

    void unmatchedAndReshapedAreListed()
    {
        const auto a = write("left.safetensors", {f32(kQ, {8, 8}, gaussian(64, 1)), f32(kNorm, {8}, gaussian(8, 2)),
                                                  f32("model.norm.weight", {8}, gaussian(8, 3))});
        const auto b = write("right.safetensors", {f32(kQ, {8, 8}, gaussian(64, 4)), f32(kNorm, {6}, gaussian(6, 5)),
                                                   f32("lm_head.weight", {10, 8}, gaussian(80, 6))});
        const ModelDiff plan = planDiff(*a, *b);
        QCOMPARE(plan.tensors.size(), size_t(1));
        QCOMPARE(plan.onlyInA.size(), size_t(1));
        QCOMPARE(plan.onlyInA[0].a.name, std::string("model.norm.weight"));
        QCOMPARE(plan.onlyInB.size(), size_t(1));
        QCOMPARE(plan.onlyInB[0].b.name, std::string("lm_head.weight"));
        QCOMPARE(plan.reshaped.size(), size_t(1));
        QCOMPARE(plan.reshaped[0].b.shape, std::vector<int64_t>{6});
    }

    void refusals()
    {
        const auto llama = write("llama.safetensors", {f32(kQ, {8, 8}, gaussian(64, 1))});
        const auto gpt2 = write("gpt2-only.safetensors", {f32("wte.weight", {8, 8}, gaussian(64, 1)),
                                                          f32("h.0.attn.c_attn.weight", {8, 24}, gaussian(192, 2))});
        const auto other = write("other.safetensors", {f32(kNorm, {8}, gaussian(8, 1))});
        const auto refusal = [](const Checkpoint &x, const Checkpoint &y) {
            try {
                planDiff(x, y);
            } catch (const std::invalid_argument &e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        QVERIFY2(refusal(*llama, *gpt2).contains("different families"), qPrintable(refusal(*llama, *gpt2)));
        QVERIFY2(refusal(*llama, *other).contains("no tensor"), qPrintable(refusal(*llama, *other)));
        QVERIFY(!refusal(*llama, *other).contains('\n'));
    }

    void cancelStops()
    {
        const auto a = write("c1.safetensors", {f32(kQ, {32, 32}, gaussian(1024, 1))});
        const auto b = write("c2.safetensors", {f32(kQ, {32, 32}, gaussian(1024, 2))});
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, diffModels(*a, *b, {}, JobContext({}, &cancel)));
    }
};

QTEST_GUILESS_MAIN(TestModelDiff)
#include "test_model_diff.moc"
