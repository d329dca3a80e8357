// The Layouts tab in the real window: OpenMantra's annotation.json (skipped without
// ../shared) read as a job into 214 pages, a page's panels numbered in the file's order or
// the estimated one, the reading-order agreement's figures, a text area's translation on
// hover, the page exported through File ▸ Export plot…, and a file that is no annotation
// costing one line while the open file stays.

#include "conditioning_grid.h"
#include "jobs_panel.h"
#include "layout/layout_reader.h"
#include "layout/reading_order.h"
#include "layout_page_view.h"
#include "layouts_controller.h"
#include "layouts_view.h"
#include "main_window.h"
#include "panel_conditioning_view.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const QString kOpenMantra = QStringLiteral(SCULPT_SHARED_DIR "/datasets/openmantra/annotation.json");

// Reads `path` through the controller and waits for its job; whether it was read.
bool openLayouts(MainWindow &window, const QString &path)
{
    QSignalSpy opened(window.layouts(), &LayoutsController::opened);
    QSignalSpy failed(window.layouts(), &LayoutsController::failed);
    if (!window.layouts()->open(path))
        return false;
    for (int waited = 0; opened.isEmpty() && failed.isEmpty() && waited < 300; ++waited)
        QTest::qWait(100);
    return !opened.isEmpty();
}

} // namespace

class TestWindowLayouts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(); }

    void fileMenuOpensAnnotations()
    {
        MainWindow window;
        QCOMPARE(menuAction(window, "Open annotations…"), window.layouts()->openAction());
        QVERIFY(menuAction(window, "Open annotation folder…"));
        QCOMPARE(window.views()->tabText(window.views()->indexOf(window.layoutsView())), QStringLiteral("Layouts"));
        QCOMPARE(window.layoutsView()->pageCount(), 0);
    }

    void openMantra()
    {
        if (!QFileInfo::exists(kOpenMantra))
            QSKIP("no ../shared/datasets/openmantra (../shared is absent)");
        MainWindow window;
        window.show();
        QVERIFY(openLayouts(window, kOpenMantra));
        LayoutsView *view = window.layoutsView();
        QCOMPARE(window.views()->currentWidget(), view);
        QCOMPARE(view->pageCount(), 214);
        int listed = 0;
        for (int b = 0; b < view->pageList()->topLevelItemCount(); ++b)
            listed += view->pageList()->topLevelItem(b)->childCount();
        QCOMPARE(listed, 214);
        QCOMPARE(view->pageList()->topLevelItemCount(), 5);

        // The agreement's figures, as orderAgreement gives them for the file.
        const std::vector<LayoutBook> books = readLayouts(kOpenMantra.toStdString());
        const OrderAgreement agreement = orderAgreement(books);
        QVERIFY(agreement.pages > 150);
        const QString says = view->agreementLabel()->text();
        QVERIFY2(says.contains(QStringLiteral("%1 of %2 pages").arg(agreement.fullAgreement).arg(agreement.pages)),
                 qPrintable(says));
        QVERIFY2(says.contains(QString::number(agreement.meanTau, 'f', 3)), qPrintable(says));

        // The first page with four or more panels whose estimated order differs from the file's.
        int book = -1, page = -1;
        for (int b = 0; b < int(books.size()) && book < 0; ++b)
            for (int p = 0; p < int(books[size_t(b)].pages.size()); ++p) {
                const Page &candidate = books[size_t(b)].pages[size_t(p)];
                if (candidate.panels.size() >= 4 && kendallTau(readingOrder(candidate, books[size_t(b)].direction)) < 1) {
                    book = b;
                    page = p;
                    break;
                }
            }
        QVERIFY(book >= 0);
        view->selectPage(book, page);
        const Page &shown = books[size_t(book)].pages[size_t(page)];
        QCOMPARE(view->currentPage()->index, shown.index);
        LayoutPageView *pageView = view->pageView();
        QCOMPARE(pageView->page().panels.size(), shown.panels.size());
        for (size_t i = 0; i < shown.panels.size(); ++i) // OpenMantra lists its panels in reading order
            QCOMPARE(pageView->numberOf(i), std::optional<int>(int(i) + 1));
        QCOMPARE(view->conditioningView()->captionCount(), int(shown.panels.size()));
        QCOMPARE(view->conditioningView()->conditioning().panelCount(), int(shown.panels.size()));
        QCOMPARE(view->conditioningView()->grid()->slotCount(), 12);

        view->estimateOrder()->setChecked(true);
        const std::vector<size_t> estimated = readingOrder(shown, books[size_t(book)].direction);
        bool differs = false;
        for (size_t k = 0; k < estimated.size(); ++k) {
            QCOMPARE(pageView->numberOf(estimated[k]), std::optional<int>(int(k) + 1));
            differs |= estimated[k] != k;
        }
        QVERIFY(differs);
        view->estimateOrder()->setChecked(false);

        // Hovering a text area shows its Japanese and its English.
        pageView->resize(600, 900);
        const TextArea &area = shown.texts.front();
        const QString tip = pageView->toolTipAt(pageView->toWidget({(area.box.x0 + area.box.x1) / 2, (area.box.y0 + area.box.y1) / 2}));
        QVERIFY2(tip.contains(QStringLiteral("ja: ")) && tip.contains(QStringLiteral("en: ")), qPrintable(tip));
        QVERIFY(tip.contains(QString::fromStdString(area.texts.front().text)));

        // File ▸ Export plot… on this tab writes the page.
        QTemporaryDir dir;
        QVERIFY(window.savePlot(dir.filePath("page.svg")));
        QFile svg(dir.filePath("page.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray drawing = svg.readAll();
        QVERIFY(drawing.contains(QStringLiteral(">%1<").arg(shown.panels.size()).toUtf8()));
        QVERIFY(drawing.contains("<image")); // the page's JPEG under the outlines

        // A file that is no annotation: one line naming it; OpenMantra stays.
        const QString bad = dir.filePath("notes.json");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"hello\": [1, 2, 3]}");
        file.close();
        QVERIFY(!openLayouts(window, bad));
        const QString line = view->message();
        QVERIFY2(line.contains(QStringLiteral("notes.json")) && !line.contains(QLatin1Char('\n')), qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("annotation.json stays open")), qPrintable(line));
        const QString status = window.statusBar()->currentMessage();
        QVERIFY2(status.contains(QStringLiteral("notes.json")) && !status.contains(QLatin1Char('\n')), qPrintable(status));
        QCOMPARE(view->pageCount(), 214);
        QCOMPARE(view->currentPage()->index, shown.index);
        QCOMPARE(window.layouts()->openPath(), kOpenMantra);
    }
};

QTEST_MAIN(TestWindowLayouts)
#include "test_window_layouts.moc"
