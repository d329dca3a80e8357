// The Layouts tab's page and conditioning views on a constructed page: panels numbered in the
// order given, a text area's tooltip with its translation, PNG and SVG export, and the
// conditioning preview's slots, EMPTY padding and panel count following the captions.

#include "conditioning_grid.h"
#include "layout_page_view.h"
#include "panel_conditioning_view.h"

#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;

namespace {

// A 200 × 300 page: three panels listed top, bottom-left, bottom-right; a balloon in the top
// one (Japanese with English and Chinese), none in the others.
Page threePanelPage()
{
    Page page;
    page.width = 200;
    page.height = 300;
    page.panels = {Panel{{0, 0, 200, 150}, {}}, Panel{{0, 150, 100, 300}, {}}, Panel{{100, 150, 200, 300}, {}}};
    page.texts = {TextArea{{120, 20, 180, 80}, {}, {{"ja", "海だ"}, {"en", "The sea"}, {"zh", "是海"}}}};
    return page;
}

// Whether an outline's red lies within three pixels of (x, y) along the row.
bool redNear(const QImage &image, int x, int y)
{
    for (int dx = -3; dx <= 3; ++dx) {
        const QColor c = image.pixelColor(x + dx, y);
        if (c.red() > 180 && c.green() < 120 && c.blue() < 120)
            return true;
    }
    return false;
}

QPointF centreOf(const LayoutPageView &view, const Box &box)
{
    return view.toWidget({(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2});
}

} // namespace

class TestLayoutPageView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numbersFollowTheOrderGiven()
    {
        LayoutPageView view;
        view.setPage(threePanelPage(), {0, 2, 1}); // manga: the right panel before the left
        QCOMPARE(view.numberOf(0), std::optional<int>(1));
        QCOMPARE(view.numberOf(2), std::optional<int>(2));
        QCOMPARE(view.numberOf(1), std::optional<int>(3));
        view.setPage(threePanelPage(), {1, 0});
        QCOMPARE(view.numberOf(1), std::optional<int>(1));
        QCOMPARE(view.numberOf(2), std::nullopt); // left out of the order: outlined, not numbered
    }

    void hoverShowsTheTextAndItsTranslations()
    {
        LayoutPageView view;
        view.resize(400, 600);
        const Page page = threePanelPage();
        view.setPage(page, {0, 2, 1});
        const QPointF balloon = centreOf(view, page.texts[0].box);
        QCOMPARE(view.textAreaAt(balloon), 0);
        const QString tip = view.toolTipAt(balloon);
        QVERIFY2(tip.contains(QStringLiteral("ja: 海だ")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("en: The sea")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("zh: 是海")), qPrintable(tip));
        // The page keeps its aspect inside the widget: a point in a textless panel shows nothing.
        QCOMPARE(view.textAreaAt(centreOf(view, page.panels[1].box)), -1);
        QVERIFY(view.toolTipAt(centreOf(view, page.panels[1].box)).isEmpty());
        const Point back = view.toPage(balloon);
        QVERIFY(qAbs(back.x - 150) < 1e-6 && qAbs(back.y - 50) < 1e-6);
    }

