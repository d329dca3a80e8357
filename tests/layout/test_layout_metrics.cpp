// The layout metrics on pages whose overlap, coverage, alignment and panel statistics are
// worked out by hand, and the guillotine baseline: exactly the panels asked for, inside the
// page and apart, the same pages for the same seed.

#include "layout/guillotine_layouts.h"
#include "layout/layout_metrics.h"

#include <QtTest>

#include <cmath>
#include <stdexcept>

using namespace sculpt;

namespace {

Page pageOf(double width, double height, const std::vector<Box> &boxes)
{
    Page page;
    page.width = width;
    page.height = height;
    for (const Box &box : boxes)
        page.panels.push_back({box, {}});
    return page;
}

bool near(double a, double b) { return std::abs(a - b) < 1e-12; }

double intersection(const Box &a, const Box &b)
{
    const double w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
    const double h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
    return w > 0 && h > 0 ? w * h : 0;
}

} // namespace

class TestLayoutMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void twoHalvesCoverThePage()
    {
        const Page page = pageOf(100, 200, {{0, 0, 50, 200}, {50, 0, 100, 200}});
        QCOMPARE(pageCoverage(page), 1.0);
        QCOMPARE(pageOverlap(page), 0.0);
        QCOMPARE(pageAlignment(page), 0.0); // their tops (and bottoms) line up
    }

    void overlappingPair()
    {
        // [0,6]² and [4,10]² on a 10×10 page meet in a 2×2 square.
        const Page page = pageOf(10, 10, {{0, 0, 6, 6}, {4, 4, 10, 10}});
        QVERIFY(near(pageOverlap(page), 0.04));
        QVERIFY(near(pageCoverage(page), 0.68)); // (36 + 36 − 4) / 100
        // Every coordinate of one is 0.4 page from the other's: −log(1 − 0.4) for each.
        QVERIFY(near(pageAlignment(page), -std::log(0.6)));
    }

    void threePanelsByInclusionExclusion()
    {
        // A = [0,4]², B = [2,6]², C = [3,5]×[0,3]: A∩B 4, A∩C 3, B∩C 2, A∩B∩C 1.
        const Page page = pageOf(10, 10, {{0, 0, 4, 4}, {2, 2, 6, 6}, {3, 0, 5, 3}});
        QVERIFY(near(pageOverlap(page), 0.09));
        QVERIFY(near(pageCoverage(page), 0.30)); // 16 + 16 + 6 − 4 − 3 − 2 + 1
        // Panels beyond the page cover only what lies on it.
        QVERIFY(near(pageCoverage(pageOf(10, 10, {{-5, 0, 5, 10}, {-5, -5, 20, 0}})), 0.5));
    }

    void alignmentTakesTheNearestCoordinate()
    {
        // A and B share their tops; C's nearest coordinate is its centre-x, 0.05 from A's (0.25).
        const Page page = pageOf(1, 1, {{0, 0, 0.5, 0.5}, {0.5, 0, 1, 0.5}, {0.1, 0.6, 0.3, 0.9}});
        QVERIFY(near(pageAlignment(page), -std::log(0.95) / 3));
        QCOMPARE(pageAlignment(pageOf(1, 1, {{0.2, 0.3, 0.4, 0.9}})), 0.0); // a lone panel
        // The mean leaves out pages without panels, and pages without an area.
        const std::vector<Page> pages{page, pageOf(1, 1, {}), pageOf(0, 1, {{0, 0, 1, 1}, {0.3, 0.1, 0.5, 0.2}})};
        QVERIFY(near(meanAlignment(pages), -std::log(0.95) / 3));
        QVERIFY(near(meanCoverage(pages), (0.56 + 0) / 2)); // A, B and C cover 0.25 + 0.25 + 0.06
    }

    void panelCounts()
    {
        const std::vector<Page> pages{pageOf(1, 1, {{0, 0, 1, 1}, {0, 0, 1, 1}}),
                                      pageOf(1, 1, {{0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}}), pageOf(1, 1, {}),
                                      pageOf(1, 1, {{0, 0, 1, 1}, {0, 0, 1, 1}})};
        QCOMPARE(panelCountAccuracy(pages, {2, 4, 0, 3}), 0.5);
        QCOMPARE(panelCountHistogram(pages), (std::vector<int>{1, 0, 2, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, panelCountAccuracy(pages, {2}));
    }

    void orderConsistencyCountsSettledPages()
    {
        // Two tiers settle; a pinwheel (four panels round a centre one, each blocking the
        // others' cuts) does not; a lone panel is left out.
        const std::vector<Page> pages{
            pageOf(1000, 1000, {{0, 0, 1000, 480}, {0, 520, 1000, 1000}}),
            pageOf(1000, 1000, {{0, 0, 600, 300}, {600, 0, 1000, 600}, {400, 600, 1000, 1000}, {0, 300, 400, 1000},
                                {400, 300, 600, 600}}),
            pageOf(1000, 1000, {{0, 0, 10, 10}})};
        QCOMPARE(orderConsistency(pages, ReadingDirection::RightToLeft), 0.5);
        QCOMPARE(orderConsistency({pages[2]}, ReadingDirection::LeftToRight), 0.0);
        // Guillotine cuts always settle the order.
        QCOMPARE(orderConsistency(guillotineLayouts({2, 5, 9, 12}, 1.41, 8), ReadingDirection::RightToLeft), 1.0);
    }

    void frechetDistance()
    {
        const std::vector<Page> real{pageOf(200, 300, {{0, 0, 100, 150}, {100, 0, 200, 90}, {20, 150, 180, 300}}),
                                     pageOf(100, 100, {{10, 10, 40, 90}, {50, 10, 90, 50}})};
        QVERIFY(std::abs(panelFrechetDistance(real, real)) < 1e-12);
        // The same layouts drawn 0.1 page further right: only the means differ, by 0.1 in x.
        std::vector<Page> shifted = real;
        for (Page &page : shifted)
            for (Panel &panel : page.panels) {
                panel.box.x0 += 0.1 * page.width;
                panel.box.x1 += 0.1 * page.width;
            }
        QVERIFY(std::abs(panelFrechetDistance(shifted, real) - 0.01) < 1e-12);
        // Centred panels that vary in width alone: widths {0.2, 0.4} against {0.4, 0.8} are
        // 1-D Gaussians with means 0.3 and 0.6 and variances 0.02 and 0.08:
        // (0.3 − 0.6)² + 0.02 + 0.08 − 2·√(0.02·0.08) = 0.11.
        const auto centred = [](std::vector<double> widths) {
            std::vector<Box> boxes;
            for (const double w : widths)
                boxes.push_back({0.5 - w / 2, 0.25, 0.5 + w / 2, 0.75});
            return std::vector<Page>{pageOf(1, 1, boxes)};
        };
        QVERIFY(std::abs(panelFrechetDistance(centred({0.2, 0.4}), centred({0.4, 0.8})) - 0.11) < 1e-12);
        // Pixels or the model's page units: the same layout is the same.
        const std::vector<Page> model{pageOf(1, 1.5, {{0, 0, 0.5, 0.75}, {0.5, 0, 1, 0.45}, {0.1, 0.75, 0.9, 1.5}}),
                                      pageOf(1, 1, {{0.1, 0.1, 0.4, 0.9}, {0.5, 0.1, 0.9, 0.5}})};
        QVERIFY(std::abs(panelFrechetDistance(model, real)) < 1e-12);
        QVERIFY(std::isnan(panelFrechetDistance({pageOf(1, 1, {{0, 0, 1, 1}})}, real)));
    }

    void guillotinePagesHoldExactlyTheirPanels()
    {
        const double aspect = 1.41;
        for (const uint64_t seed : {1ull, 2ull, 7ull, 2024ull, 0xFFFFFFFFFFFFull}) {
            const std::vector<int> counts{1, 2, 3, 4, 5, 6, 7, 8, 9};
            const std::vector<Page> pages = guillotineLayouts(counts, aspect, seed);
            QCOMPARE(pages.size(), counts.size());
            QCOMPARE(panelCountAccuracy(pages, counts), 1.0);
            for (const Page &page : pages) {
                QCOMPARE(page.width, 1.0);
                QCOMPARE(page.height, aspect);
                for (size_t i = 0; i < page.panels.size(); ++i) {
                    const Box &a = page.panels[i].box;
                    QVERIFY(a.x0 >= 0 && a.y0 >= 0 && a.x1 <= 1 && a.y1 <= aspect);
                    QVERIFY(a.width() > 0.05 && a.height() > 0.05);
                    for (size_t j = i + 1; j < page.panels.size(); ++j)
                        QCOMPARE(intersection(a, page.panels[j].box), 0.0);
                }
                QCOMPARE(pageOverlap(page), 0.0);
                QVERIFY2(pageCoverage(page) > 0.7, qPrintable(QString::number(pageCoverage(page))));
            }
        }
    }

    void guillotineIsSeeded()
    {
        const std::vector<int> counts{3, 5, 8};
        const std::vector<Page> a = guillotineLayouts(counts, 1.4, 11), b = guillotineLayouts(counts, 1.4, 11);
        const std::vector<Page> c = guillotineLayouts(counts, 1.4, 12);
        bool differs = false;
        for (size_t p = 0; p < counts.size(); ++p)
            for (size_t i = 0; i < a[p].panels.size(); ++i) {
                const Box &x = a[p].panels[i].box, &y = b[p].panels[i].box, &z = c[p].panels[i].box;
                QVERIFY(x.x0 == y.x0 && x.y0 == y.y0 && x.x1 == y.x1 && x.y1 == y.y1);
                differs |= x.x0 != z.x0 || x.y0 != z.y0 || x.x1 != z.x1 || x.y1 != z.y1;
            }
        QVERIFY(differs);
        // Pinned, so a change of the draws or the arithmetic shows: a tier of two (right, then
        // left) above one panel, 0.02 apart, 0.04 from the page's edges.
        const Page pinned = guillotineLayouts({3}, 1.41, 7)[0];
        QCOMPARE(pinned.panels.size(), size_t(3));
        const double cutX = 0.5700832314692903, cutY = 0.84650836108736238;
        const std::vector<Box> expected{{cutX + 0.02, 0.04, 0.96, cutY}, {0.04, 0.04, cutX, cutY}, {0.04, cutY + 0.02, 0.96, 1.37}};
        for (size_t i = 0; i < 3; ++i) {
            const Box &box = pinned.panels[i].box, &want = expected[i];
            QVERIFY2(near(box.x0, want.x0) && near(box.y0, want.y0) && near(box.x1, want.x1) && near(box.y1, want.y1),
                     qPrintable(QString("panel %1: %2 %3 %4 %5").arg(i).arg(box.x0, 0, 'g', 17).arg(box.y0, 0, 'g', 17)
                                    .arg(box.x1, 0, 'g', 17).arg(box.y1, 0, 'g', 17)));
        }
        // Many panels still fit the default gutters.
        for (const uint64_t seed : {1ull, 2ull, 3ull})
            for (const Panel &panel : guillotineLayouts({kMaxGuillotinePanels}, 1.41, seed)[0].panels)
                QVERIFY(panel.box.width() > 0.02 && panel.box.height() > 0.02);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, guillotineLayouts({0}, 1.4, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, guillotineLayouts({kMaxGuillotinePanels + 1}, 1.4, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, guillotineLayouts({2}, 0, 1));
    }

    void guillotineCutsTiersFirst()
    {
        // Two panels: stacked (the first on top) nine times in ten, else side by side, right first.
        const std::vector<Page> pages = guillotineLayouts(std::vector<int>(1000, 2), 1.41, 5);
        int stacked = 0;
        for (const Page &page : pages) {
            const Box &first = page.panels[0].box, &second = page.panels[1].box;
            if (first.y1 < second.y0)
                ++stacked;
            else
                QVERIFY(first.x0 > second.x1);
        }
        QVERIFY2(stacked > 850 && stacked < 950, qPrintable(QString::number(stacked)));
    }

    void allMetricsInOneRow()
    {
        const std::vector<int> counts{2, 4, 6, 3};
        const std::vector<Page> generated = guillotineLayouts(counts, 1.41, 3);
        const std::vector<Page> real = guillotineLayouts({5, 5, 6, 2}, 1.41, 4);
        const LayoutMetrics m = layoutMetrics(generated, {2, 4, 5, 3}, real);
        QCOMPARE(m.pages, 4);
        QCOMPARE(m.countAccuracy, 0.75);
        QCOMPARE(m.overlap, 0.0);
        QCOMPARE(m.coverage, meanCoverage(generated));
        QCOMPARE(m.alignment, meanAlignment(generated));
        QCOMPARE(m.orderConsistency, 1.0);
        QVERIFY(m.frechet > 0);
        QCOMPARE(m.frechet, panelFrechetDistance(generated, real));
        QCOMPARE(m.countHistogram, (std::vector<int>{0, 0, 1, 1, 1, 0, 1}));
    }
};

QTEST_GUILESS_MAIN(TestLayoutMetrics)
#include "test_layout_metrics.moc"
