// Lily's router weights as a heatmap: each cell at its (row, expert) in colours fixed to
// [0, 1], the first row on top, hover naming the cell, and a routing that does not add up
// refused without losing the one shown.

#include "expert_routing_map.h"
#include "records/expert_routing.h"
#include "screenshot.h"

#include <QToolTip>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>
#include <stdexcept>

using namespace sculpt;

namespace {

// No two weights alike, and no row a reordering of another: a cell drawn transposed or
// upside down shows another colour.
ExpertRouting threeRows()
{
    return {{"0 q", "0 v", "1 q"},
            4,
            {0.1, 0.2, 0.3, 0.4, //
             0.55, 0.05, 0.15, 0.25, //
             0.0, 0.7, 0.12, 0.18}};
}

// A ViT's six blocks with q and v adapted, four experts: what a run would show.
ExpertRouting sixBlocks()
{
    ExpertRouting r{{}, 4, {}};
    for (int layer = 0; layer < 6; ++layer)
        for (const char *role : {"q", "v"}) {
            const auto row = r.rows.size();
            r.rows.push_back(std::to_string(layer) + ' ' + role);
            double raw[4], sum = 0;
            for (int e = 0; e < 4; ++e)
                sum += raw[e] = std::exp(double((row * 7 + size_t(e) * 3) % 5) / 2);
            for (double w : raw)
                r.weights.push_back(w / sum);
        }
    return r;
}

QPoint pixelOf(const ExpertRoutingMap &map, size_t row, int64_t expert)
{
    return QPoint(int(map.plot()->xAxis->coordToPixel(double(expert))),
                  int(map.plot()->yAxis->coordToPixel(double(row))));
}

bool near(QColor a, QColor b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

QColor cellColour(const ExpertRoutingMap &map, double weight)
{
    return QColor(map.colourMap()->gradient().color(weight, QCPRange(0, 1)));
}

void showAndDraw(ExpertRoutingMap &map)
{
    map.resize(640, 320);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.plot()->replot();
}

QCPItemText *emptyMessage(const ExpertRoutingMap &map)
{
    for (int i = 0; i < map.plot()->itemCount(); ++i)
        if (auto *text = qobject_cast<QCPItemText *>(map.plot()->item(i));
            text && text->text() == "Runs with Lily adapters show their routers here")
            return text;
    return nullptr;
}

QMap<double, QString> tickLabels(const QCPAxis *axis)
{
    return axis->ticker().dynamicCast<QCPAxisTickerText>()->ticks();
}

} // namespace

class TestExpertRoutingMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyWeightIsOneCellWithTheFirstRowOnTop()
    {
        ExpertRoutingMap map;
        const ExpertRouting r = threeRows();
        map.setRouting(r);
        showAndDraw(map);
        QCPColorMapData *cells = map.colourMap()->data(); // its readers are not const
        QCOMPARE(cells->keySize(), 4);
        QCOMPARE(cells->valueSize(), 3);
        const QImage drawn = map.plot()->toPixmap().toImage();
        for (size_t row = 0; row < 3; ++row)
            for (int64_t expert = 0; expert < 4; ++expert) {
                QCOMPARE(cells->data(double(expert), double(row)), r.at(row, expert));
                QCOMPARE(map.cellAt(pixelOf(map, row, expert)), std::optional(std::pair(row, expert)));
                const QColor seen = drawn.pixelColor(pixelOf(map, row, expert));
                QVERIFY2(near(seen, cellColour(map, r.at(row, expert)), 2),
                         qPrintable(QString("row %1 expert %2: %3").arg(row).arg(expert).arg(seen.name())));
            }
        // Read off the drawing alone: the top-left corner is the first row's first expert,
        // the bottom-right the last row's last.
        const QRect plotArea = map.plot()->axisRect()->rect();
        QVERIFY(near(drawn.pixelColor(plotArea.topLeft() + QPoint(4, 4)), cellColour(map, 0.1), 2));
        QVERIFY(near(drawn.pixelColor(plotArea.bottomRight() - QPoint(4, 4)), cellColour(map, 0.18), 2));

        // Fixed to [0, 1] although no weight reaches 0.8: two runs' colours mean the same.
        QCOMPARE(map.colourMap()->dataRange(), QCPRange(0, 1));
        QCOMPARE(tickLabels(map.plot()->yAxis), (QMap<double, QString>{{0, "0 q"}, {1, "0 v"}, {2, "1 q"}}));
        QCOMPARE(tickLabels(map.plot()->xAxis),
                 (QMap<double, QString>{{0, "expert 0"}, {1, "expert 1"}, {2, "expert 2"}, {3, "expert 3"}}));
        QVERIFY(!emptyMessage(map)->visible());
    }

