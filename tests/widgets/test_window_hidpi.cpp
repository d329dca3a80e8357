// The window at device pixel ratio 2: plots drawn at full resolution, PNG exports at the
// resolution seen on screen, plots that follow the window to a screen of another ratio.
// The offscreen platform gets two screens, set up before the application starts: "high"
// (ratio 2, the primary) and "low" (ratio 1) beside it. Screenshots go to
// <build>/tests/screenshots/hidpi-*.png.

#include "background_job.h"
#include "esd_plot.h"
#include "layer_overview.h"
#include "main_window.h"
#include "model_tree.h"
#include "small_model.h"
#include "spectrum_plot.h"
#include "test_settings.h"

#include <QApplication>
#include <QImage>
#include <QScreen>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QWindow>
#include <qcustomplot.h>

using namespace sculpt;

namespace {

const QString kUpProj = QStringLiteral("model.layers.1.mlp.up_proj.weight");

QString screenshotPath(const QString &name)
{
    const QString folder = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("screenshots"));
    QDir().mkpath(folder);
    return QDir(folder).filePath(name);
}

// Of the aligned 2×2 pixel blocks that are not all one colour, the share whose four pixels
// differ: about 1 for a drawing made at full resolution, 0 for one made at half the
// resolution and scaled up (every block a copy of one pixel).
double fineDetail(const QImage &image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    long blocks = 0, fine = 0;
    for (int y = 0; y + 1 < rgb.height(); y += 2)
        for (int x = 0; x + 1 < rgb.width(); x += 2) {
            const QRgb a = rgb.pixel(x, y), b = rgb.pixel(x + 1, y), c = rgb.pixel(x, y + 1), d = rgb.pixel(x + 1, y + 1);
            const bool uniform = a == b && a == c && a == d;
            // Blocks across an edge: a neighbour block differs. Uniform blocks in flat areas
            // say nothing either way.
            const QRgb right = x + 2 < rgb.width() ? rgb.pixel(x + 2, y) : a;
            const QRgb below = y + 2 < rgb.height() ? rgb.pixel(x, y + 2) : a;
            if (uniform && right == a && below == a)
                continue;
            ++blocks;
            fine += !uniform;
        }
    return blocks == 0 ? 0 : double(fine) / double(blocks);
}

QScreen *screenNamed(const QString &name)
{
    for (QScreen *screen : QGuiApplication::screens())
        if (screen->name() == name)
            return screen;
    return nullptr;
}

QList<QCustomPlot *> plotsOf(const MainWindow &window)
{
    return {window.spectrumPlot()->plot(), window.esdPlot()->plot(), window.layerOverview()->plot()};
}

} // namespace

