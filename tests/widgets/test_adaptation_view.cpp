// The Adaptation tab: the fine-tuning runs as rows, the chosen run's curve (live or stored,
// heat's masking marked) and its starting model's and result's predictions on the test images.

#include "adaptation_view.h"
#include "screenshot.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>
#include <stdexcept>

using namespace sculpt;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

AdaptationRecord adaptRun()
{
    AdaptationRecord r;
    r.id = "adapt-1";
    r.command = "adapt";
    r.task = "t1";
    r.method = "lora";
    r.rank = 8;
    r.epochs = 3;
    r.trainable = 12345;
    r.curve = {{1, 2.0, 0.5}, {2, 1.25, 0.7}, {3, 0.9, 0.853}};
    r.validationAccuracy = 0.853;
    r.testAccuracy = kNaN;
    r.date = "2025-01-31T17:04:05Z";
    return r;
}

AdaptationRecord headsRun()
{
    AdaptationRecord r;
    r.id = "heads-1";
    r.command = "heads";
    r.task = "t2";
    r.method = "none";
    r.scores = {"weights", 2, 2, {1, 2, 3, 4}};
    r.validationAccuracy = 0.4;
    r.date = "2025-02-01T09:00:00Z";
    return r;
}

AdaptationRecord heatRun()
{
    AdaptationRecord r;
    r.id = "heat-1";
    r.command = "heat";
    r.task = "t1";
    r.method = "bottleneck";
    r.rank = 8;
    r.epochs = 3;
    r.trainable = 2048;
    r.scores = {"activations", 2, 4, {1, 2, 3, 4, 5, 6, 7, 8}};
    r.mask = 0.25;
    r.changedAfter = 3; // masked after the first training
    r.perLayer = true;
    r.masked = {{0, 0}, {1, 0}};
    for (int64_t e = 1; e <= 6; ++e)
        r.curve.push_back({e, 3.0 / double(e), 0.1 * double(e)});
    r.validationAccuracy = 0.6;
    r.testAccuracy = 0.55;
    r.date = "2025-02-02T10:30:00Z";
    return r;
}

// Labels 0…9 over and over; each image a flat grey of its label, so a tile can be told apart.
std::vector<TestImage> images(int64_t count)
{
    std::vector<TestImage> out;
    for (int64_t i = 0; i < count; ++i) {
        QImage image(28, 28, QImage::Format_Grayscale8);
        image.fill(QColor::fromRgb(int(25 * (i % 10)), int(25 * (i % 10)), int(25 * (i % 10))));
        out.push_back({image, i % 10});
    }
    return out;
}

// An adapt run with predictions on 12 images: the model as opened gets all but image 0 wrong,
// the result gets images 3, 7 and 11 wrong.
AdaptationRecord adaptRunWithPredictions()
{
    AdaptationRecord r = adaptRun();
    for (int64_t i = 0; i < 12; ++i) {
        r.referencePredictions.push_back(i == 0 ? 0 : (i % 10 + 1) % 10);
        r.predictions.push_back(i == 3 || i == 7 || i == 11 ? (i % 10 + 5) % 10 : i % 10);
    }
    r.referenceTestAccuracy = 0.1;
    r.referenceTrainable = 0;
    r.testAccuracy = 0.875;
    return r;
}

QString cellText(const AdaptationView &view, int row, int column)
{
    return view.runsTable()->item(row, column)->text();
}

} // namespace

