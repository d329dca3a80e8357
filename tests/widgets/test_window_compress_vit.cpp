// Compress ▸ in the real window on the bundled demo, fashion-vit — the model the window opens
// by default: the dialog asks for images, a pass runs as a job calibrated on Fashion-MNIST
// training images, SoCo's loss curve and gains show, and the side-by-side view measures both
// models on the same test images with a grid of their predictions. Screenshots go to
// <build>/tests/screenshots.

#include "background_job.h"
#include "compress_dialog.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "demo_model.h"
#include "jobs_panel.h"
#include "loss_curve.h"
#include "main_window.h"
#include "model_tree.h"
#include "screenshot.h"
#include "side_by_side_view.h"
#include "spectrum_plot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const QString kData = QStringLiteral("/usr/share/datasets/fashion-mnist/");

PassRequest pass(const std::string &method, double ratio)
{
    PassRequest r;
    r.method = method;
    r.ratio = ratio;
    r.calibrationFile = (kData + "train-images-idx3-ubyte.gz").toStdString();
    r.calibrationLabels = (kData + "train-labels-idx1-ubyte.gz").toStdString();
    r.calibrationCount = 256;
    if (method == "soco")
        r.settings = {{"coarse_steps", 10}, {"refine_steps", 10}, {"sparsify_steps", 5}, {"batches_per_step", 1}};
    return r;
}

} // namespace

class TestWindowCompressVit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        test::isolateSettings();
        if (!QFileInfo::exists(kData + "t10k-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void compressTheDemoThenCompareOnImages()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoModelPath()));

        QAction *compress = menuAction(window, "Compress…");
        QVERIFY2(compress && compress->isEnabled(), "Compress is offered on the demo ViT");
        compress->trigger();
        auto *dialog = window.findChild<CompressDialog *>("compressDialog");
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->method()->count(), 5);
        QVERIFY(!dialog->tokenizerFile()->isVisible());
        QCOMPARE(dialog->calibrationCount()->suffix(), QString(" images"));
        dialog->setMethod("fwsvd");
        QVERIFY(!dialog->okButton()->isEnabled()); // no images yet
        dialog->calibrationFile()->setText(kData + "train-images-idx3-ubyte.gz");
        Q_EMIT dialog->calibrationFile()->editingFinished();
        QCOMPARE(dialog->calibrationLabels()->text(), kData + "train-labels-idx1-ubyte.gz"); // found beside them
        dialog->calibrationCount()->setValue(256);
        QVERIFY(dialog->okButton()->isEnabled());
        dialog->setMethod("soco");
        auto *whiten = qobject_cast<QCheckBox *>(dialog->setting("whiten")); // a boolean setting is a check box
        QVERIFY(whiten && whiten->isChecked());
        screenshot(*dialog, "50-compress-vit-dialog.png");
        dialog->reject();

        // A short SoCo: one curve point per step, then its gains on the spectrum plot.
        BackgroundJob *job = waitForEnd(window.compression()->startCompression(pass("soco", 0.4)), 120000);
        QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        CompressionView *view = window.compressionView();
        QCOMPARE(view->records().size(), size_t(1));
        const PassRecord r = view->records()[0];
        QCOMPARE(r.modelKind, std::string("vision"));
        QCOMPARE(r.calibration, std::string("images"));
        QCOMPARE(r.calibrationCount, 256L);
        QCOMPARE(r.log.size(), size_t(25));
        QCOMPARE(view->lossCurve()->pointCount(), 25);
        QCOMPARE(r.summary.spectrumOf, std::string("W·S"));
        screenshot(window, "51-soco-on-the-vit.png");
        BackgroundJob *spectra = waitForEnd(window.startSpectra());
        QVERIFY(spectra && spectra->state() == BackgroundJob::State::Finished);
        window.views()->setCurrentWidget(window.spectrumPlot());
        window.modelTree()->selectTensor(QString::fromStdString(r.summary.layers[0].name) + ".weight");
        QVERIFY(window.spectrumPlot()->passOverlay().has_value());
        QVERIFY(window.spectrumPlot()->gainsGraph());

        // An SVD-LLM pass, then both models on the same test images.
        job = waitForEnd(window.compression()->startCompression(pass("svd-llm", 0.6)), 120000);
        QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        QCOMPARE(view->records().size(), size_t(2));
        view->setCurrent(1);
        SideBySideView *side = window.sideBySideView();
        QVERIFY(!side->accuracyButton()->isEnabled());
        side->imagesFile()->setText(kData + "t10k-images-idx3-ubyte.gz");
        Q_EMIT side->imagesFile()->editingFinished();
        QCOMPARE(side->labelsFile()->text(), kData + "t10k-labels-idx1-ubyte.gz");
        side->imageCount()->setValue(500);
        QVERIFY(side->accuracyButton()->isEnabled());
        side->accuracyButton()->click();
        BackgroundJob *measured = waitForEnd(window.jobsPanel()->jobs().constLast(), 120000);
        QVERIFY(measured && measured->state() == BackgroundJob::State::Finished);
        QTRY_VERIFY(side->factText(SideBySideView::Measured, SideBySideView::Compressed).endsWith("%"));
        const QString original = side->factText(SideBySideView::Measured, SideBySideView::Original);
        QVERIFY2(original.startsWith("8"), qPrintable(original)); // the demo's 86 % on its first 500 images
        QCOMPARE(side->predictions()->count(), 48);
        // A red frame exactly where the two models' classes differ.
        for (int i = 0; i < side->predictions()->count(); ++i) {
            const QListWidgetItem *item = side->predictions()->item(i);
            const QStringList lines = item->toolTip().split('\n');
            QCOMPARE(item->data(Qt::UserRole).toBool(), lines[1].section(": ", 1) != lines[2].section(": ", 1));
        }
        // Kept in the pass's record in the workspace.
        const PassRecord stored = view->records()[size_t(view->current())];
        QCOMPARE(stored.summary.method, std::string("svd-llm"));
        QCOMPARE(stored.evaluations.size(), size_t(2));
        QCOMPARE(stored.evaluations[0].metric, std::string("accuracy"));
        QCOMPARE(stored.evaluations[1].count, int64_t(500));
        window.views()->setCurrentWidget(side);
        screenshot(window, "52-vit-side-by-side.png");
    }
};

QTEST_MAIN(TestWindowCompressVit)
#include "test_window_compress_vit.moc"
