#include "analysis/metrics.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

using namespace sculpt;

namespace {

constexpr double kTight = 1e-12;

bool near(double actual, double expected, double tolerance = kTight)
{
    return std::abs(actual - expected) <= tolerance * std::max(1.0, std::abs(expected));
}

// Brute force over every rank, for shapes small enough (m·n < 2^11) that ratio·m·n is
// exact in a 64-bit long double mantissa: then the answer is exact for any double ratio.
long compressionRankSmallShape(int64_t m, int64_t n, double ratio)
{
    long best = 0;
    for (long k = 0; k <= std::min(m, n); ++k) {
        const long double spare = static_cast<long double>(m * n - k * (m + n));
        if (static_cast<long double>(ratio) * static_cast<long double>(m * n) <= spare)
            best = k;
    }
    return best;
}

// Brute force for ratio = num/1024, exact in integers for any tensor-sized shape.
long compressionRankDyadic(int64_t m, int64_t n, int64_t num)
{
    long best = 0;
    for (long k = 0; k <= std::min(m, n); ++k)
        if (1024 * k * (m + n) <= (1024 - num) * m * n)
            best = k;
    return best;
}

// Brute force for decimal ratios, in long double: right unless the true saving of some
// rank lies within ~1e-18 of the ratio, which none of the shapes and ratios used here do.
long compressionRankDecimal(int64_t m, int64_t n, double ratio)
{
    long best = 0;
    for (long k = 0; k <= std::min(m, n); ++k) {
        const long double saved = 1.0L - static_cast<long double>(k * (m + n)) / static_cast<long double>(m * n);
        if (saved >= ratio)
            best = k;
    }
    return best;
}

const std::vector<std::pair<int64_t, int64_t>> kSmallShapes = {
    {1, 1}, {1, 7}, {3, 5}, {5, 3}, {8, 8}, {7, 13}, {32, 48}, {45, 45}};

const std::vector<std::pair<int64_t, int64_t>> kTensorShapes = {
    {64, 48}, {100, 37}, {257, 129}, {768, 3072}, {4096, 4096}, {11008, 4096}};

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void completeSpectrumByHand();
    void partialSpectrum();
    void rankOneMatrix();
    void zeroMatrix();
    void emptySpectrum();
    void nanInputsGiveNanNotCrash();
    void alphaIsFittedOnSquares();
    void energyCurveValues();
    void rankForEnergyToleratesRounding();
    void rankForCompressionKnownShapes();
    void rankForCompressionExactAtEveryBoundary();
    void rankForCompressionDyadicRatios();
    void rankForCompressionDecimalRatios();
    void rankForCompressionOutOfRange();
};

void TestMetrics::completeSpectrumByHand()
{
    const std::vector<double> sigma = {3, 2, 1};
    const SpectrumMetrics m = computeMetrics(sigma, 3, 5, 14.0, true);

    QCOMPARE(m.spectralNorm, 3.0);
    QVERIFY(near(m.frobeniusNorm, std::sqrt(14.0)));
    QVERIFY(near(m.stableRank, 14.0 / 9.0));
    // p = σ/Σσ = {1/2, 1/3, 1/6}
    const double entropy = -(0.5 * std::log(0.5) + std::log(1.0 / 3) / 3 + std::log(1.0 / 6) / 6);
    QVERIFY(near(m.effectiveRank, std::exp(entropy)));
    // energy {9/14, 13/14, 1}: 13/14 ≈ 0.929 reaches 90 % but not 95 %.
    QCOMPARE(m.rank90, 2L);
    QCOMPARE(m.rank95, 3L);
    QCOMPARE(m.rank99, 3L);
    QVERIFY(near(m.breakevenRank, 15.0 / 8.0));
    QVERIFY(!m.alpha.valid()); // three eigenvalues are fewer than the default minimum tail
}

void TestMetrics::partialSpectrum()
{
    // Top-2 preview of the same matrix: energy is measured against the full ‖W‖_F² = 14.
    const std::vector<double> sigma = {3, 2};
    const SpectrumMetrics m = computeMetrics(sigma, 3, 5, 14.0, false);

    QCOMPARE(m.spectralNorm, 3.0);
    QVERIFY(near(m.frobeniusNorm, std::sqrt(14.0)));
    QVERIFY(near(m.stableRank, 14.0 / 9.0));
    QVERIFY(std::isnan(m.effectiveRank));
    QCOMPARE(m.rank90, 2L);
    QCOMPARE(m.rank95, -1L);
    QCOMPARE(m.rank99, -1L);
    QVERIFY(near(m.breakevenRank, 15.0 / 8.0));
}

