// The multi-threaded band → tridiagonal stage against LAPACK's sequential dsytrd_sb2st
// (bitwise) and against a one-stage eigensolver (eigenvalues).

#include "analysis/band_reduction.h"
#include "analysis/lapack.h"
#include "dense_eigenvalues.h"

#include <QtTest>
#include <algorithm>
#include <random>

extern "C" {
void dsytrd_sb2st_(const char *stage1, const char *vect, const char *uplo, const int *n, const int *kd, double *ab,
                   const int *ldab, double *d, double *e, double *hous, const int *lhous, double *work,
                   const int *lwork, int *info);
}

using namespace sculpt;

namespace {

// A random symmetric band matrix: the LAPACK lower band ((kd + 1) × n) and the dense copy.
struct Band {
    std::vector<double> band, dense;
};

Band randomBand(int n, int kd, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Band b{std::vector<double>(size_t(kd + 1) * size_t(n), 0.0), std::vector<double>(size_t(n) * size_t(n), 0.0)};
    for (int j = 0; j < n; ++j)
        for (int i = j; i <= std::min(n - 1, j + kd); ++i) {
            const double x = normal(rng);
            b.band[size_t(j) * size_t(kd + 1) + size_t(i - j)] = x;
            b.dense[size_t(j) * size_t(n) + size_t(i)] = b.dense[size_t(i) * size_t(n) + size_t(j)] = x;
        }
    return b;
}

Tridiagonal lapackTridiagonal(std::vector<double> band, int n, int kd)
{
    Tridiagonal t{std::vector<double>(size_t(n)), std::vector<double>(size_t(std::max(n - 1, 1)))};
    const int ldab = kd + 1;
    int info = 0, lhous = -1, lwork = -1;
    double housQuery = 0, workQuery = 0;
    dsytrd_sb2st_("N", "N", "L", &n, &kd, band.data(), &ldab, t.diagonal.data(), t.offDiagonal.data(), &housQuery,
                  &lhous, &workQuery, &lwork, &info);
    std::vector<double> hous(size_t(housQuery) + 1), work(size_t(workQuery) + 1);
    lhous = int(hous.size());
    lwork = int(work.size());
    dsytrd_sb2st_("N", "N", "L", &n, &kd, band.data(), &ldab, t.diagonal.data(), t.offDiagonal.data(), hous.data(),
                  &lhous, work.data(), &lwork, &info);
    t.offDiagonal.resize(size_t(n - 1));
    return t;
}

} // namespace

class TestBandReduction : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesLapackOnAnyThreadCount_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("kd");
        QTest::newRow("many sweeps and blocks") << 700 << 64;
        QTest::newRow("band not a multiple of n") << 301 << 13;
        QTest::newRow("narrow band") << 200 << 2;
        QTest::newRow("band nearly the matrix") << 40 << 38;
    }
    void matchesLapackOnAnyThreadCount()
    {
        QFETCH(int, n);
        QFETCH(int, kd);
        const Band b = randomBand(n, kd, uint64_t(n * 31 + kd));
        const Tridiagonal want = lapackTridiagonal(b.band, n, kd);
        for (int threads : {1, 2, 3}) {
            const Tridiagonal got = tridiagonalFromBand(b.band.data(), kd + 1, n, kd, threads);
            QVERIFY2(got.diagonal == want.diagonal, qPrintable(QString("diagonal, %1 threads").arg(threads)));
            QVERIFY2(got.offDiagonal == want.offDiagonal, qPrintable(QString("off-diagonal, %1 threads").arg(threads)));
        }
    }

    void keepsTheEigenvalues()
    {
        const int n = 257, kd = 16;
        const Band b = randomBand(n, kd, 5);
        Tridiagonal t = tridiagonalFromBand(b.band.data(), kd + 1, n, kd, 2);
        int info = 0;
        dsterf_(&n, t.diagonal.data(), t.offDiagonal.data(), &info);
        QCOMPARE(info, 0);
        const std::vector<double> want = denseEigenvalues(b.dense, n);
        const double scale = std::max(std::abs(want.front()), std::abs(want.back()));
        for (int i = 0; i < n; ++i)
            QVERIFY(std::abs(t.diagonal[size_t(i)] - want[size_t(i)]) <= 1e-12 * scale);
    }

    void tinyAndAlreadyTridiagonal()
    {
        for (int n : {1, 2, 3}) {
            const Band b = randomBand(n, n - 1, uint64_t(n));
            const Tridiagonal got = tridiagonalFromBand(b.band.data(), n, n, n - 1, 2);
            std::vector<double> values = got.diagonal, off = got.offDiagonal;
            int info = 0;
            dsterf_(&n, values.data(), off.data(), &info);
            const std::vector<double> want = denseEigenvalues(b.dense, n);
            for (int i = 0; i < n; ++i)
                QVERIFY(std::abs(values[size_t(i)] - want[size_t(i)]) <= 1e-12 * (1 + std::abs(want[size_t(i)])));
        }
    }
};

QTEST_GUILESS_MAIN(TestBandReduction)
#include "test_band_reduction.moc"
