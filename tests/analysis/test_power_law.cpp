#include "analysis/metrics.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

using namespace sculpt;

namespace {

// Uniform in [0, 1) from the top 53 bits of the engine. mt19937_64 is specified exactly
// but std::uniform_real_distribution is not, and the fixed-seed expectations below should
// hold with every standard library.
double uniform01(std::mt19937_64 &rng)
{
    return static_cast<double>(rng() >> 11) * 0x1p-53;
}

double gaussian(std::mt19937_64 &rng) // Box–Muller
{
    const double radius = std::sqrt(-2 * std::log(1 - uniform01(rng)));
    return radius * std::cos(2 * std::numbers::pi * uniform01(rng));
}

// Continuous Pareto by inverse transform of u: P(X > x) = (x/xmin)^(1−alpha) for x ≥ xmin.
double paretoQuantile(double u, double alpha, double xmin)
{
    return xmin * std::pow(1 - u, -1 / (alpha - 1));
}

std::vector<double> paretoSamples(std::size_t count, double alpha, double xmin, std::mt19937_64 &rng)
{
    std::vector<double> samples(count);
    for (double &x : samples)
        x = paretoQuantile(uniform01(rng), alpha, xmin);
    return samples;
}

// One draw from each of `count` equal-probability strata: still random, but a few hundred
// values already trace the law, where independent draws would leave alpha a standard
// error of (alpha − 1)/√count ≈ 0.12 away at count = 300.
std::vector<double> stratifiedParetoSamples(std::size_t count, double alpha, double xmin, std::mt19937_64 &rng)
{
    std::vector<double> samples(count);
    for (std::size_t i = 0; i < count; ++i)
        samples[i] = paretoQuantile((static_cast<double>(i) + uniform01(rng)) / static_cast<double>(count), alpha, xmin);
    return samples;
}

// A dense matrix stored as its columns, each contiguous: what one-sided Jacobi rotates.
using Columns = std::vector<std::vector<double>>;

double dot(const std::vector<double> &a, const std::vector<double> &b)
{
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        sum += a[i] * b[i];
    return sum;
}

// `count` orthonormal columns of length `length`: Gram–Schmidt of Gaussian vectors, run
// twice per column because one pass loses orthogonality in floating point.
Columns randomOrthonormal(std::size_t length, std::size_t count, std::mt19937_64 &rng)
{
    Columns q(count, std::vector<double>(length));
    for (std::size_t j = 0; j < count; ++j) {
        for (double &v : q[j])
            v = gaussian(rng);
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t k = 0; k < j; ++k) {
                const double projection = dot(q[k], q[j]);
                for (std::size_t i = 0; i < length; ++i)
                    q[j][i] -= projection * q[k][i];
            }
        }
        const double norm = std::sqrt(dot(q[j], q[j]));
        for (double &v : q[j])
            v /= norm;
    }
    return q;
}

// W = U·diag(σ)·Vᵀ, returned by columns: column j is Σ_k σ_k V[j,k] U[:,k].
Columns composeMatrix(const Columns &u, const std::vector<double> &sigma, const Columns &v)
{
    const std::size_t rows = u.front().size(), cols = v.front().size();
    Columns w(cols, std::vector<double>(rows, 0.0));
    for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t k = 0; k < sigma.size(); ++k) {
            const double scale = sigma[k] * v[k][j];
            for (std::size_t i = 0; i < rows; ++i)
                w[j][i] += scale * u[k][i];
        }
    return w;
}

// One-sided (Hestenes) Jacobi SVD: rotate column pairs until all are orthogonal; the
// singular values are then the column norms. Descending.
std::vector<double> jacobiSingularValues(Columns a)
{
    for (int sweep = 0; sweep < 40; ++sweep) {
        bool rotated = false;
        for (std::size_t p = 0; p + 1 < a.size(); ++p) {
            for (std::size_t q = p + 1; q < a.size(); ++q) {
                const double alpha = dot(a[p], a[p]), beta = dot(a[q], a[q]), gamma = dot(a[p], a[q]);
                if (std::abs(gamma) <= 1e-15 * std::sqrt(alpha * beta))
                    continue;
                rotated = true;
                const double zeta = (beta - alpha) / (2 * gamma);
                const double t = std::copysign(1.0, zeta) / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
                const double c = 1 / std::sqrt(1 + t * t), s = c * t;
                for (std::size_t i = 0; i < a[p].size(); ++i) {
                    const double x = a[p][i], y = a[q][i];
                    a[p][i] = c * x - s * y;
                    a[q][i] = s * x + c * y;
                }
            }
        }
        if (!rotated)
            break;
    }
    std::vector<double> sigma;
    for (const auto &column : a)
        sigma.push_back(std::sqrt(dot(column, column)));
    std::sort(sigma.begin(), sigma.end(), std::greater<>());
    return sigma;
}

} // namespace