void TestMetrics::rankOneMatrix()
{
    const std::vector<double> sigma = {5, 0, 0, 0};
    const SpectrumMetrics m = computeMetrics(sigma, 4, 6, 25.0, true);

    QCOMPARE(m.spectralNorm, 5.0);
    QCOMPARE(m.frobeniusNorm, 5.0);
    QCOMPARE(m.stableRank, 1.0);
    QVERIFY(near(m.effectiveRank, 1.0));
    QCOMPARE(m.rank90, 1L);
    QCOMPARE(m.rank95, 1L);
    QCOMPARE(m.rank99, 1L);
    QVERIFY(near(m.breakevenRank, 24.0 / 10.0));
    QVERIFY(!m.alpha.valid());
}

void TestMetrics::zeroMatrix()
{
    const std::vector<double> sigma = {0, 0, 0};
    const SpectrumMetrics m = computeMetrics(sigma, 3, 3, 0.0, true);

    QCOMPARE(m.spectralNorm, 0.0);
    QCOMPARE(m.frobeniusNorm, 0.0);
    QCOMPARE(m.stableRank, 0.0);
    QVERIFY(std::isnan(m.effectiveRank));
    // Every energy fraction is 0/0: no rank is claimed.
    QCOMPARE(m.rank90, -1L);
    QCOMPARE(m.rank99, -1L);
    QVERIFY(!m.alpha.valid());
}

void TestMetrics::emptySpectrum()
{
    const SpectrumMetrics complete = computeMetrics({}, 0, 0, 0.0, true);
    QCOMPARE(complete.spectralNorm, 0.0);
    QCOMPARE(complete.stableRank, 0.0);
    QVERIFY(std::isnan(complete.effectiveRank));
    QCOMPARE(complete.rank90, -1L);
    QCOMPARE(complete.breakevenRank, 0.0);
    QVERIFY(!complete.alpha.valid());

    // A preview that returned nothing still reports the matrix's own norm.
    const SpectrumMetrics preview = computeMetrics({}, 4, 4, 9.0, false);
    QCOMPARE(preview.frobeniusNorm, 3.0);
    QCOMPARE(preview.rank90, -1L);
    QCOMPARE(preview.breakevenRank, 2.0);
}

void TestMetrics::nanInputsGiveNanNotCrash()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> sigma = {nan, 1, 0.5};
    const SpectrumMetrics m = computeMetrics(sigma, 3, 3, 2.0, true);
    QVERIFY(std::isnan(m.spectralNorm));
    QVERIFY(std::isnan(m.stableRank));
    QVERIFY(std::isnan(m.effectiveRank));
    QCOMPARE(m.rank90, -1L);

    const SpectrumMetrics badNorm = computeMetrics(std::vector<double>{2, 1}, 2, 2, nan, true);
    QVERIFY(std::isnan(badNorm.frobeniusNorm));
    QVERIFY(std::isnan(badNorm.stableRank));
    QCOMPARE(badNorm.rank99, -1L);
    QVERIFY(near(badNorm.effectiveRank, std::exp(-(2.0 / 3 * std::log(2.0 / 3) + std::log(1.0 / 3) / 3))));
}

void TestMetrics::alphaIsFittedOnSquares()
{
    std::vector<double> sigma, squares;
    double frobeniusSquared = 0;
    for (int i = 40; i >= 1; --i) {
        sigma.push_back(i);
        squares.push_back(double(i) * i);
        frobeniusSquared += double(i) * i;
    }
    const SpectrumMetrics m = computeMetrics(sigma, 40, 50, frobeniusSquared, true);
    const PowerLawFit direct = fitPowerLaw(squares);
    QVERIFY(direct.valid());
    QCOMPARE(m.alpha.alpha, direct.alpha);
    QCOMPARE(m.alpha.xmin, direct.xmin);
    QCOMPARE(m.alpha.tailSize, direct.tailSize);
}

void TestMetrics::energyCurveValues()
{
    const std::vector<double> sigma = {3, 2, 1};
    const std::vector<double> curve = energyCurve(sigma, 14.0);
    QCOMPARE(curve.size(), std::size_t(3));
    QVERIFY(near(curve[0], 9.0 / 14));
    QVERIFY(near(curve[1], 13.0 / 14));
    QVERIFY(near(curve[2], 1.0));
    QCOMPARE(rankForEnergy(curve, 0.5), 1L);
    QCOMPARE(rankForEnergy(curve, 9.0 / 14), 1L);
    QCOMPARE(rankForEnergy(curve, 0.0), 0L);
    QCOMPARE(rankForEnergy(curve, 1.5), -1L);
    QCOMPARE(rankForEnergy({}, 0.5), -1L);
    QCOMPARE(rankForEnergy(curve, std::numeric_limits<double>::quiet_NaN()), -1L);
}

