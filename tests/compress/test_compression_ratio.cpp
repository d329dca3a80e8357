// The one definition of the ratio removed, checked against hand-computed numbers.

#include "compress/ratio.h"

#include <QtTest>

using namespace sculpt;

class TestCompressionRatio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void breakEvenIsWhereFactorsCostTheDenseMatrix()
    {
        QCOMPARE(breakEvenRank(64, 64), 32);
        QCOMPARE(breakEvenRank(172, 64), 46); // 11008 / 236 = 46.6
        QVERIFY(!staysDense({64, 64, 31}));
        QVERIFY(staysDense({64, 64, 32})); // 32·128 = 4096 = 64·64
        QCOMPARE(storedParameters({64, 64, 10}), 1280);
        QCOMPARE(storedParameters({64, 64, 40}), 4096);
    }

    void ratioIsOverTheTargetedLayers()
    {
        const LayerSize layers[] = {{64, 64, 16}, {172, 64, 64}};
        // 1 − (16·128 + 172·64) / (64·64 + 172·64): the second layer stays dense.
        QCOMPARE(ratioRemoved(layers), 1 - (2048.0 + 11008.0) / (4096.0 + 11008.0));
        const LayerSize none[] = {{8, 8, 8}};
        QCOMPARE(ratioRemoved(none), 0.0);
    }

    void rankForRatioIsTheLargestThatMeetsIt_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<double>("ratio");
        QTest::newRow("square 20 %") << 64 << 64 << 0.2;
        QTest::newRow("square 60 %") << 64 << 64 << 0.6;
        QTest::newRow("wide 40 %") << 172 << 64 << 0.4;
        QTest::newRow("tall 40 %") << 64 << 172 << 0.4;
        QTest::newRow("large 33 %") << 11008 << 4096 << 0.33;
    }
    void rankForRatioIsTheLargestThatMeetsIt()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(double, ratio);
        const int64_t k = rankForRatio(rows, cols, ratio);
        const LayerSize kept[] = {{rows, cols, k}}, more[] = {{rows, cols, k + 1}};
        QVERIFY(ratioRemoved(kept) >= ratio - 1e-12);
        QVERIFY(ratioRemoved(more) < ratio);
    }

    void noRatioKeepsEverything()
    {
        QCOMPARE(rankForRatio(64, 64, 0), 64);
        // 172·64/236 = 46.6: rank 46 would remove 1.4 % but lose information for nothing.
        QCOMPARE(rankForRatio(172, 64, 0), 64);
        QVERIFY(staysDense({172, 64, rankForRatio(172, 64, 0)}));
    }
};

QTEST_APPLESS_MAIN(TestCompressionRatio)
#include "test_compression_ratio.moc"
