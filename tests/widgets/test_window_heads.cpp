// Analyse ▸ Head scores… in the real window on the bundled demo, fashion-vit: the action is
// offered for the vision model, a scoring job fills the Heads tab's map (4 layers × 4 heads),
// choosing another strategy in the map scores again with it, and the dialog carries the request.

#include "background_job.h"
#include "demo_model.h"
#include "head_score_controller.h"
#include "head_score_dialog.h"
#include "head_score_map.h"
#include "main_window.h"
#include "screenshot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QComboBox>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

class TestWindowHeads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        test::isolateSettings();
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void scoreTheDemosHeads()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QVERIFY(openAndWait(window, demoModelPath()));
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
