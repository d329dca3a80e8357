// Dense → band on the spectra's own threads: the band keeps the eigenvalues (against a
// one-stage dense eigensolver), is bitwise the same on any thread count, and a cancelled
// job stops before the band is complete.

#include "analysis/band_form.h"
#include "analysis/band_reduction.h"
#include "analysis/lapack.h"
#include "dense_eigenvalues.h"

#include <QtTest>
#include <algorithm>
#include <random>

using namespace sculpt;

namespace {

// A random symmetric matrix, both triangles filled, column-major.
std::vector<double> randomSymmetric(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<double> a(size_t(n) * size_t(n));
    for (int j = 0; j < n; ++j)
        for (int i = j; i < n; ++i)
            a[size_t(i) + size_t(j) * size_t(n)] = a[size_t(j) + size_t(i) * size_t(n)] = normal(rng);
    return a;
}

std::vector<double> band(std::vector<double> a, int n, int kd, int threads, const JobContext &job = {})
{
    std::vector<double> out(size_t(kd + 1) * size_t(n), 0.0);
    reduceToBand(a.data(), n, kd, out.data(), kd + 1, threads, job);
    return out;
}

std::vector<double> bandEigenvalues(const std::vector<double> &b, int n, int kd)
{
    Tridiagonal t = tridiagonalFromBand(b.data(), kd + 1, n, kd, 1);
    int info = 0;
    dsterf_(&n, t.diagonal.data(), t.offDiagonal.data(), &info);
    return t.diagonal;
}

} // namespace

class TestBandForm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsTheEigenvaluesOnAnyThreadCount_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("kd");
        QTest::newRow("several chunks per update") << 700 << 64;
        QTest::newRow("band not a multiple of n") << 301 << 13;
        QTest::newRow("last panel shorter than the band") << 70 << 32;
        QTest::newRow("narrow band") << 120 << 1;
        QTest::newRow("already a band") << 40 << 39;
        QTest::newRow("one by one") << 1 << 1;
        QTest::newRow("two by two") << 2 << 1;
    }
    void keepsTheEigenvaluesOnAnyThreadCount()
    {
        QFETCH(int, n);
        QFETCH(int, kd);
        const std::vector<double> a = randomSymmetric(n, uint64_t(n * 7 + kd));
        const std::vector<double> one = band(a, n, kd, 1);
        for (int threads : {2, 3})
            QVERIFY2(band(a, n, kd, threads) == one, qPrintable(QString("%1 threads differ from one").arg(threads)));
        const std::vector<double> got = bandEigenvalues(one, n, kd), want = denseEigenvalues(a, n);
        const double scale = std::max(std::abs(want.front()), std::abs(want.back()));
        for (int i = 0; i < n; ++i)
            QVERIFY2(std::abs(got[size_t(i)] - want[size_t(i)]) <= 1e-12 * scale,
                     qPrintable(QString("eigenvalue %1: %2 vs %3").arg(i).arg(got[size_t(i)]).arg(want[size_t(i)])));
    }

    void aCancelledJobStopsBeforeTheBandIsComplete()
    {
        const int n = 400, kd = 16;
        const std::vector<double> a = randomSymmetric(n, 3);
        const std::atomic<bool> cancel{true};
        const std::vector<double> b = band(a, n, kd, 2, JobContext({}, &cancel));
        // The last columns are written only when the reduction reaches them.
        QCOMPARE(b[size_t(n - 1) * size_t(kd + 1)], 0.0);
        QVERIFY(band(a, n, kd, 2)[size_t(n - 1) * size_t(kd + 1)] != 0.0);
    }
};

QTEST_GUILESS_MAIN(TestBandForm)
#include "test_band_form.moc"