class TestWindowHiDpi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void windowPlotsAndExportsAtRatioTwo()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.devicePixelRatioF(), 2.0);
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        window.openModel(test::writeTinyLlama(dir.path()));
        QVERIFY(opened.wait(10000));
        BackgroundJob *job = window.startSpectra();
        QVERIFY(job);
        QSignalSpy ended(job, &BackgroundJob::ended);
        QVERIFY(ended.wait(20000));
        window.modelTree()->topLevelItem(2)->setSelected(true); // block 1's seven matrices
        window.spectrumPlot()->setRank(12);
        QTest::qWait(50);

        // The window as the screen shows it: twice its size in pixels.
        const QPixmap shot = window.grab();
        QCOMPARE(shot.devicePixelRatio(), 2.0);
        QCOMPARE(shot.size(), window.size() * 2);
        QVERIFY(shot.save(screenshotPath("hidpi-01-window.png")));

        // Every plot drawn at full resolution, not drawn small and scaled up.
        const QList<QCustomPlot *> plots = plotsOf(window);
        for (int i = 0; i < plots.size(); ++i) {
            window.views()->setCurrentIndex(i);
            QCustomPlot *plot = plots[i];
            plot->replot();
            QCOMPARE(plot->bufferDevicePixelRatio(), 2.0);
            const QImage drawn = plot->grab().toImage();
            QCOMPARE(drawn.size(), plot->size() * 2);
            const double detail = fineDetail(drawn);
            QVERIFY2(detail > 0.5, qPrintable(QString("plot %1: %2 of its edge blocks show detail").arg(i).arg(detail)));
            QVERIFY(drawn.save(screenshotPath(QString("hidpi-%1-plot.png").arg(i + 2, 2, 10, QChar('0')))));
            if (i == 0) // what the measure says of a drawing scaled up from half the resolution
                QVERIFY(fineDetail(drawn.scaled(drawn.size() / 2).scaled(drawn.size())) < 0.05);
        }

        // A PNG of the plot as shown has the screen's pixels, and says so in its resolution;
        // one of a size asked for has that many pixels.
        window.views()->setCurrentIndex(0);
        const QString shown = dir.filePath("shown.png");
        QVERIFY(window.savePlot(shown));
        const QImage png(shown);
        QCOMPARE(png.size(), window.spectrumPlot()->plot()->size() * 2);
        QVERIFY2(std::abs(png.dotsPerMeterX() - 2 * 96 / 0.0254) < 2, qPrintable(QString::number(png.dotsPerMeterX())));
        QVERIFY(fineDetail(png) > 0.5);
        QVERIFY(png.save(screenshotPath("hidpi-05-exported.png")));
        const QString sized = dir.filePath("sized.png");
        QVERIFY(window.savePlot(sized, QSize(900, 600)));
        QCOMPARE(QImage(sized).size(), QSize(900, 600));
    }

    void plotsFollowTheWindowToAScreenOfAnotherRatio()
    {
        QScreen *low = screenNamed("low"), *high = screenNamed("high");
        QVERIFY(low && high);
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.resize(1000, 700);
        window.move(low->geometry().topLeft() + QPoint(20, 20));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.screen(), low);
        QCOMPARE(window.devicePixelRatioF(), 1.0);
        for (QCustomPlot *plot : plotsOf(window))
            QCOMPARE(plot->bufferDevicePixelRatio(), 1.0); // made on the ratio-2 screen, shown on this one
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        window.openModel(test::writeTinyLlama(dir.path()));
        QVERIFY(opened.wait(10000));
        BackgroundJob *job = window.startSpectra();
        QVERIFY(job);
        QSignalSpy ended(job, &BackgroundJob::ended);
        QVERIFY(ended.wait(20000));
        window.modelTree()->topLevelItem(2)->setSelected(true);

        window.windowHandle()->setScreen(high);
        window.move(high->geometry().topLeft() + QPoint(20, 20));
        QTRY_COMPARE(window.devicePixelRatioF(), 2.0);
        for (QCustomPlot *plot : plotsOf(window))
            QTRY_COMPARE(plot->bufferDevicePixelRatio(), 2.0);
        QCustomPlot *spectrum = window.spectrumPlot()->plot();
        spectrum->replot();
        const QImage drawn = spectrum->grab().toImage();
        QCOMPARE(drawn.size(), spectrum->size() * 2);
        QVERIFY2(fineDetail(drawn) > 0.5, qPrintable(QString::number(fineDetail(drawn))));
        QVERIFY(drawn.save(screenshotPath("hidpi-06-moved-to-ratio-2.png")));
    }
};

int main(int argc, char **argv)
{
    // Read when the application starts: the offscreen platform's screens, from a file.
    QTemporaryFile screens;
    if (!screens.open())
        return 1;
    screens.write("{\"screens\": ["
                  "{\"name\": \"high\", \"x\": 0, \"y\": 0, \"width\": 1600, \"height\": 1000, \"dpr\": 2},"
                  "{\"name\": \"low\", \"x\": 1600, \"y\": 0, \"width\": 1600, \"height\": 1000, \"dpr\": 1}]}");
    screens.close();
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + screens.fileName().toUtf8());
    QApplication app(argc, argv);
    TestWindowHiDpi test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_window_hidpi.moc"
