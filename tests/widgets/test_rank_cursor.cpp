// The rank cursor's arithmetic: parameters kept, compression ratio, energy, break-even.

#include "analysis/metrics.h"
#include "rank_cursor.h"

#include <QtTest>
#include <cmath>
#include <vector>

using namespace sculpt;

class TestRankCursor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cutKeepsTheFactorsAndTheirEnergy()
    {
        const std::vector<double> sigma{4, 2, 1, 1}; // ‖W‖²_F = 22
        const RankCut cut = cutAtRank(sigma, 8, 4, 22, 2);
        QCOMPARE(cut.rank, 2L);
        QCOMPARE(cut.parameters, int64_t(32));
        QCOMPARE(cut.parametersKept, int64_t(24)); // 2·(8+4)
        QCOMPARE(cut.compressionRatio, 1.0 - 24.0 / 32.0);
        QCOMPARE(cut.energyRetained, 20.0 / 22.0);
        QCOMPARE(cut.breakevenRank, 32.0 / 12.0);
    }

    void rankIsClampedAndFullRankKeepsAllEnergy()
    {
        const std::vector<double> sigma{3, 1};
        const RankCut full = cutAtRank(sigma, 2, 2, 10, 99);
        QCOMPARE(full.rank, 2L);
        QCOMPARE(full.compressionRatio, -1.0); // two 2×2 factors store twice W
        QCOMPARE(full.energyRetained, 1.0);
        const RankCut none = cutAtRank(sigma, 2, 2, 10, -3);
        QCOMPARE(none.rank, 0L);
        QCOMPARE(none.compressionRatio, 1.0);
        QCOMPARE(none.energyRetained, 0.0);
    }

    void aPreviewHasNoEnergyBeyondItsValues()
    {
        const std::vector<double> top{5, 3}; // the two largest of a 6×6 matrix
        QCOMPARE(cutAtRank(top, 6, 6, 50, 2).energyRetained, 34.0 / 50.0);
        QVERIFY(std::isnan(cutAtRank(top, 6, 6, 50, 3).energyRetained));
        QVERIFY(std::isnan(cutAtRank(top, 6, 6, 0, 1).energyRetained)); // a zero matrix keeps nothing
    }

    void rankForRatioInvertsTheCut_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<double>("ratio");
        QTest::newRow("half of a square") << 64 << 64 << 0.5;
        QTest::newRow("tall, 90 %") << 4096 << 1024 << 0.9;
        QTest::newRow("break-even") << 100 << 60 << 0.0;
        QTest::newRow("negative: above break-even") << 64 << 64 << -0.5;
        QTest::newRow("everything") << 64 << 64 << 1.0;
        QTest::newRow("more than full rank costs") << 10 << 30 << -5.0;
    }

    void rankForRatioInvertsTheCut()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(double, ratio);
        const long k = cursorRankForRatio(rows, cols, ratio);
        const long full = std::min(rows, cols);
        QVERIFY(k >= 0 && k <= full);
        const auto saved = [&](long rank) { return 1.0 - double(rank) * (rows + cols) / (double(rows) * cols); };
        if (k > 0 || ratio <= 1)
            QVERIFY2(k == 0 || saved(k) >= ratio - 1e-12, qPrintable(QString::number(k)));
        if (k < full)
            QVERIFY(saved(k + 1) < ratio); // the largest such rank
        if (ratio >= 0)
            QCOMPARE(k, std::min(full, rankForCompression(rows, cols, ratio)));
    }
};

QTEST_APPLESS_MAIN(TestRankCursor)
#include "test_rank_cursor.moc"
