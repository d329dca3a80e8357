// Analyse ▸ Head scores… in the real window on the bundled demo, fashion-vit: the action is
// offered for the vision model, a scoring job fills the Heads tab's map (4 layers × 4 heads),
// choosing another strategy in the map scores again with it, and the dialog carries the request.
// Clicking a head selects the tensors its q/k/v rows and o columns lie in and shows the spectra
// of those very slices.

#include "background_job.h"
#include "demo_model.h"
#include "filter_box.h"
#include "head_score_controller.h"
#include "head_score_dialog.h"
#include "head_score_map.h"
#include "main_window.h"
#include "model_tree.h"
#include "screenshot.h"
#include "spectrum_plot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QComboBox>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

class TestWindowHeads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void scoreTheDemosHeads()
    {
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoModelPath()));
        QAction *action = menuAction(window, "Head scores…");
        QVERIFY2(action && action->isEnabled(), "Head scores are offered on the demo ViT");

        HeadScoreRequest request;
        request.task = "t3"; // Debian's Fashion-MNIST: no ../shared needed
        request.strategy = "gate";
        request.epochs = 1;
        BackgroundJob *job = waitForEnd(window.headScores()->startScoring(request), 120000);
        QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        QTRY_COMPARE(window.headScoreMap()->scores().values.size(), size_t(16));
        const HeadScores gate = window.headScoreMap()->scores();
        QCOMPARE(gate.strategy, std::string("gate"));
        QCOMPARE(gate.layers, int64_t(4));
        QVERIFY(std::any_of(gate.values.begin(), gate.values.end(), [](double v) { return v > 0; }));
        auto *tabs = window.findChild<QTabWidget *>();
        QVERIFY(tabs);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget *>(window.headScoreMap()));
        window.headScoreMap()->setMaskFraction(0.25);
        QCOMPARE(window.headScoreMap()->maskedHeads().size(), size_t(4));
        screenshot(window, "60-head-scores.png");

        // Another strategy from the map's selector scores again.
        QComboBox *strategies = window.headScoreMap()->strategyChoice();
        QVERIFY(strategies->findText("magnitude") >= 0);
        strategies->setCurrentText("magnitude");
        Q_EMIT strategies->activated(strategies->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(window.headScoreMap()->scores().strategy, std::string("magnitude"), 120000);
        QVERIFY(window.headScoreMap()->scores().values != gate.values);
    }

    void clickingAHeadShowsItsOwnSpectra()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoModelPath()));
        window.filterBox()->setText("layer.0."); // a filter hiding the head's block is cleared

        Q_EMIT window.headScoreMap()->headClicked(2, 3);
        const QString block = "vit.encoder.layer.2.attention.";
        QStringList selected = window.modelTree()->selectedTensors();
        selected.sort();
        QCOMPARE(selected, QStringList({block + "attention.key.weight", block + "attention.query.weight",
                                        block + "attention.value.weight", block + "output.dense.weight"}));
        QVERIFY(window.filterBox()->text().isEmpty());
        QCOMPARE(window.views()->currentWidget(), static_cast<QWidget *>(window.spectrumPlot()));
        const auto headsShown = [&] {
            const std::vector<TensorSpectrum> &shown = window.spectrumPlot()->spectra();
            return shown.size() == 4 && std::all_of(shown.begin(), shown.end(), [](const TensorSpectrum &s) {
                       return s.name.find(" · head 3 (") != std::string::npos;
                   });
        };
        QTRY_VERIFY_WITH_TIMEOUT(headsShown(), 20000);
        const std::vector<TensorSpectrum> &shown = window.spectrumPlot()->spectra();
        QCOMPARE(shown[0].name, (block + "attention.query.weight · head 3 (rows 48–63)").toStdString());
        QCOMPARE(shown[3].name, (block + "output.dense.weight · head 3 (columns 48–63)").toStdString());
        QCOMPARE(shown[3].rows, int64_t(64));
        QCOMPARE(shown[3].cols, int64_t(16));
        QTRY_VERIFY(window.statusBar()->currentMessage().contains("layer 2, head 3"));
        screenshot(window, "61-head-spectra.png");

        // A head the model lacks changes nothing but the status bar.
        Q_EMIT window.headScoreMap()->headClicked(2, 9);
        QVERIFY(window.statusBar()->currentMessage().contains("layer 2 has no head 9"));
        QCOMPARE(window.modelTree()->selectedTensors().size(), 4);
    }

    void theDialogCarriesTheRequest()
    {
        HeadScoreRequest shown;
        shown.task = "t2";
        shown.strategy = "weights";
        shown.epochs = 3;
        shown.dataRoot = "/data";
        HeadScoreDialog dialog("fashion-vit", {"weights", "activations", "gate"}, shown);
        const HeadScoreRequest r = dialog.request();
        QCOMPARE(r.task, std::string("t2"));
        QCOMPARE(r.strategy, std::string("weights"));
        QCOMPARE(r.epochs, 3);
        QCOMPARE(r.dataRoot, std::string("/data"));
        dialog.findChild<QSpinBox *>()->setValue(0);
        QCOMPARE(dialog.request().epochs, 0);
    }
};

QTEST_MAIN(TestWindowHeads)
#include "test_window_heads.moc"