class TestPowerLaw : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void threeValuesByHand();
    void recoversParetoAlpha_data();
    void recoversParetoAlpha();
    void findsTailAboveUniformBulk();
    void recoversAlphaFromMatrixSpectrum();
    void orderDoesNotMatter();
    void tooFewValuesIsInvalid();
    void allEqualValues();
    void ignoresNonPositiveAndNonFinite();
};

void TestPowerLaw::threeValuesByHand()
{
    // {1, e, e²} with a tail of at least 3: xmin = 1, alpha = 1 + 3/(0 + 1 + 2) = 2, so
    // P(x) = 1 − 1/x = {0, 1 − 1/e, 1 − 1/e²}; against the empirical steps [0, 1/3],
    // [1/3, 2/3], [2/3, 1] the largest gap is 1/3, just after the first point.
    const std::vector<double> values = {std::exp(2.0), 1.0, std::exp(1.0)};
    const PowerLawFit fit = fitPowerLaw(values, 3);
    QVERIFY(fit.valid());
    QCOMPARE(fit.tailSize, 3L);
    QCOMPARE(fit.xmin, 1.0);
    QVERIFY(std::abs(fit.alpha - 2.0) < 1e-12);
    QVERIFY(std::abs(fit.ks - 1.0 / 3) < 1e-12);
}

void TestPowerLaw::recoversParetoAlpha_data()
{
    QTest::addColumn<double>("alpha");
    QTest::newRow("alpha 2.5") << 2.5;
    QTest::newRow("alpha 3") << 3.0;
    QTest::newRow("alpha 4") << 4.0;
}

void TestPowerLaw::recoversParetoAlpha()
{
    QFETCH(double, alpha);
    std::mt19937_64 rng(20240611);
    const PowerLawFit fit = fitPowerLaw(paretoSamples(2000, alpha, 1.0, rng));
    QVERIFY(fit.valid());
    QVERIFY2(std::abs(fit.alpha - alpha) < 0.15, qPrintable(QString::number(fit.alpha)));
    QVERIFY2(fit.xmin >= 1.0 && fit.xmin < 1.5, qPrintable(QString::number(fit.xmin)));
    QVERIFY2(fit.tailSize >= 500, qPrintable(QString::number(fit.tailSize)));
    QVERIFY(fit.ks > 0 && fit.ks < 0.05);
}

void TestPowerLaw::findsTailAboveUniformBulk()
{
    std::mt19937_64 rng(7);
    std::vector<double> values(1500);
    for (double &v : values)
        v = 0.01 + 0.99 * uniform01(rng);
    const std::vector<double> tail = paretoSamples(500, 3.0, 1.0, rng);
    values.insert(values.end(), tail.begin(), tail.end());

    const PowerLawFit fit = fitPowerLaw(values);
    QVERIFY(fit.valid());
    QVERIFY2(fit.xmin > 0.5 && fit.xmin < 2.0, qPrintable(QString::number(fit.xmin)));
    QVERIFY2(std::abs(fit.alpha - 3.0) < 0.25, qPrintable(QString::number(fit.alpha)));
}