void TestMetrics::rankForEnergyToleratesRounding()
{
    // Σσ² summed in one order, ‖W‖_F² in another: the last value may miss 1 by an ulp.
    std::vector<double> sigma;
    for (int i = 0; i < 1000; ++i)
        sigma.push_back(1.0 / (1 + 0.37 * i));
    double frobeniusSquared = 0;
    for (auto it = sigma.rbegin(); it != sigma.rend(); ++it)
        frobeniusSquared += *it * *it;
    const std::vector<double> curve = energyCurve(sigma, frobeniusSquared);
    QVERIFY(near(curve.back(), 1.0));
    QCOMPARE(rankForEnergy(curve, 1.0), 1000L);
    QVERIFY(computeMetrics(sigma, 1000, 1000, frobeniusSquared, true).rank99 > 0);

    const std::vector<double> justBelow = {0.5, 1.0 - 1e-15};
    QCOMPARE(rankForEnergy(justBelow, 1.0), 2L);
    const std::vector<double> clearlyBelow = {0.5, 0.999};
    QCOMPARE(rankForEnergy(clearlyBelow, 1.0), -1L);
}

void TestMetrics::rankForCompressionKnownShapes()
{
    // 4096² at half the parameters: k·8192 ≤ 4096²/2 exactly at k = 1024.
    QCOMPARE(rankForCompression(4096, 4096, 0.5), 1024L);
    QCOMPARE(rankForCompression(11008, 4096, 0.3), compressionRankDecimal(11008, 4096, 0.3));
    QCOMPARE(rankForCompression(4096, 11008, 0.3), compressionRankDecimal(11008, 4096, 0.3));
    // Saving nothing: the breakeven rank itself, ⌊m·n/(m+n)⌋.
    QCOMPARE(rankForCompression(4096, 4096, 0.0), 2048L);
    QCOMPARE(rankForCompression(3, 5, 0.0), 1L);
    // Saving everything: only rank 0.
    QCOMPARE(rankForCompression(4096, 4096, 1.0), 0L);
}

void TestMetrics::rankForCompressionExactAtEveryBoundary()
{
    // Ratios exactly at (the double nearest to) each rank's saving, and one ulp either
    // side: a single rounding in the wrong direction changes the answer by one.
    for (const auto &[m, n] : kSmallShapes) {
        for (long k = 0; k <= std::min(m, n); ++k) {
            const double saving = 1.0 - double(k * (m + n)) / double(m * n);
            for (double ratio : {saving, std::nextafter(saving, -1.0), std::nextafter(saving, 2.0)}) {
                if (ratio < 0 || ratio > 1)
                    continue;
                QVERIFY2(rankForCompression(m, n, ratio) == compressionRankSmallShape(m, n, ratio),
                         qPrintable(QStringLiteral("%1x%2 ratio %3").arg(m).arg(n).arg(ratio, 0, 'g', 17)));
            }
        }
    }
}

void TestMetrics::rankForCompressionDyadicRatios()
{
    for (const auto &[m, n] : kTensorShapes) {
        for (int64_t num : {0, 1, 256, 300, 512, 683, 1000, 1023, 1024}) {
            QVERIFY2(rankForCompression(m, n, num / 1024.0) == compressionRankDyadic(m, n, num),
                     qPrintable(QStringLiteral("%1x%2 ratio %3/1024").arg(m).arg(n).arg(num)));
        }
    }
}

void TestMetrics::rankForCompressionDecimalRatios()
{
    for (const auto &[m, n] : kTensorShapes) {
        for (double ratio : {0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.9, 0.99}) {
            QVERIFY2(rankForCompression(m, n, ratio) == compressionRankDecimal(m, n, ratio),
                     qPrintable(QStringLiteral("%1x%2 ratio %3").arg(m).arg(n).arg(ratio)));
        }
    }
}

void TestMetrics::rankForCompressionOutOfRange()
{
    QCOMPARE(rankForCompression(100, 100, 1.5), 0L);
    QCOMPARE(rankForCompression(100, 100, std::numeric_limits<double>::quiet_NaN()), 0L);
    // Negative ratios are clamped to 0: never past breakeven.
    QCOMPARE(rankForCompression(100, 100, -0.5), 50L);
    QCOMPARE(rankForCompression(0, 100, 0.5), 0L);
    QCOMPARE(rankForCompression(-3, 100, 0.5), 0L);
    QCOMPARE(rankForCompression(int64_t(1) << 40, int64_t(1) << 40, 0.5), 0L);
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
