// A Hugging Face PEFT LoRA folder in the real window, on the bundled demo, fashion-vit: opening
// the folder opens its base (base_model_name_or_path, relative to the folder) with the adapter
// attached; selecting an adapted weight shows ΔW's spectrum in the Spectrum tab (against LAPACK's
// SVD of the dense (α/r)·B·A), after the weight's own once spectra are computed; File ▸ Merge
// adapter and export writes a Hugging Face folder whose adapted weight is the base's plus ΔW. A
// hub name asks for the base (cancelled: nothing changes) and a damaged folder is one line.

#include "../analysis/reference_svd.h"
#include "background_job.h"
#include "demo_model.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "main_window.h"
#include "model_tree.h"
#include "peft_controller.h"
#include "peft_files.h"
#include "screenshot.h"
#include "spectrum_plot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QFileDialog>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const std::string kQuery0 = "vit.encoder.layer.0.attention.attention.query";
const std::string kValue0 = "vit.encoder.layer.0.attention.attention.value";
const std::string kIntermediate1 = "vit.encoder.layer.1.intermediate.dense"; // [128, 64]

// LoRA r 8, α 16 on layer 0's query and value; r 4 on layer 1's intermediate projection.
std::vector<LoraFactors> factors()
{
    return {randomFactors(kQuery0, 64, 64, 8, 1), randomFactors(kValue0, 64, 64, 8, 2),
            randomFactors(kIntermediate1, 128, 64, 4, 3)};
}

// The folder at `folder`, its base named as `base`.
void writeAdapter(const QString &folder, const std::string &base, const std::string &without = {})
{
    nlohmann::json config = loraConfig(factors(), 8, 16, base);
    config["rank_pattern"] = {{"intermediate.dense", 4}};
    writePeftFolder(folder.toStdString(), config, factors(), without);
}

std::string relativeDemo(const QString &folder)
{
    std::filesystem::create_directories(folder.toStdString());
    return std::filesystem::relative(demoModelPath().toStdString(), folder.toStdString()).string();
}

bool samePath(const QString &a, const QString &b) { return QFileInfo(a).canonicalFilePath() == QFileInfo(b).canonicalFilePath(); }

QString summaryLine(MainWindow &window)
{
    for (const QLabel *label : window.findChildren<QLabel *>())
        if (label->text().contains(QLatin1String("LoRA adapter")))
            return label->text();
    return {};
}

void compareToDense(const TensorSpectrum &shown, const LoraFactors &f, double alpha)
{
    const std::vector<double> expected = referenceSingularValues(denseDelta(f, alpha), int(f.out), int(f.in));
    QCOMPARE(shown.singularValues.size(), size_t(f.r));
    for (size_t i = 0; i < size_t(f.r); ++i)
        QVERIFY2(std::abs(shown.singularValues[i] - expected[i]) <= 1e-5 * expected[i],
                 qPrintable(QStringLiteral("σ%1 %2, expected %3").arg(i).arg(shown.singularValues[i]).arg(expected[i])));
}

std::vector<std::string> shownNames(MainWindow &window)
{
    std::vector<std::string> names;
    for (const TensorSpectrum &s : window.spectrumPlot()->spectra())
        names.push_back(s.name);
    return names;
}

} // namespace

