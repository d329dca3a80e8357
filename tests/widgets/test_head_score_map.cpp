// The head-importance heatmap: one cell per head at its score, the lowest-scored share crossed
// out, and the ranking behind it (headsToMask), which the pass that masks heads shares.

#include "head_score_map.h"
#include "records/head_scores.h"
#include "screenshot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <qcustomplot.h>
#include <stdexcept>

using namespace sculpt;

namespace {

// 4 layers × 12 heads, every score different and scattered over the grid (29 is coprime to 48).
HeadScores fortyEightHeads()
{
    HeadScores s{"weights", 4, 12, {}};
    for (int i = 0; i < 48; ++i)
        s.values.push_back(0.5 + (i * 29 % 48) / 4.0);
    return s;
}

// What the ranking must give, worked out the slow way: the k lowest by (score, layer, head).
std::vector<LayerHead> lowest(const HeadScores &s, int64_t k, int64_t firstIndex, int64_t count)
{
    std::vector<int64_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), firstIndex);
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return std::pair(s.values[size_t(a)], a) < std::pair(s.values[size_t(b)], b);
    });
    std::vector<LayerHead> heads;
    for (int64_t i = 0; i < k; ++i)
        heads.emplace_back(order[size_t(i)] / s.heads, order[size_t(i)] % s.heads);
    std::sort(heads.begin(), heads.end());
    return heads;
}

QPoint pixelOf(const HeadScoreMap &map, int64_t layer, int64_t head)
{
    return QPoint(int(map.plot()->xAxis->coordToPixel(double(head))),
                  int(map.plot()->yAxis->coordToPixel(double(layer))));
}

bool near(QColor a, QColor b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

QColor cellColour(const HeadScoreMap &map, double score)
{
    return QColor(map.colourMap()->gradient().color(score, map.colourMap()->dataRange()));
}

void showAndDraw(HeadScoreMap &map)
{
    map.resize(800, 520);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.plot()->replot();
}

} // namespace

class TestHeadScoreMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ranksHeadsAcrossTheModelOrWithinLayers()
    {
        const HeadScores s{"weights", 2, 3, {5, 1, 3, 2, 4, 0}};
        QCOMPARE(headRanks(s, false), (std::vector<int64_t>{1, 5, 3, 4, 2, 6}));
        QCOMPARE(headRanks(s, true), (std::vector<int64_t>{1, 3, 2, 2, 1, 3}));
        QCOMPARE(headsToMask(s, 0.5, false), (std::vector<LayerHead>{{0, 1}, {1, 0}, {1, 2}}));
        QCOMPARE(headsToMask(s, 0.5, true), (std::vector<LayerHead>{{0, 1}, {1, 2}})); // ⌊1.5⌋ per layer
        QVERIFY(headsToMask(s, 0, false).empty());
        QCOMPARE(headsToMask(s, 1, true).size(), size_t(6));
        QCOMPARE(headsToMask(s, 0.16, false).size(), size_t(0)); // ⌊0.96⌋
        QCOMPARE(headsToMask(s, 1.0 / 6, false), (std::vector<LayerHead>{{1, 2}}));
    }

    void aFractionCountsWholeHeadsDespiteRounding()
    {
        HeadScores s{"weights", 10, 10, std::vector<double>(100)};
        std::iota(s.values.begin(), s.values.end(), 0.0);
        for (int percent = 0; percent <= 100; ++percent)
            QCOMPARE(int(headsToMask(s, percent / 100.0, false).size()), percent); // 0.29 · 100 < 29 in doubles
        QCOMPARE(headsToMask(s, 0.29, true).size(), size_t(20));                    // ⌊2.9⌋ in each of 10 layers
    }

    void tiesGoInLayerThenHeadOrder()
    {
        const HeadScores flat{"gate", 4, 3, std::vector<double>(12, 1.0)};
        QCOMPARE(headsToMask(flat, 0.25, false), (std::vector<LayerHead>{{0, 0}, {0, 1}, {0, 2}}));
        QCOMPARE(headsToMask(flat, 0.34, true), (std::vector<LayerHead>{{0, 0}, {1, 0}, {2, 0}, {3, 0}}));
        QCOMPARE(headRanks(flat, false).back(), int64_t(1)); // the last head outranks its equals
        const HeadScores someEqual{"gate", 1, 4, {2, 1, 2, 1}};
        QCOMPARE(headsToMask(someEqual, 0.75, false), (std::vector<LayerHead>{{0, 0}, {0, 1}, {0, 3}}));
    }

    void malformedScoresAndFractionsAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, checkHeadScores({"weights", 2, 3, {1, 2, 3, 4, 5}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, checkHeadScores({"weights", -1, -1, {1}}));
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, headRanks({"weights", 1, 2, {1, nan}}, false));
        const HeadScores fine{"weights", 1, 2, {1, 2}};
        for (double p : {-0.1, 1.5, nan})
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, headsToMask(fine, p, false));
        QVERIFY(headsToMask(HeadScores{}, 0.5, false).empty());
    }

    void everyHeadIsOneCellAtItsScoreWithLayerZeroOnTop()
    {
        HeadScoreMap map;
        const HeadScores s = fortyEightHeads();
        map.setScores(s);
        showAndDraw(map);
        QCPColorMapData *cells = map.colourMap()->data(); // its readers are not const
        QCOMPARE(cells->keySize(), 12);
        QCOMPARE(cells->valueSize(), 4);
        const QImage drawn = map.plot()->toPixmap().toImage();
        for (int64_t layer = 0; layer < 4; ++layer)
            for (int64_t head = 0; head < 12; ++head) {
                QCOMPARE(cells->cell(int(head), int(layer)), s.at(layer, head));
                QCOMPARE(cells->data(double(head), double(layer)), s.at(layer, head));
                const QColor seen = drawn.pixelColor(pixelOf(map, layer, head));
                QVERIFY2(near(seen, cellColour(map, s.at(layer, head)), 2),
                         qPrintable(QString("layer %1 head %2: %3").arg(layer).arg(head).arg(seen.name())));
            }
        QVERIFY(pixelOf(map, 0, 0).y() < pixelOf(map, 3, 0).y());
        QCOMPARE(map.colourMap()->dataRange(), QCPRange(0.5, 0.5 + 47 / 4.0));
        QVERIFY(map.maskedHeads().empty());
    }

    void theLowestShareIsCrossedOut()
    {
        HeadScoreMap map;
        const HeadScores s = fortyEightHeads();
        map.setScores(s);
        showAndDraw(map);
        map.setMaskFraction(0.25);
        QCOMPARE(map.maskSlider()->value(), 25);
        QCOMPARE(map.maskedHeads(), lowest(s, 12, 0, 48));
        QCOMPARE(map.maskedHeads(), headsToMask(s, 0.25, false));

        map.plot()->replot();
        const QImage drawn = map.plot()->toPixmap().toImage();
        const QColor cross = map.palette().color(QPalette::Text);
        for (int64_t layer = 0; layer < 4; ++layer)
            for (int64_t head = 0; head < 12; ++head) {
                const bool masked = std::binary_search(map.maskedHeads().begin(), map.maskedHeads().end(),
                                                       LayerHead(layer, head));
                const QColor expected = masked ? cross : cellColour(map, s.at(layer, head));
                QVERIFY2(near(drawn.pixelColor(pixelOf(map, layer, head)), expected, 40),
                         qPrintable(QString("layer %1 head %2").arg(layer).arg(head)));
            }
        sculpt::test::screenshot(map, "32-head-scores-quarter-masked.png");

        map.perLayerChoice()->click();
        QVERIFY(map.perLayer());
        std::vector<LayerHead> perLayer;
        for (int64_t layer = 0; layer < 4; ++layer) {
            const auto ofLayer = lowest(s, 3, layer * 12, 12);
            perLayer.insert(perLayer.end(), ofLayer.begin(), ofLayer.end());
        }
        QCOMPARE(map.maskedHeads(), perLayer);
        QVERIFY(map.maskedHeads() != lowest(s, 12, 0, 48)); // the data makes the two rankings differ
    }

    void tiesAreBrokenTheSameWayEveryTime()
    {
        HeadScoreMap map;
        map.setScores({"gate", 4, 12, std::vector<double>(48, 0.3)});
        map.setMaskFraction(0.25);
        std::vector<LayerHead> layerZero;
        for (int64_t head = 0; head < 12; ++head)
            layerZero.emplace_back(0, head);
        QCOMPARE(map.maskedHeads(), layerZero);
        map.setPerLayer(true);
        QCOMPARE(map.maskedHeads(), (std::vector<LayerHead>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2},
                                                             {2, 0}, {2, 1}, {2, 2}, {3, 0}, {3, 1}, {3, 2}}));
    }

    void hoveringACellReadsItsScoreAndRank()
    {
        HeadScoreMap map;
        const HeadScores s = fortyEightHeads();
        map.setScores(s);
        showAndDraw(map);
        // Layer 2, head 7 holds index 31, score 0.5 + (31·29 mod 48)/4 = 9.25: 12 heads score higher.
        QTest::mouseMove(map.plot(), pixelOf(map, 2, 7));
        QCOMPARE(map.hoverText(), QString("layer 2, head 7: score 9.25 (rank 13 of 48)"));
        QTRY_COMPARE(QToolTip::text(), map.hoverText());

        // Layer 2's scores are 0.5 + {24 5 34 15 44 25 6 35 16 45 26 7}/4: head 6 is its 11th of 12.
        map.setPerLayer(true);
        map.setMaskFraction(0.5);
        QTest::mouseMove(map.plot(), pixelOf(map, 2, 6));
        QCOMPARE(map.hoverText(), QString("layer 2, head 6: score 2 (rank 11 of 12 in its layer) · masked"));
        QTRY_COMPARE(QToolTip::text(), map.hoverText());

        QTest::mouseMove(map.plot(), QPoint(2, 2)); // the margin, off every cell
        QVERIFY(map.hoverText().isEmpty());
    }

    void clickingACellNamesItsHead()
    {
        HeadScoreMap map;
        map.setScores(fortyEightHeads());
        showAndDraw(map);
        QSignalSpy clicked(&map, &HeadScoreMap::headClicked);
        QTest::mouseClick(map.plot(), Qt::LeftButton, {}, pixelOf(map, 3, 0));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked[0][0].value<int64_t>(), int64_t(3));
        QCOMPARE(clicked[0][1].value<int64_t>(), int64_t(0));
        QTest::mouseClick(map.plot(), Qt::LeftButton, {}, pixelOf(map, 1, 11));
        QCOMPARE(clicked[1][0].value<int64_t>(), int64_t(1));
        QCOMPARE(clicked[1][1].value<int64_t>(), int64_t(11));
        QTest::mouseClick(map.plot(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(clicked.size(), 2);
    }

    void theSliderChangesTheMaskAndSaysSo()
    {
        HeadScoreMap map;
        map.setScores(fortyEightHeads());
        QSignalSpy changed(&map, &HeadScoreMap::maskChanged);
        map.maskSlider()->setValue(50);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(map.maskFraction(), 0.5);
        QCOMPARE(map.maskedHeads().size(), size_t(24));
        QTest::keyClick(map.maskSlider(), Qt::Key_Right); // 51 %: still ⌊24.48⌋ heads
        QCOMPARE(map.maskSlider()->value(), 51);
        QCOMPARE(changed.size(), 1);
        QTest::keyClick(map.maskSlider(), Qt::Key_Right); // 52 %: ⌊24.96⌋ still
        QTest::keyClick(map.maskSlider(), Qt::Key_Right); // 53 %: 25 heads
        QCOMPARE(changed.size(), 2);
        QCOMPARE(map.maskedHeads().size(), size_t(25));
        map.setPerLayer(true);
        QCOMPARE(changed.size(), 3);
        QCOMPARE(map.maskedHeads().size(), size_t(24)); // ⌊6.36⌋ in each of 4 layers
    }

    void theSelectorOffersStrategiesWithoutComputingThem()
    {
        HeadScoreMap map;
        map.setStrategies({"weights", "activations", "gate"});
        map.setScores(fortyEightHeads());
        QCOMPARE(map.strategyChoice()->currentText(), QString("weights"));
        QSignalSpy chosen(&map, &HeadScoreMap::strategyChosen);
        map.show();
        map.strategyChoice()->setFocus();
        QTest::keyClick(map.strategyChoice(), Qt::Key_Down);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen[0][0].toString(), QString("activations"));
        QCOMPARE(map.scores().strategy, std::string("weights")); // until the window sends new scores
    }

    void wrongSizedScoresAreRefusedAndTheOldOnesKept()
    {
        HeadScoreMap map;
        map.setScores(fortyEightHeads());
        map.setMaskFraction(0.25);
        HeadScores wrong = fortyEightHeads();
        wrong.values.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, map.setScores(wrong));
        QCOMPARE(map.scores().values.size(), size_t(48));
        QCOMPARE(map.colourMap()->data()->keySize(), 12);
        QCOMPARE(map.maskedHeads().size(), size_t(12));
    }

    void aSingleLayerStillHasCellsToPointAt()
    {
        HeadScoreMap map;
        map.setScores({"activations", 1, 3, {0.1, 0.9, 0.5}});
        showAndDraw(map);
        const QImage drawn = map.plot()->toPixmap().toImage();
        for (int64_t head = 0; head < 3; ++head) {
            QVERIFY(near(drawn.pixelColor(pixelOf(map, 0, head)), cellColour(map, map.scores().at(0, head)), 2));
            const QPoint below = pixelOf(map, 0, head) + QPoint(0, map.plot()->axisRect()->height() / 3);
            QCOMPARE(map.headAt(below), std::optional<LayerHead>(LayerHead(0, head)));
        }
        QTest::mouseMove(map.plot(), pixelOf(map, 0, 1));
        QCOMPARE(map.hoverText(), QString("layer 0, head 1: score 0.9 (rank 1 of 3)"));
    }

    void followsThePaletteAndExports()
    {
        HeadScoreMap map;
        map.setScores(fortyEightHeads());
        map.setMaskFraction(0.25);
        showAndDraw(map);
        QPalette dark = map.palette();
        dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        map.setPalette(dark);
        QCOMPARE(map.colourScale()->axis()->tickLabelColor(), QColor(0xe0, 0xe0, 0xe0));
        map.plot()->replot();
        const LayerHead masked = map.maskedHeads().front();
        QVERIFY(near(map.plot()->toPixmap().toImage().pixelColor(pixelOf(map, masked.first, masked.second)),
                     QColor(0xe0, 0xe0, 0xe0), 40));
        sculpt::test::screenshot(map, "33-head-scores-dark.png");

        QTemporaryDir folder;
        const QString path = folder.filePath("heads.png");
        QString error;
        QVERIFY2(map.exportPlot(path, "head scores", {}, &error), qPrintable(error));
        const QImage exported(path);
        QVERIFY(!exported.isNull());
        QCOMPARE(exported.size(), map.plot()->size() * map.plot()->devicePixelRatioF());
        // The most important head (index 43: 43·29 mod 48 = 47) in the file where it is on screen.
        const double dpr = map.plot()->devicePixelRatioF();
        QVERIFY(near(exported.pixelColor(pixelOf(map, 3, 7) * dpr), cellColour(map, 0.5 + 47 / 4.0), 2));
    }
};

QTEST_MAIN(TestHeadScoreMap)
#include "test_head_score_map.moc"
