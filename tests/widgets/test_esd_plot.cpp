// The eigenvalue density view: log-spaced bins that hold every eigenvalue, and the fitted
// power law drawn with slope −α on log–log axes, scaled to the tail's share.

#include "analysis/metrics.h"
#include "esd_histogram.h"
#include "esd_plot.h"

#include <QtTest>
#include <cmath>
#include <numeric>
#include <qcustomplot.h>
#include <random>

using namespace sculpt;

namespace {

// Singular values whose squares follow a Pareto law of exponent `alpha` above 1, over a
// bulk of small values: what a heavy-tailed trained layer looks like.
TensorSpectrum heavyTailed(int count, double alpha, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    TensorSpectrum s;
    s.name = "layers.0.mlp.up_proj.weight";
    s.method = "exact";
    s.rows = count * 2;
    s.cols = count;
    for (int i = 0; i < count; ++i) {
        const double lambda = i % 3 == 0 ? std::pow(1.0 - uniform(rng), -1.0 / (alpha - 1)) : 0.05 + 0.5 * uniform(rng);
        s.singularValues.push_back(std::sqrt(lambda));
    }
    std::sort(s.singularValues.rbegin(), s.singularValues.rend());
    double energy = 0;
    for (double v : s.singularValues)
        energy += v * v;
    s.metrics = computeMetrics(s.singularValues, s.rows, s.cols, energy, true);
    return s;
}

long sum(const std::vector<long> &counts) { return std::accumulate(counts.begin(), counts.end(), 0L); }

} // namespace

class TestEsdPlot : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void binsHoldEveryEigenvalueAndIntegrateToOne()
    {
        const TensorSpectrum s = heavyTailed(600, 3.0, 1);
        const EsdHistogram h = esdHistogram(s.singularValues, esdBinCount(600));
        QCOMPARE(int(h.counts.size()), 17); // ⌈2·∛600⌉
        QCOMPARE(sum(h.counts), 600L);
        QCOMPARE(h.total, 600L);
        QCOMPARE(h.edges.front(), s.singularValues.back() * s.singularValues.back());
        QCOMPARE(h.edges.back(), s.singularValues.front() * s.singularValues.front());
        double mass = 0;
        for (size_t i = 0; i < h.counts.size(); ++i) {
            QVERIFY(h.edges[i] < h.edges[i + 1]);
            // Log-spaced: every bin spans the same ratio.
            QVERIFY(std::abs(h.edges[i + 1] / h.edges[i] - h.edges[1] / h.edges[0]) < 1e-9);
            mass += h.density[i] * (h.edges[i + 1] - h.edges[i]);
        }
        QVERIFY(std::abs(mass - 1) < 1e-12);
    }

    void zeroAndEqualEigenvaluesAreHandled()
    {
        const std::vector<double> withZeros{3, 2, 1, 0, 0};
        const EsdHistogram h = esdHistogram(withZeros, 8);
        QCOMPARE(sum(h.counts), 3L);
        QCOMPARE(h.ignored, 2L);

        const std::vector<double> equal(5, 2.0);
        const EsdHistogram flat = esdHistogram(equal, 8);
        QCOMPARE(flat.counts, std::vector<long>{5});
        QVERIFY(flat.edges[0] < 4 && flat.edges[1] > 4);

        QVERIFY(esdHistogram(std::vector<double>{0, 0}, 8).counts.empty());
        QCOMPARE(esdBinCount(1), 8);
        QCOMPARE(esdBinCount(1'000'000), 80);
    }

    void powerLawIsScaledToTheTail()
    {
        const TensorSpectrum s = heavyTailed(600, 3.0, 2);
        const PowerLawFit &fit = s.metrics.alpha;
        QVERIFY(fit.valid());
        // ∫_{x_min}^∞ C·λ^(−α) dλ = p(x_min)·x_min/(α−1) must be the tail's share.
        QVERIFY(std::abs(powerLawDensity(fit, 600, fit.xmin) * fit.xmin / (fit.alpha - 1) -
                         double(fit.tailSize) / 600) < 1e-12);
        QVERIFY(std::isnan(powerLawDensity(fit, 600, fit.xmin / 2)));
        QVERIFY(std::isnan(powerLawDensity(PowerLawFit{}, 600, 1)));
    }

    void plotDrawsTheBinsAndTheFittedLine()
    {
        EsdPlot plot;
        plot.resize(800, 560);
        plot.show();
        const TensorSpectrum s = heavyTailed(600, 2.5, 3);
        plot.setSpectra({s}, 0);
        QCOMPARE(sum(plot.histogram().counts), 600L);

        // The step line visits every non-empty bin at its density.
        QSet<double> drawn;
        for (const QCPGraphData &point : *plot.histogramGraph()->data())
            if (!std::isnan(point.value))
                drawn.insert(point.value);
        for (size_t i = 0; i < plot.histogram().counts.size(); ++i)
            if (plot.histogram().counts[i] > 0)
                QVERIFY(drawn.contains(plot.histogram().density[i]));

        // The fit is a straight line of slope −α in log–log, starting at x_min.
        const PowerLawFit &fit = s.metrics.alpha;
        const auto line = plot.powerLawGraph()->data();
        QCOMPARE(line->size(), 2);
        const QCPGraphData a = *line->at(0), b = *line->at(1);
        QCOMPARE(a.key, fit.xmin);
        const double slope = (std::log(b.value) - std::log(a.value)) / (std::log(b.key) - std::log(a.key));
        QVERIFY2(std::abs(slope + fit.alpha) < 1e-9, qPrintable(QString::number(slope)));
        QVERIFY2(plot.fitText().contains(QString("α = %1").arg(fit.alpha, 0, 'f', 2)), qPrintable(plot.fitText()));
        QVERIFY(plot.fitText().contains(QString("tail %1 of 600").arg(fit.tailSize)));
        QVERIFY(plot.fitText().contains(QString("KS distance %1").arg(fit.ks, 0, 'f', 3)));

        // Hovering a bar reads its count.
        plot.plot()->replot();
        const double middle = std::sqrt(plot.histogram().edges[0] * plot.histogram().edges[1]);
        QTest::mouseMove(plot.plot(), QPoint(int(plot.plot()->xAxis->coordToPixel(middle)),
                                             plot.plot()->axisRect()->center().y()));
        QVERIFY2(plot.hoverText().contains(QString("%1 eigenvalue").arg(plot.histogram().counts[0])),
                 qPrintable(plot.hoverText()));

        const QString folder = QDir(QCoreApplication::applicationDirPath()).filePath("screenshots");
        QVERIFY(QDir().mkpath(folder));
        QTest::qWait(30);
        QVERIFY(plot.grab().save(QDir(folder).filePath("20-esd-heavy-tailed.png")));
    }

    void aPreviewSaysItIsPartialAndNothingShowsAnEmptyPlot()
    {
        EsdPlot plot;
        TensorSpectrum preview = heavyTailed(60, 3.0, 4);
        preview.method = "top60";
        plot.setSpectra({preview}, 0);
        QVERIFY2(plot.fitText().contains("top60 preview"), qPrintable(plot.fitText()));
        plot.setSpectra({}, 0);
        QCOMPARE(plot.current(), -1);
        QVERIFY(plot.histogramGraph()->data()->isEmpty());
        QVERIFY(plot.fitText().isEmpty());
    }
};

QTEST_MAIN(TestEsdPlot)
#include "test_esd_plot.moc"
