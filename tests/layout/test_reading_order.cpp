// The recursive-cut reading order on pages whose order a reader knows, Kendall's τ, and the
// estimator's agreement with OpenMantra's and ACBF's own order (the README's figures).

#include "layout/layout_reader.h"
#include "layout/reading_order.h"

#include <QtTest>

#include <filesystem>

using namespace sculpt;

namespace {

using Order = std::vector<size_t>;

OrderOptions manga() { return {}; }

OrderOptions western()
{
    OrderOptions options;
    options.direction = ReadingDirection::LeftToRight;
    return options;
}

} // namespace

class TestReadingOrder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowsTopDownRightToLeft()
    {
        // Two tiers of two panels, listed scrambled: manga reads each tier right to left.
        const std::vector<Box> boxes{{0, 500, 480, 1000}, {520, 0, 1000, 480}, {0, 0, 480, 480}, {520, 500, 1000, 1000}};
        QCOMPARE(readingOrder(boxes, 1000, manga()), (Order{1, 2, 3, 0}));
        QCOMPARE(readingOrder(boxes, 1000, western()), (Order{2, 1, 0, 3}));
    }

    void tallPanelIsReadBeforeItsNeighbours()
    {
        // A full-height panel on the right, two stacked on the left: no horizontal cut clears
        // the tall one, so the vertical cut comes first.
        const std::vector<Box> boxes{{0, 0, 480, 490}, {0, 510, 480, 1000}, {520, 0, 1000, 1000}};
        QCOMPARE(readingOrder(boxes, 1000, manga()), (Order{2, 0, 1}));
        QCOMPARE(readingOrder(boxes, 1000, western()), (Order{0, 1, 2}));
    }

    void slightOverlapDoesNotBlockACut()
    {
        // The top panel reaches 10 % of its height below the line the lower panels start at.
        const std::vector<Box> boxes{{0, 0, 1000, 500}, {0, 450, 480, 1000}, {520, 450, 1000, 1000}};
        QCOMPARE(readingOrder(boxes, 1000, manga()), (Order{0, 2, 1}));
        QVERIFY(orderIsWellDefined(boxes, 1000, manga()));
        // Crossing every horizontal line by more than 25 % of their heights, these panels leave
        // only vertical cuts: the right column first, then the two narrow ones right to left.
        const std::vector<Box> deep{{600, 0, 1000, 500}, {0, 300, 480, 1000}, {520, 300, 580, 1000}};
        QCOMPARE(readingOrder(deep, 1000, manga()), (Order{0, 2, 1}));
    }

    void spreadReadsTheRightPageFirst()
    {
        // A spread: the right page has one full panel, the left page two tiers. Without the
        // middle cut the top tier would run across both pages.
        const std::vector<Box> boxes{{0, 0, 800, 500}, {0, 520, 800, 1000}, {860, 0, 1660, 1000}};
        OrderOptions options = manga();
        options.spread = true;
        QCOMPARE(readingOrder(boxes, 1660, options), (Order{2, 0, 1}));
        // Tiers at the same height on both pages: only the middle cut keeps each page whole.
        const std::vector<Box> tiers{{0, 0, 800, 480}, {0, 520, 800, 1000}, {860, 0, 1660, 480}, {860, 520, 1660, 1000}};
        QCOMPARE(readingOrder(tiers, 1660, options), (Order{2, 3, 0, 1}));
        options.spread = false;
        QCOMPARE(readingOrder(tiers, 1660, options), (Order{2, 0, 3, 1}));
    }

    void pinwheelIsNotWellDefined()
    {
        // Four panels around a centre one, each blocking the others' cuts.
        const std::vector<Box> boxes{{0, 0, 600, 300}, {600, 0, 1000, 600}, {400, 600, 1000, 1000}, {0, 300, 400, 1000},
                                     {400, 300, 600, 600}};
        QVERIFY(!orderIsWellDefined(boxes, 1000, manga()));
        Order order = readingOrder(boxes, 1000, manga());
        std::sort(order.begin(), order.end());
        QCOMPARE(order, (Order{0, 1, 2, 3, 4})); // every panel still appears once
        QVERIFY(orderIsWellDefined({{0, 0, 10, 10}}, 10, manga()));
    }

    void kendallTauCountsPairs()
    {
        QCOMPARE(kendallTau({0, 1, 2, 3}), 1.0);
        QCOMPARE(kendallTau({3, 2, 1, 0}), -1.0);
        QCOMPARE(kendallTau({1, 0, 2, 3}), 4.0 / 6.0); // one discordant pair of six
        QCOMPARE(kendallTau({0}), 1.0);
    }

    void agreementCountsOnlyOrderedBooks()
    {
        LayoutBook book;
        book.panelsInReadingOrder = true;
        Page inOrder, reversed, single;
        inOrder.width = reversed.width = single.width = 1000;
        inOrder.panels = {Panel{{0, 0, 1000, 400}, {}}, Panel{{0, 500, 1000, 1000}, {}}};
        reversed.panels = {Panel{{0, 500, 1000, 1000}, {}}, Panel{{0, 0, 1000, 400}, {}}};
        single.panels = {Panel{{0, 0, 1000, 1000}, {}}};
        book.pages = {inOrder, reversed, single};
        LayoutBook unordered = book;
        unordered.panelsInReadingOrder = false;
        const OrderAgreement agreement = orderAgreement({book, unordered});
        QCOMPARE(agreement.pages, 2);
        QCOMPARE(agreement.fullAgreement, 1);
        QCOMPARE(agreement.meanTau, 0.0);
    }

    // The README's figures: how often the estimator finds the annotated order on real pages.
    void agreesWithRealAnnotations_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("pages");
        QTest::addColumn<double>("leastFullShare");
        QTest::newRow("OpenMantra") << "openmantra/annotation.json" << 205 << 0.85;
        QTest::newRow("ACBF Craphound") << "acbf_craphound/craphound.acbf" << 23 << 0.85;
    }
    void agreesWithRealAnnotations()
    {
        QFETCH(QString, file);
        QFETCH(int, pages);
        QFETCH(double, leastFullShare);
        const QString path = QStringLiteral(SCULPT_SHARED_DIR "/datasets/") + file;
        if (!std::filesystem::exists(path.toStdString()))
            QSKIP(qPrintable("no " + path + " (../shared/datasets is absent)"));
        const OrderAgreement agreement = orderAgreement(readLayouts(path.toStdString()));
        qInfo("%s: %d of %d pages in full agreement, mean Kendall tau %.3f", qPrintable(file), agreement.fullAgreement,
              agreement.pages, agreement.meanTau);
        QCOMPARE(agreement.pages, pages);
        QVERIFY(agreement.fullAgreement >= leastFullShare * agreement.pages);
        QVERIFY(agreement.meanTau > 0.8);
    }
};

QTEST_APPLESS_MAIN(TestReadingOrder)
#include "test_reading_order.moc"