    void hoveringACellReadsItsWeight()
    {
        ExpertRoutingMap map;
        map.setRouting(threeRows());
        showAndDraw(map);
        QTest::mouseMove(map.plot(), pixelOf(map, 1, 3));
        QCOMPARE(map.hoverText(), QString("layer 0 v · expert 3: 0.25 of the weight"));
        QTRY_COMPARE(QToolTip::text(), map.hoverText());
        QTest::mouseMove(map.plot(), pixelOf(map, 2, 1));
        QCOMPARE(map.hoverText(), QString("layer 1 q · expert 1: 0.7 of the weight"));
        QTest::mouseMove(map.plot(), QPoint(2, 2)); // the margin, off every cell
        QVERIFY(map.hoverText().isEmpty());
        QCOMPARE(map.cellAt(QPoint(2, 2)), std::nullopt);
    }

    void aRoutingThatDoesNotAddUpIsRefusedAndTheOldOneKept()
    {
        ExpertRoutingMap map;
        map.setRouting(threeRows());
        ExpertRouting short1 = threeRows();
        short1.weights[5] -= 0.01; // row "0 v" sums to 0.99
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, map.setRouting(short1));
        ExpertRouting missing = threeRows();
        missing.weights.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, map.setRouting(missing));
        ExpertRouting fewerExperts = threeRows();
        fewerExperts.experts = 3;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, map.setRouting(fewerExperts));

        QCOMPARE(map.routing().weights, threeRows().weights);
        QCOMPARE(map.colourMap()->data()->keySize(), 4);
        QCOMPARE(map.colourMap()->data()->cell(1, 0), 0.2);
        QCOMPARE(map.colourMap()->data()->cell(0, 1), 0.55);
    }

    void anEmptyRoutingSaysWhereRoutersComeFrom()
    {
        ExpertRoutingMap map;
        showAndDraw(map);
        QVERIFY(emptyMessage(map));
        QVERIFY(emptyMessage(map)->visible());
        QCOMPARE(map.colourMap()->data()->keySize(), 0);

        map.setRouting(threeRows());
        QVERIFY(!emptyMessage(map)->visible());
        map.setRouting({});
        QVERIFY(emptyMessage(map)->visible());
        QVERIFY(map.routing().empty());
        QCOMPARE(map.colourMap()->data()->keySize(), 0);
        QVERIFY(!map.colourScale()->visible());
        map.plot()->replot();
        QTest::mouseMove(map.plot(), map.plot()->axisRect()->center());
        QVERIFY(map.hoverText().isEmpty());
    }

    void aSingleRowOrExpertStillHasCellsToPointAt()
    {
        ExpertRoutingMap map;
        map.setRouting({{"3 q"}, 2, {0.25, 0.75}});
        showAndDraw(map);
        QImage drawn = map.plot()->toPixmap().toImage();
        const int third = map.plot()->axisRect()->height() / 3;
        for (int64_t expert = 0; expert < 2; ++expert) {
            const QPoint below = pixelOf(map, 0, expert) + QPoint(0, third);
            QVERIFY(near(drawn.pixelColor(below), cellColour(map, map.routing().at(0, expert)), 2));
            QCOMPARE(map.cellAt(below), std::optional(std::pair(size_t(0), expert)));
        }

        map.setRouting({{"0 q", "0 v"}, 1, {1, 1}});
        map.plot()->replot();
        drawn = map.plot()->toPixmap().toImage();
        const QPoint aside = pixelOf(map, 1, 0) + QPoint(map.plot()->axisRect()->width() / 3, 0);
        QVERIFY(near(drawn.pixelColor(aside), cellColour(map, 1), 2));
        QCOMPARE(map.cellAt(aside), std::optional(std::pair(size_t(1), int64_t(0))));
    }

    void followsThePalette()
    {
        ExpertRoutingMap map;
        map.setRouting(sixBlocks());
        showAndDraw(map);
        QCOMPARE(tickLabels(map.plot()->yAxis).size(), 12);
        sculpt::test::screenshot(map, "66-expert-routing.png");
        QPalette dark = map.palette();
        dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        map.setPalette(dark);
        QCOMPARE(map.colourScale()->axis()->tickLabelColor(), QColor(0xe0, 0xe0, 0xe0));
        QCOMPARE(map.plot()->yAxis->tickLabelColor(), QColor(0xe0, 0xe0, 0xe0));
    }
};

QTEST_MAIN(TestExpertRoutingMap)
#include "test_expert_routing_map.moc"
