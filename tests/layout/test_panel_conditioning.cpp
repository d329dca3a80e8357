// MangaDiffusion's panel conditioning: page-size canvases whose intra-panel masks hide exactly
// the text boxes, padding up to the maximum count hidden by the inter-panel mask, and the panel
// count following the captions — on constructed pages and on OpenMantra's.

#include "layout/layout_reader.h"
#include "layout/panel_conditioning.h"
#include "layout/reading_order.h"

#include <QtTest>

#include <filesystem>
#include <numeric>

using namespace sculpt;

namespace {

// A 100 × 200 page: a top and a bottom panel, a balloon inside the top one.
Page twoPanelPage()
{
    Page page;
    page.width = 100;
    page.height = 200;
    page.panels = {Panel{{0, 0, 100, 100}, {}}, Panel{{0, 100, 100, 200}, {}}};
    page.texts = {TextArea{{50, 20, 80, 60}, {}, {{"ja", "あ"}, {"en", "Ah"}}}};
    return page;
}

long cells(const std::vector<uint8_t> &mask) { return std::accumulate(mask.begin(), mask.end(), 0L); }

bool cell(const PanelConditioning &c, const PanelCanvas &canvas, double x, double y)
{
    const int column = int(x / (c.pageWidth / c.columns)), row = int(y / (c.pageHeight / c.rows));
    return canvas.intraMask[size_t(row * c.columns + column)] != 0;
}

} // namespace

class TestPanelConditioning : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void masksHideTextAndPadding()
    {
        const Page page = twoPanelPage();
        const PanelConditioning c = conditionPanels(page, {0, 1}, {"a girl laughs", "the sea"}, 4, 10);
        QCOMPARE(c.columns, 10);
        QCOMPARE(c.rows, 20);
        QCOMPARE(c.canvases.size(), size_t(4));
        QCOMPARE(c.interMask, (std::vector<uint8_t>{1, 1, 0, 0}));
        QCOMPARE(c.panelCount(), 2);
        QCOMPARE(c.canvases[2].caption, std::string(kEmptyCaption));
        QVERIFY(c.canvases[3].padding);
        QCOMPARE(cells(c.canvases[2].intraMask), 0L);
        // The top panel: 10 × 10 cells, less the balloon's 3 × 4 (cell centres 55…75, 25…55).
        QCOMPARE(c.canvases[0].textBoxes.size(), size_t(1));
        QCOMPARE(cells(c.canvases[0].intraMask), 100L - 12L);
        QVERIFY(!cell(c, c.canvases[0], 60, 30));
        QVERIFY(cell(c, c.canvases[0], 40, 30));
        QVERIFY(!cell(c, c.canvases[0], 40, 150)); // the canvas is the page: the other panel's area is empty
        QCOMPARE(cells(c.canvases[1].intraMask), 100L);
        QVERIFY(c.canvases[1].textBoxes.empty());
    }

    void panelCountFollowsTheCaptions()
    {
        const Page page = twoPanelPage();
        const PanelConditioning c = conditionPanels(page, {1, 0}, {"the sea", ""}, 3, 10);
        QCOMPARE(c.panelCount(), 1);
        QCOMPARE(c.canvases[0].box.y0, 100.0); // the bottom panel, taken first in the order given
        QVERIFY(c.canvases[1].padding && c.canvases[2].padding);
    }

    void scriptsComeFromTheBalloons()
    {
        const Page page = twoPanelPage();
        QCOMPARE(panelScripts(page, {0, 1}, "en"), (std::vector<std::string>{"Ah", ""}));
        QCOMPARE(panelScripts(page, {0, 1}, "zh"), (std::vector<std::string>{"あ", ""})); // the original where untranslated
    }

    void polygonsShapeTheMask()
    {
        Page page;
        page.width = page.height = 100;
        // A right triangle over the page's lower-left half.
        page.panels = {Panel{{0, 0, 100, 100}, {{0, 0}, {100, 100}, {0, 100}}}};
        const PanelConditioning c = conditionPanels(page, {0}, {"x"}, 1, 10);
        QVERIFY(cell(c, c.canvases[0], 5, 95));
        QVERIFY(!cell(c, c.canvases[0], 95, 5));
        QCOMPARE(cells(c.canvases[0].intraMask), 45L); // cells strictly below the diagonal
    }

    void refusesWhatCannotBeFed()
    {
        const Page page = twoPanelPage();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, conditionPanels(page, {0, 1}, {"a", "b"}, 1, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, conditionPanels(page, {0, 1}, {"a"}, 4, 10));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, conditionPanels(page, {0, 1}, {"a", "b"}, 4, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, conditionPanels(Page{}, {}, {}, 4, 10));
        Page needle;
        needle.width = 1;
        needle.height = 1e6; // a million rows of ten cells: refused before anything is allocated
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, conditionPanels(needle, {}, {}, 4, 10));
    }

    // Every OpenMantra page: no mask paints a text area's centre, every panel's mask stays in
    // its box, the padding fills the canvases up to the maximum.
    void openMantraPages()
    {
        const std::string path = std::string(SCULPT_SHARED_DIR) + "/datasets/openmantra/annotation.json";
        if (!std::filesystem::exists(path))
            QSKIP("no ../shared/datasets/openmantra (../shared is absent)");
        int pages = 0, hidden = 0;
        for (const LayoutBook &book : readLayouts(path))
            for (const Page &page : book.pages) {
                if (page.panels.empty())
                    continue;
                const std::vector<size_t> order = readingOrder(page, book.direction);
                std::vector<std::string> captions(order.size(), "panel");
                const PanelConditioning c = conditionPanels(page, order, captions, 12, 64);
                QCOMPARE(c.panelCount(), int(page.panels.size()));
                QCOMPARE(c.canvases.size(), size_t(12));
                for (const PanelCanvas &canvas : c.canvases) {
                    for (const Box &text : canvas.textBoxes) {
                        const double x = (text.x0 + text.x1) / 2, y = (text.y0 + text.y1) / 2;
                        QVERIFY(!cell(c, canvas, x, y));
                        ++hidden;
                    }
                    for (int row = 0; row < c.rows; ++row)
                        for (int column = 0; column < c.columns; ++column)
                            if (canvas.intraMask[size_t(row * c.columns + column)]) {
                                const double x = (column + 0.5) * c.pageWidth / c.columns;
                                const double y = (row + 0.5) * c.pageHeight / c.rows;
                                QVERIFY(!canvas.padding && x >= canvas.box.x0 && x < canvas.box.x1 && y >= canvas.box.y0 &&
                                        y < canvas.box.y1);
                            }
                }
                ++pages;
            }
        QCOMPARE(pages, 213);
        QVERIFY(hidden > 1000); // most of the 1,592 balloons sit inside a panel
    }
};

QTEST_APPLESS_MAIN(TestPanelConditioning)
#include "test_panel_conditioning.moc"
