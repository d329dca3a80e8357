// Pear's adapter importance as bars: the weakest share drawn pruned, a threshold dragged with
// the mouse, the run's links from serving to served bars only at the run's p, and hover text
// with the rank records/adapter_scores.h gives.

#include "adapter_importance_chart.h"
#include "plot_style.h"
#include "records/adapter_scores.h"
#include "screenshot.h"

#include <QSignalSpy>
#include <QSlider>
#include <QToolTip>
#include <QtTest>
#include <cmath>
#include <limits>
#include <qcustomplot.h>
#include <set>
#include <stdexcept>

using namespace sculpt;

namespace {

AdapterScore at(const char *site, int64_t layer, const char *role, const char *kind, int64_t parameters, double score)
{
    return {{site, layer, role, kind, parameters}, score};
}

// LoRA on q and v of three fused projections, then two bottlenecks: the model's order. The
// scores span four decades; weakest first they are positions 5, 1, 7, 3, 0, 4, 2, 6.
std::vector<AdapterScore> eightAdapters()
{
    return {at("blocks.0.attn.to_qkv", 0, "q", "lora", 1024, 0.5),
            at("blocks.0.attn.to_qkv", 0, "v", "lora", 1024, 0.002),
            at("blocks.1.attn.to_qkv", 1, "q", "lora", 1024, 3.0),
            at("blocks.1.attn.to_qkv", 1, "v", "lora", 1024, 0.04),
            at("blocks.2.attn.to_qkv", 2, "q", "lora", 1024, 0.9),
            at("blocks.2.attn.to_qkv", 2, "v", "lora", 1024, 0.0007),
            at("blocks.0.mlp", 0, "mlp", "bottleneck", 2080, 12.0),
            at("blocks.1.mlp", 1, "mlp", "bottleneck", 2080, 0.02)};
}

// A run at p = 3/8 by depth: 1 and 5 served by their blocks' q; 7 left unserved (say its
// bottleneck's width matched no kept one).
AdapterSharing byDepth()
{
    return {0.375, "depth", true, {false, true, false, false, false, true, false, true}, {-1, 0, -1, -1, -1, 4, -1, -1}};
}

AdapterSharing plain()
{
    AdapterSharing s = byDepth();
    s.rule = "none";
    s.knowledgeCheckpoint = false;
    s.servedBy.assign(8, -1);
    return s;
}

void showAndDraw(AdapterImportanceChart &chart)
{
    chart.resize(800, 480);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.plot()->replot();
}

int pixelY(const AdapterImportanceChart &chart, double score)
{
    return int(std::lround(chart.plot()->yAxis->coordToPixel(score)));
}

// Halfway up bar i, as the axis measures it, and on its centre line.
QPoint barMiddle(const AdapterImportanceChart &chart, size_t i)
{
    const QCPAxis *y = chart.plot()->yAxis;
    const double bottom = y->coordToPixel(y->range().lower), top = y->coordToPixel(chart.scores()[i].score);
    return QPoint(int(std::lround(chart.plot()->xAxis->coordToPixel(double(i)))), int(std::lround((bottom + top) / 2)));
}

QPoint column(const AdapterImportanceChart &chart, size_t i)
{
    return QPoint(barMiddle(chart, i).x(), chart.plot()->axisRect()->center().y());
}

bool near(QColor a, QColor b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

std::set<std::pair<double, double>> linkEnds(const AdapterImportanceChart &chart)
{
    std::set<std::pair<double, double>> ends;
    for (const QCPItemLine *link : chart.links())
        ends.emplace(link->start->coords().x(), link->end->coords().x());
    return ends;
}

} // namespace

class TestAdapterImportanceChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theWeakestShareIsDrawnPruned()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters());
        showAndDraw(chart);
        QVERIFY(chart.prunedPositions().empty());
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);

        chart.setFraction(0.25);
        QCOMPARE(chart.fractionSlider()->value(), 25);
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{1, 5}));
        chart.setFraction(0.5);
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{1, 3, 5, 7}));
        // The threshold sits between the 4th weakest (0.04) and the 5th (0.5), midway on the log axis.
        QCOMPARE(chart.threshold()->point1->coords().y(), std::sqrt(0.04 * 0.5));

        chart.plot()->replot();
        const QImage drawn = chart.plot()->toPixmap().toImage();
        for (size_t i = 0; i < 8; ++i) {
            const QColor seen = drawn.pixelColor(barMiddle(chart, i));
            const bool pruned = i == 1 || i == 3 || i == 5 || i == 7;
            const bool grey = std::abs(seen.red() - seen.green()) < 8 && std::abs(seen.green() - seen.blue()) < 8 &&
                              seen.red() < 235;
            QVERIFY2(pruned ? grey : near(seen, seriesColour(0), 2),
                     qPrintable(QString("bar %1: %2").arg(i).arg(seen.name())));
        }

        chart.setFraction(std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(chart.fraction(), 0.5);
        chart.setFraction(2);
        QCOMPARE(chart.fraction(), 1.0);
        QCOMPARE(chart.prunedPositions().size(), size_t(8));
    }

    void theSliderMovesPInWholePercent()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters());
        QSignalSpy changed(&chart, &AdapterImportanceChart::fractionChanged);
        chart.fractionSlider()->setValue(50);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toDouble(), 0.5);
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{1, 3, 5, 7}));
        chart.setFraction(0.5);
        QCOMPARE(changed.size(), 1); // no change, no signal
    }

    void draggingTheThresholdPrunesTheBarsBelowIt()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters(), byDepth());
        showAndDraw(chart);
        QCOMPARE(chart.fraction(), 0.375);
        QSignalSpy changed(&chart, &AdapterImportanceChart::fractionChanged);
        const int x = chart.plot()->axisRect()->center().x();

        // Away from the line, a press drags nothing.
        QTest::mousePress(chart.plot(), Qt::LeftButton, {}, QPoint(x, pixelY(chart, 5)));
        QTest::mouseMove(chart.plot(), QPoint(x, pixelY(chart, 0.7)));
        QTest::mouseRelease(chart.plot(), Qt::LeftButton, {}, QPoint(x, pixelY(chart, 0.7)));
        QCOMPARE(chart.fraction(), 0.375);

        const int line = pixelY(chart, chart.threshold()->point1->coords().y());
        QTest::mousePress(chart.plot(), Qt::LeftButton, {}, QPoint(x, line + 3));
        QTest::mouseMove(chart.plot(), QPoint(x, pixelY(chart, 0.7))); // above 0.0007 … 0.5: five bars below
        QCOMPARE(chart.fraction(), 5.0 / 8);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toDouble(), 5.0 / 8);
        QCOMPARE(chart.fractionSlider()->value(), 63);
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{0, 1, 3, 5, 7}));
        QCOMPARE(chart.threshold()->point1->coords().y(), std::sqrt(0.5 * 0.9)); // snapped into the gap
        QVERIFY(chart.links().empty());

        QTest::mouseMove(chart.plot(), QPoint(x, pixelY(chart, 0.0005))); // below every bar
        QCOMPARE(chart.fraction(), 0.0);
        QVERIFY(chart.prunedPositions().empty());
        QTest::mouseMove(chart.plot(), QPoint(x, pixelY(chart, 0.03))); // back to the run's three
        QCOMPARE(chart.fraction(), 3.0 / 8);
        QCOMPARE(chart.links().size(), size_t(2));
        QTest::mouseRelease(chart.plot(), Qt::LeftButton, {}, QPoint(x, pixelY(chart, 0.03)));

        QTest::mouseMove(chart.plot(), QPoint(x, pixelY(chart, 5)));
        QCOMPARE(chart.fraction(), 3.0 / 8); // released: moving is hovering again
        QCOMPARE(changed.size(), 3);
    }

    void theRunsLinksJoinServersToTheServedAtItsP()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters(), byDepth());
        showAndDraw(chart);
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{1, 5, 7}));
        QCOMPARE(linkEnds(chart), (std::set<std::pair<double, double>>{{0, 1}, {4, 5}})); // not 7: unserved
        for (const QCPItemLine *link : chart.links()) {
            QCOMPARE(link->start->coords().y(), chart.scores()[size_t(link->start->coords().x())].score);
            QCOMPARE(link->end->coords().y(), chart.scores()[size_t(link->end->coords().x())].score);
            QCOMPARE(link->head().style(), QCPLineEnding::esSpikeArrow);
        }
        QCOMPARE(chart.ruleLabel()->text(), QString("Pear's run at 37.5 %: shared by depth, knowledge checkpoint"));
        QVERIFY(chart.ruleLabel()->visible());
        sculpt::test::screenshot(chart, "64-adapter-importance-pear-run.png");

        chart.setFraction(0.5);
        QVERIFY(chart.links().empty());
        QVERIFY(chart.ruleLabel()->text().endsWith("(its links show at its p)"));
        chart.setFraction(0.4); // ⌊3.2⌋: the run's three again
        QCOMPARE(linkEnds(chart), (std::set<std::pair<double, double>>{{0, 1}, {4, 5}}));

        chart.setScores(eightAdapters(), plain());
        QVERIFY(chart.links().empty());
        QCOMPARE(chart.ruleLabel()->text(), QString("Pear's run at 37.5 %: plain pruning"));
        chart.setScores(eightAdapters());
        QVERIFY(!chart.ruleLabel()->visible());
        QVERIFY(chart.links().empty());
    }

    void hoveringABarReadsItsScoreRankAndServer()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters(), byDepth());
        showAndDraw(chart);
        QTest::mouseMove(chart.plot(), column(chart, 5));
        QCOMPARE(chart.hoverText(), QString("blocks.2.attn.to_qkv v · lora: score 0.0007, rank 8 of 8, 1024 parameters"
                                            " · pruned, served by blocks.2.attn.to_qkv q"));
        QTRY_COMPARE(QToolTip::text(), chart.hoverText());
        QTest::mouseMove(chart.plot(), column(chart, 1));
        QCOMPARE(chart.hoverText(), QString("blocks.0.attn.to_qkv v · lora: score 0.002, rank 7 of 8, 1024 parameters"
                                            " · pruned, served by blocks.0.attn.to_qkv q"));
        QTest::mouseMove(chart.plot(), column(chart, 7));
        QCOMPARE(chart.hoverText(),
                 QString("blocks.1.mlp · bottleneck: score 0.02, rank 6 of 8, 2080 parameters · pruned, unserved"));
        QTest::mouseMove(chart.plot(), column(chart, 2));
        QCOMPARE(chart.hoverText(), QString("blocks.1.attn.to_qkv q · lora: score 3, rank 2 of 8, 1024 parameters"));

        chart.setFraction(0.5); // the run's servers are not this pruning's
        QTest::mouseMove(chart.plot(), column(chart, 5));
        QCOMPARE(chart.hoverText(),
                 QString("blocks.2.attn.to_qkv v · lora: score 0.0007, rank 8 of 8, 1024 parameters · pruned"));

        QTest::mouseMove(chart.plot(), QPoint(2, 2)); // the margin, off every bar
        QVERIFY(chart.hoverText().isEmpty());
        QCOMPARE(chart.positionAt(QPointF(2, 2)), std::optional<size_t>());
        QCOMPARE(chart.positionAt(barMiddle(chart, 6)), std::optional<size_t>(6));
    }

    void badInputIsRefusedAndTheOldKept()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters(), byDepth());
        const auto refused = [&chart](std::vector<AdapterScore> scores, std::optional<AdapterSharing> sharing) {
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, chart.setScores(std::move(scores), std::move(sharing)));
            QCOMPARE(chart.scores().size(), size_t(8));
            QCOMPARE(chart.scores()[5].score, 0.0007);
            QCOMPARE(chart.sharing()->rule, std::string("depth"));
            QCOMPARE(chart.fraction(), 0.375);
            QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{1, 5, 7}));
            QCOMPARE(chart.links().size(), size_t(2));
        };
        std::vector<AdapterScore> nan = eightAdapters(), infinite = eightAdapters();
        nan[2].score = std::numeric_limits<double>::quiet_NaN();
        infinite[2].score = std::numeric_limits<double>::infinity();
        refused(nan, std::nullopt);
        refused(infinite, byDepth());

        AdapterSharing keptServed = byDepth(), prunedServer = byDepth(), short_ = byDepth(), others = byDepth(),
                       beyond = byDepth();
        keptServed.servedBy[0] = 4;
        prunedServer.servedBy[1] = 5;
        short_.pruned.pop_back();
        others.pruned = {true, true, false, false, false, true, false, false}; // 0 is not among the weakest
        others.servedBy = {-1, 4, -1, -1, -1, 4, -1, -1};
        beyond.fraction = 1.5;
        for (const AdapterSharing &bad : {keptServed, prunedServer, short_, others, beyond})
            refused(eightAdapters(), bad);
    }

    void ticksNameLayerAndRoleAndThinOut()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters());
        const auto ticks = chart.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticks);
        QCOMPARE(ticks->ticks().size(), 8);
        QCOMPARE(ticks->ticks().value(3), QString("1 v"));
        QCOMPARE(ticks->ticks().value(7), QString("1 mlp"));

        std::vector<AdapterScore> many;
        for (int64_t layer = 0; layer < 20; ++layer)
            for (const char *role : {"q", "v"})
                many.push_back(at("blocks.attn", layer, role, "lora", 64, 1.0 + double(many.size())));
        chart.setScores(many);
        const auto fewer = chart.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
        QCOMPARE(fewer->ticks().size(), 14); // every 3rd of 40
        QCOMPARE(fewer->ticks().value(3), QString("1 v"));
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLinear); // 1 … 40 spans less than two decades
    }

    void aZeroScoreKeepsTheAxisLinear()
    {
        AdapterImportanceChart chart;
        std::vector<AdapterScore> scores = eightAdapters();
        scores[3].score = 0;
        chart.setScores(scores);
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLinear);
        chart.setFraction(0.25); // 0 and 0.0007 go: the line midway between 0.0007 and 0.002
        QCOMPARE(chart.prunedPositions(), (std::vector<size_t>{3, 5}));
        QCOMPARE(chart.threshold()->point1->coords().y(), (0.0007 + 0.002) / 2);
    }

    void noScoresShowAnEmptyPlotWithAMessage()
    {
        AdapterImportanceChart chart;
        chart.setScores(eightAdapters(), byDepth());
        chart.setScores({});
        showAndDraw(chart);
        QVERIFY(chart.prunedPositions().empty());
        QVERIFY(chart.links().empty());
        QVERIFY(!chart.threshold()->visible());
        QCOMPARE(chart.positionAt(chart.plot()->axisRect()->center()), std::optional<size_t>());
        bool message = false;
        for (int i = 0; i < chart.plot()->itemCount(); ++i)
            if (auto *text = qobject_cast<QCPItemText *>(chart.plot()->item(i)))
                message = message || (text->visible() && text->text().startsWith("Score the adapters"));
        QVERIFY(message);
    }
};

QTEST_MAIN(TestAdapterImportanceChart)
#include "test_adapter_importance_chart.moc"