void TestPowerLaw::recoversAlphaFromMatrixSpectrum()
{
    // A 400×300 matrix whose squared singular values are Pareto(alpha = 3) draws, hidden
    // behind random rotations, then recovered the way the workbench sees them: by an SVD.
    constexpr std::size_t rows = 400, cols = 300;
    std::mt19937_64 rng(42);
    const std::vector<double> eigenvalues = stratifiedParetoSamples(cols, 3.0, 1.0, rng);
    std::vector<double> sigma(cols);
    std::transform(eigenvalues.begin(), eigenvalues.end(), sigma.begin(), [](double l) { return std::sqrt(l); });
    std::sort(sigma.begin(), sigma.end(), std::greater<>());

    const Columns u = randomOrthonormal(rows, cols, rng);
    const Columns v = randomOrthonormal(cols, cols, rng);
    const std::vector<double> recovered = jacobiSingularValues(composeMatrix(u, sigma, v));

    QCOMPARE(recovered.size(), cols);
    for (std::size_t i = 0; i < cols; ++i)
        QVERIFY2(std::abs(recovered[i] - sigma[i]) < 1e-10 * sigma.front(), qPrintable(QString::number(i)));

    std::vector<double> squares(cols);
    std::transform(recovered.begin(), recovered.end(), squares.begin(), [](double s) { return s * s; });
    const PowerLawFit fromMatrix = fitPowerLaw(squares);
    const PowerLawFit fromDraws = fitPowerLaw(eigenvalues);
    QVERIFY(fromMatrix.valid());
    QCOMPARE(fromMatrix.tailSize, fromDraws.tailSize);
    QVERIFY(std::abs(fromMatrix.alpha - fromDraws.alpha) < 1e-6);
    // Stratified draws put the fit within 0.05 of the truth for 500 seeds out of 500.
    QVERIFY2(std::abs(fromMatrix.alpha - 3.0) < 0.1, qPrintable(QString::number(fromMatrix.alpha)));
}

void TestPowerLaw::orderDoesNotMatter()
{
    std::mt19937_64 rng(3);
    std::vector<double> values = paretoSamples(500, 2.5, 0.2, rng);
    const PowerLawFit first = fitPowerLaw(values);
    std::shuffle(values.begin(), values.end(), rng);
    const PowerLawFit second = fitPowerLaw(values);
    QCOMPARE(second.alpha, first.alpha);
    QCOMPARE(second.xmin, first.xmin);
    QCOMPARE(second.ks, first.ks);
    QCOMPARE(second.tailSize, first.tailSize);
}

void TestPowerLaw::tooFewValuesIsInvalid()
{
    const std::vector<double> nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const PowerLawFit fit = fitPowerLaw(nine);
    QVERIFY(!fit.valid());
    QVERIFY(std::isnan(fit.alpha));
    QVERIFY(!fitPowerLaw({}).valid());
    QVERIFY(fitPowerLaw(nine, 5).valid());
    // Every candidate tail must be at least minTail long.
    QVERIFY(fitPowerLaw(nine, 5).tailSize >= 5);
}

void TestPowerLaw::allEqualValues()
{
    // No value lies above any candidate xmin: there is no tail to fit.
    const std::vector<double> flat(50, 2.0);
    QVERIFY(!fitPowerLaw(flat).valid());

    // Two distinct values: only the lower can be xmin, and the fit is finite.
    std::vector<double> twoLevels(30, 1.0);
    twoLevels.insert(twoLevels.end(), 20, 4.0);
    const PowerLawFit fit = fitPowerLaw(twoLevels);
    QVERIFY(fit.valid());
    QCOMPARE(fit.xmin, 1.0);
    QCOMPARE(fit.tailSize, 50L);
    QVERIFY(std::isfinite(fit.alpha) && std::isfinite(fit.ks));
}

void TestPowerLaw::ignoresNonPositiveAndNonFinite()
{
    std::mt19937_64 rng(11);
    const std::vector<double> clean = paretoSamples(300, 3.0, 1.0, rng);
    std::vector<double> dirty = clean;
    const double inf = std::numeric_limits<double>::infinity();
    dirty.insert(dirty.end(), {std::numeric_limits<double>::quiet_NaN(), -1.0, 0.0, -0.0, inf, -inf, -1e300});

    const PowerLawFit expected = fitPowerLaw(clean);
    const PowerLawFit actual = fitPowerLaw(dirty);
    QVERIFY(actual.valid());
    QCOMPARE(actual.alpha, expected.alpha);
    QCOMPARE(actual.xmin, expected.xmin);
    QCOMPARE(actual.tailSize, expected.tailSize);

    const std::vector<double> onlyJunk(20, -3.0);
    QVERIFY(!fitPowerLaw(onlyJunk).valid());
}

QTEST_APPLESS_MAIN(TestPowerLaw)
#include "test_power_law.moc"