class TestAdaptationView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eachRunIsARowAndUnmeasuredIsADash()
    {
        AdaptationView view;
        QVERIFY(!view.hint().isEmpty());
        QSignalSpy selected(&view, &AdaptationView::runSelected);
        view.setRuns({adaptRun(), headsRun(), heatRun()});
        QCOMPARE(view.runCount(), 3);
        QCOMPARE(view.runsTable()->rowCount(), 3);
        QVERIFY(view.hint().isEmpty());
        QCOMPARE(view.selectedRun(), nullptr);
        QCOMPARE(selected.size(), 0);

        QCOMPARE(cellText(view, 0, AdaptationView::Command), QString("adapt"));
        QCOMPARE(cellText(view, 0, AdaptationView::Task), QString("t1"));
        QCOMPARE(cellText(view, 0, AdaptationView::Method), QString("lora r 8"));
        QCOMPARE(cellText(view, 0, AdaptationView::Epochs), QString("3"));
        QCOMPARE(cellText(view, 0, AdaptationView::Trainable), QLocale().toString(12345));
        QCOMPARE(cellText(view, 0, AdaptationView::Validation), QString("85.3\u00a0%"));
        QCOMPARE(cellText(view, 0, AdaptationView::Test), QString("—"));
        QCOMPARE(cellText(view, 1, AdaptationView::Method), QString("none · weights"));
        QCOMPARE(cellText(view, 1, AdaptationView::Test), QString("—"));
        QCOMPARE(cellText(view, 2, AdaptationView::Method),
                 QString("bottleneck r 8 · activations · 25\u00a0% masked per layer"));
        QCOMPARE(cellText(view, 2, AdaptationView::Test), QString("55.0\u00a0%"));
        for (int row = 0; row < 3; ++row)
            for (int column = 0; column < AdaptationView::ColumnCount; ++column)
                QVERIFY2(!cellText(view, row, column).contains("nan", Qt::CaseInsensitive),
                         qPrintable(QString("row %1 column %2").arg(row).arg(column)));

        view.setRuns({headsRun()});
        QCOMPARE(view.runsTable()->rowCount(), 1);
        QCOMPARE(cellText(view, 0, AdaptationView::Command), QString("heads"));
    }

    void addingARunChoosesItAndSaysSo()
    {
        AdaptationView view;
        view.setRuns({adaptRun(), headsRun()});
        QSignalSpy selected(&view, &AdaptationView::runSelected);
        view.addRun(heatRun());
        QCOMPARE(view.runCount(), 3);
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected[0][0].value<AdaptationRecord>().id, std::string("heat-1"));
        QVERIFY(view.selectedRun());
        QCOMPARE(view.selectedRun()->id, std::string("heat-1"));
        QCOMPARE(view.curvePointCount(), 6);

        // The user's choice shows that run and says so too.
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTableWidget *table = view.runsTable();
        const QRect cell = table->visualItemRect(table->item(1, AdaptationView::Task));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(selected.size(), 2);
        QCOMPARE(selected[1][0].value<AdaptationRecord>().scores.strategy, std::string("weights"));
        QCOMPARE(view.selectedRun()->id, std::string("heads-1"));
        QCOMPARE(view.curvePointCount(), 0); // heads scored the model as it was: no training
        QVERIFY(!view.maskLine()->visible());
    }

    void aLiveRunDrawsEachEpochOnItsAxis()
    {
        AdaptationView view;
        view.startLive("adapt · t1 · full", 4);
        QCOMPARE(view.curveTitle(), QString("adapt · t1 · full"));
        QCOMPARE(view.curvePointCount(), 0);
        QVERIFY(!view.maskLine()->visible());
        view.addEpoch({1, 2.5, 0.40});
        view.addEpoch({2, 1.5, 0.625});
        QCOMPARE(view.curvePointCount(), 2);
        QCPGraph *loss = view.lossGraph(), *accuracy = view.accuracyGraph();
        QCOMPARE(loss->valueAxis(), loss->parentPlot()->yAxis);
        QCOMPARE(accuracy->valueAxis(), accuracy->parentPlot()->yAxis2);
        QCOMPARE(loss->data()->at(1)->key, 2.0);
        QCOMPARE(loss->data()->at(1)->value, 1.5);
        QCOMPARE(accuracy->data()->at(0)->value, 40.0);
        QCOMPARE(accuracy->data()->at(1)->value, 62.5);
        QCOMPARE(accuracy->valueAxis()->range(), QCPRange(0, 100));
        QVERIFY(loss->valueAxis()->range().contains(2.5)); // rescaled to the largest loss
        QVERIFY(loss->keyAxis()->range().contains(4));     // room for every epoch asked
        sculpt::test::screenshot(view, "40-adaptation-live.png");

        // heat numbers its second training on: the line parts the two.
        view.startLive("heat · t1", 2, 2);
        QCOMPARE(view.curvePointCount(), 0);
        for (int64_t e = 1; e <= 4; ++e)
            view.addEpoch({e, 1.0 / double(e), 0.2 * double(e)});
        QCOMPARE(view.curvePointCount(), 4);
        QCOMPARE(view.lossGraph()->data()->at(3)->key, 4.0);
        QVERIFY(view.lossGraph()->keyAxis()->range().contains(4));
        QVERIFY(view.maskLine()->visible());
        QCOMPARE(view.maskLine()->point1->coords().x(), 2.5);
    }

    void choosingARunEndsTheLiveCurve()
    {
        AdaptationView view;
        view.setRuns({adaptRun()});
        view.startLive("adapt · t1 · lora", 3);
        view.addEpoch({1, 1.0, 0.5});
        QCOMPARE(view.selectedRun(), nullptr);
        view.runsTable()->selectRow(0);
        QCOMPARE(view.curvePointCount(), 3); // the stored run's curve
        view.addEpoch({2, 0.5, 0.6});
        QCOMPARE(view.curvePointCount(), 3);
    }

    void aStoredHeatRunMarksWhereHeadsWereMasked()
    {
        AdaptationView view;
        view.addRun(heatRun());
        QCOMPARE(view.curvePointCount(), 6);
        QVERIFY(view.maskLine()->visible());
        QCOMPARE(view.maskLine()->point1->coords().x(), 3.5); // after record.changedAfter
        QCOMPARE(view.maskLine()->point2->coords().x(), 3.5);
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(view.lossGraph()->data()->at(i)->key, double(i + 1));
            QCOMPARE(view.accuracyGraph()->data()->at(i)->value, 10.0 * (i + 1));
        }
        QVERIFY(view.curveTitle().contains("heat"));
        view.resize(1000, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        sculpt::test::screenshot(view, "42-adaptation-heat.png");

        view.addRun(adaptRun());
        QCOMPARE(view.curvePointCount(), 3);
        QVERIFY(!view.maskLine()->visible());
    }

    void theGridMarksEachModelsMistakes()
    {
        AdaptationView view;
        std::vector<std::pair<std::string, int64_t>> asked;
        view.setTestImageSource([&](const std::string &task, int64_t count) {
            asked.emplace_back(task, count);
            return images(20); // more than asked: only the predicted ones show
        });
        view.addRun(adaptRunWithPredictions());
        QCOMPARE(asked.size(), size_t(1));
        QCOMPARE(asked[0], std::pair(std::string("t1"), int64_t(12)));
        QVERIFY(view.gridNote().isEmpty());
        QCOMPARE(view.gridImageCount(AdaptationView::Before), 12);
        QCOMPARE(view.gridImageCount(AdaptationView::After), 12);
        QCOMPARE(view.gridMistakes(AdaptationView::Before), 11);
        QCOMPARE(view.gridMistakes(AdaptationView::After), 3);
        const QString before = view.gridHeader(AdaptationView::Before), after = view.gridHeader(AdaptationView::After);
        QVERIFY2(before.contains("as opened") && before.contains("10.0\u00a0%") && before.contains("nothing trained"),
                 qPrintable(before));
        QVERIFY2(after.contains("lora") && after.contains("87.5\u00a0%") && after.contains(QLocale().toString(12345)),
                 qPrintable(after));
        view.resize(1200, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        sculpt::test::screenshot(view, "41-adaptation-grid.png");

        AdaptationRecord heat = heatRun();
        heat.referencePredictions = {0, 1, 2, 3};
        heat.predictions = {0, 1, 9, 9};
        heat.referenceTestAccuracy = 0.6;
        view.addRun(heat);
        QCOMPARE(view.gridImageCount(AdaptationView::After), 4);
        QCOMPARE(view.gridMistakes(AdaptationView::Before), 0);
        QCOMPARE(view.gridMistakes(AdaptationView::After), 2);
        QVERIFY(view.gridHeader(AdaptationView::Before).contains("every head"));

        view.addRun(headsRun());
        QCOMPARE(view.gridImageCount(AdaptationView::After), 0);
        QVERIFY(view.gridNote().contains("heads"));
    }

    void aGridWithoutImagesSaysWhy()
    {
        AdaptationView view;
        view.addRun(adaptRunWithPredictions());
        QCOMPARE(view.gridImageCount(AdaptationView::After), 0);
        QVERIFY(!view.gridNote().isEmpty());

        view.setTestImageSource([](const std::string &, int64_t) { return images(5); });
        QCOMPARE(view.gridImageCount(AdaptationView::After), 0);
        QVERIFY2(view.gridNote().contains("5 of the 12"), qPrintable(view.gridNote()));

        view.setTestImageSource([](const std::string &, int64_t) -> std::vector<TestImage> {
            throw std::runtime_error("t1's test labels: the file ends after 7 of 10000 labels");
        });
        QCOMPARE(view.gridImageCount(AdaptationView::Before), 0);
        QVERIFY2(view.gridNote().contains("t1's test labels: the file ends after 7 of 10000 labels"),
                 qPrintable(view.gridNote()));
        QVERIFY(view.gridHeader(AdaptationView::After).isEmpty());

        view.setTestImageSource([](const std::string &, int64_t count) { return images(count); });
        QCOMPARE(view.gridImageCount(AdaptationView::After), 12);
        QVERIFY(view.gridNote().isEmpty());
    }

    void clearEmptiesEverything()
    {
        AdaptationView view;
        view.setTestImageSource([](const std::string &, int64_t count) { return images(count); });
        view.setRuns({adaptRun(), headsRun()});
        view.addRun(heatRun());
        view.addRun(adaptRunWithPredictions());
        QCOMPARE(view.gridImageCount(AdaptationView::After), 12);
        view.clear();
        QCOMPARE(view.runCount(), 0);
        QCOMPARE(view.runsTable()->rowCount(), 0);
        QCOMPARE(view.selectedRun(), nullptr);
        QCOMPARE(view.curvePointCount(), 0);
        QVERIFY(view.curveTitle().isEmpty());
        QVERIFY(!view.maskLine()->visible());
        QCOMPARE(view.gridImageCount(AdaptationView::Before), 0);
        QCOMPARE(view.gridImageCount(AdaptationView::After), 0);
        QCOMPARE(view.gridMistakes(AdaptationView::After), 0);
        QVERIFY(!view.hint().isEmpty());

        // A live run cleared away draws no more.
        view.startLive("adapt · t1 · full", 3);
        view.addEpoch({1, 1.0, 0.5});
        view.clear();
        view.addEpoch({2, 0.5, 0.6});
        QCOMPARE(view.curvePointCount(), 0);
    }
};

QTEST_MAIN(TestAdaptationView)
#include "test_adaptation_view.moc"