class TestWindowPeft : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void openSelectAndMerge()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("fashion-lora");
        writeAdapter(folder, relativeDemo(folder));
        MainWindow window;
        QAction *merge = menuAction(window, "Merge adapter and export…");
        QVERIFY(merge && !merge->isEnabled());
        QVERIFY(showAndOpen(window, dir, folder));

        // The tree shows the base, the summary line the adapter.
        QVERIFY(samePath(window.currentPath(), demoModelPath()));
        QVERIFY(window.modelTree()->tensorItem(QString::fromStdString(kQuery0 + ".weight")));
        QVERIFY(window.peft()->attached());
        const QString summary = summaryLine(window);
        QVERIFY2(summary.contains("fashion-lora") && summary.contains("r 4–8") && summary.contains("α 16") &&
                     summary.contains("3 modules"),
                 qPrintable(summary));
        QVERIFY(merge->isEnabled());

        // An adapted weight: ΔW's spectrum, and the weight's own too once computed.
        const std::vector<LoraFactors> made = factors();
        window.modelTree()->selectTensor(QString::fromStdString(kQuery0 + ".weight"));
        QCOMPARE(shownNames(window), std::vector<std::string>{kQuery0 + ".weight · ΔW (LoRA r 8, α 16)"});
        compareToDense(window.spectrumPlot()->spectra()[0], made[0], 16);
        QVERIFY(waitForEnd(window.startSpectra(), 120000));
        QTRY_COMPARE(shownNames(window),
                     (std::vector<std::string>{kQuery0 + ".weight", kQuery0 + ".weight · ΔW (LoRA r 8, α 16)"}));
        QCOMPARE(window.spectrumPlot()->spectra()[0].singularValues.size(), size_t(64));
        window.modelTree()->selectTensor(QString::fromStdString(kIntermediate1 + ".weight"));
        QCOMPARE(shownNames(window).size(), size_t(2));
        compareToDense(window.spectrumPlot()->spectra()[1], made[2], 16);
        QCOMPARE(window.spectrumPlot()->spectra()[1].rows, int64_t(128));
        // A weight the adapter leaves alone: its own spectrum only.
        window.modelTree()->selectTensor(QStringLiteral("vit.encoder.layer.0.attention.attention.key.weight"));
        QCOMPARE(shownNames(window), std::vector<std::string>{"vit.encoder.layer.0.attention.attention.key.weight"});
        window.modelTree()->selectTensors({QString::fromStdString(kQuery0 + ".weight"), QString::fromStdString(kValue0 + ".weight")});
        QCOMPARE(shownNames(window).size(), size_t(4));
        screenshot(window, "63-peft-delta-spectra.png");

        // Merged and exported: the adapted weight is the base's plus ΔW, the others as they were.
        const QString output = dir.filePath("merged");
        BackgroundJob *job = waitForEnd(window.peft()->startMerge(output), 120000);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        QVERIFY2(job->summary().contains(output), qPrintable(job->summary()));
        QFile config(QDir(output).filePath("config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QVERIFY(QJsonDocument::fromJson(config.readAll()).object().contains("sculpt_peft_merge"));
        const auto base = openCheckpoint(demoModelPath().toStdString());
        const auto merged = openCheckpoint(output.toStdString());
        const std::vector<double> delta = denseDelta(made[0], 16);
        const std::vector<float> before = base->toFloat32(base->at(kQuery0 + ".weight"));
        const std::vector<float> after = merged->toFloat32(merged->at(kQuery0 + ".weight"));
        QCOMPARE(after.size(), delta.size());
        double largest = 0;
        for (size_t i = 0; i < after.size(); ++i)
            largest = std::max(largest, std::abs(double(after[i]) - (double(before[i]) + delta[i])));
        QVERIFY2(largest < 1e-5, qPrintable(QString::number(largest)));
        const std::string key = "vit.encoder.layer.0.attention.attention.key.weight";
        QCOMPARE(merged->toFloat32(merged->at(key)), base->toFloat32(base->at(key)));

        // Another model opened: the adapter is gone with its action.
        QVERIFY(openAndWait(window, demoModelPath()));
        QVERIFY(!window.peft()->attached());
        QVERIFY(!merge->isEnabled());
        QVERIFY(summaryLine(window).isEmpty());
    }

    // A folder whose factors do not fit (lora_B missing) fails the open in one line; a hub name
    // asks for the base, and cancelled, changes nothing either. openPeft with a base opens it
    // without asking.
    void refusedFoldersLeaveTheModel()
    {
        QTemporaryDir dir;
        const QString broken = dir.filePath("broken-lora"), hub = dir.filePath("hub-lora");
        writeAdapter(broken, relativeDemo(broken), kValue0 + ".lora_B.weight");
        writeAdapter(hub, "google/vit-base-patch16-224");
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoModelPath()));
        const QString before = window.currentPath();
        QSignalSpy failed(&window, &MainWindow::openFailed);

        window.openModel(broken);
        QVERIFY(failed.wait(20000));
        QString error = failed.at(0).at(0).toString();
        QVERIFY2(error.contains("adapter_model.safetensors") && error.contains("has lora_A.weight but no lora_B.weight"),
                 qPrintable(error));
        QVERIFY(!error.contains('\n'));
        QCOMPARE(window.currentPath(), before);
        QVERIFY(!window.peft()->attached());
        auto *box = window.findChild<QMessageBox *>(QStringLiteral("openError"));
        QVERIFY(box);
        box->close();

        window.openModel(hub);
        auto *dialog = window.findChild<QFileDialog *>(QStringLiteral("peftBase"));
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY2(dialog->windowTitle().contains("google/vit-base-patch16-224"), qPrintable(dialog->windowTitle()));
        dialog->reject();
        QCOMPARE(failed.size(), 2);
        error = failed.at(1).at(0).toString();
        QVERIFY2(error.contains("no base model chosen"), qPrintable(error));
        QVERIFY(!error.contains('\n'));
        QCOMPARE(window.currentPath(), before);
        QVERIFY(!window.peft()->attached());

        QSignalSpy opened(&window, &MainWindow::modelOpened);
        window.openPeft(hub, demoModelPath());
        QVERIFY(opened.wait(20000));
        QVERIFY(window.peft()->attached());
        QVERIFY(window.peft()->deltaOf(QString::fromStdString(kValue0 + ".weight")));
    }
};

QTEST_MAIN(TestWindowPeft)
#include "test_window_peft.moc"