    void exportsPngAndSvg()
    {
        QTemporaryDir dir;
        LayoutPageView view;
        view.setPage(threePanelPage(), {0, 2, 1});
        QString error;
        const QString png = dir.filePath("page.png");
        QVERIFY2(view.exportPage(png, "page", {}, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(667, 1000)); // a small page brought up to 1000 pixels high
        // The panels' outlines are drawn red on the white page: the top one's left edge, and
        // the line between the bottom two; inside a panel, the page.
        QVERIFY(redNear(image, 3, 250));
        QVERIFY(redNear(image, 333, 833));
        QVERIFY(!redNear(image, 167, 833));
        QCOMPARE(image.pixelColor(167, 833), QColor(Qt::white));

        const QString svg = dir.filePath("page.svg");
        QVERIFY2(view.exportPage(svg, "page", QSize(400, 400), &error), qPrintable(error));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        for (const char *number : {">1<", ">2<", ">3<"})
            QVERIFY2(text.contains(number), number);
        QVERIFY(!text.contains(">4<"));
        QVERIFY(!view.exportPage(dir.filePath("page.bmp"), "page", {}, &error));
        QVERIFY(error.contains("unknown"));
    }

    void aGeneratedLayoutIsAWhitePage()
    {
        Page generated; // one unit wide, the aspect high, panels only
        generated.width = 1;
        generated.height = 1.5;
        generated.panels = {Panel{{0.05, 0.05, 0.95, 0.7}, {}}, Panel{{0.05, 0.75, 0.95, 1.45}, {}}};
        LayoutPageView view;
        view.setPage(generated, {0, 1});
        QTemporaryDir dir;
        QVERIFY(view.exportPage(dir.filePath("g.png"), "generated", QSize(200, 300)));
        const QImage image(dir.filePath("g.png"));
        QCOMPARE(image.size(), QSize(200, 300));
        QCOMPARE(image.pixelColor(100, 145), QColor(Qt::white)); // the gutter between the panels
        QVERIFY(redNear(image, 10, 100));                          // the first panel's left edge
        QVERIFY(!redNear(image, 100, 100));
    }

    void conditioningPadsToTheMaximum()
    {
        PanelConditioningView view;
        view.resize(800, 400);
        view.setPage(threePanelPage(), {0, 2, 1});
        QCOMPARE(view.maxPanels()->value(), 12);
        QCOMPARE(view.grid()->slotCount(), 12);
        QCOMPARE(view.conditioning().panelCount(), 3);
        QCOMPARE(view.captionCount(), 3);
        QCOMPARE(view.caption(0)->text(), QStringLiteral("海だ")); // the original, the file's first language
        QCOMPARE(view.caption(1)->text(), QStringLiteral("panel 2")); // textless: a caption of its own
        for (int slot = 3; slot < 12; ++slot)
            QCOMPARE(view.grid()->slotText(slot), QStringLiteral("EMPTY"));
        QCOMPARE(view.grid()->slotText(0), QStringLiteral("1 · 海だ"));
        QCOMPARE(view.conditioning().interMask, (std::vector<uint8_t>{1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));

        // English captions; then clearing one lowers the panel count and pads one more slot.
        QCOMPARE(view.language()->count(), 3);
        view.language()->setCurrentIndex(view.language()->findData("en"));
        Q_EMIT view.language()->activated(view.language()->currentIndex());
        QCOMPARE(view.caption(0)->text(), QStringLiteral("The sea"));
        view.caption(1)->clear();
        QCOMPARE(view.conditioning().panelCount(), 2);
        QCOMPARE(view.grid()->slotText(2), QStringLiteral("EMPTY"));
        QCOMPARE(view.grid()->slotText(1), QStringLiteral("2 · panel 3"));

        view.maxPanels()->setValue(4);
        QCOMPARE(view.grid()->slotCount(), 4);
        view.maxPanels()->setValue(1); // two captioned panels do not fit: said, not fed
        QVERIFY(view.problem().contains("2 captioned panels"));
        QCOMPARE(view.grid()->slotCount(), 0);
    }

    void stepsThroughTheSlots()
    {
        PanelConditioningView view;
        view.resize(800, 400);
        view.show(); // lays the grid out
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setPage(threePanelPage(), {0, 2, 1});
        QCOMPARE(view.grid()->current(), 0);
        QVERIFY(!view.previousButton()->isEnabled());
        view.nextButton()->click();
        view.nextButton()->click();
        view.nextButton()->click();
        QCOMPARE(view.grid()->current(), 3);
        // A click on a slot's canvas makes it current.
        const QRectF last = view.grid()->canvasRect(11);
        QVERIFY(!last.isEmpty());
        QTest::mouseClick(view.grid(), Qt::LeftButton, {}, last.center().toPoint());
        QCOMPARE(view.grid()->current(), 11);
        QVERIFY(!view.nextButton()->isEnabled());
        // The mask leaves the balloon out of the top panel's canvas.
        const PanelConditioning &c = view.conditioning();
        const auto cell = [&](double x, double y) {
            return c.canvases[0].intraMask[size_t(int(y / (c.pageHeight / c.rows)) * c.columns + int(x / (c.pageWidth / c.columns)))];
        };
        QCOMPARE(cell(150, 50), uint8_t{0});
        QCOMPARE(cell(50, 50), uint8_t{1});
    }
};

QTEST_MAIN(TestLayoutPageView)
#include "test_layout_page_view.moc"
