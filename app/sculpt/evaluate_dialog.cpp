#include "evaluate_dialog.h"

#include "browse_row.h"
#include "cluster_button.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace sculpt {
namespace {

const char *const kSettingsKey = "settingsKey";

QSpinBox *countField(const QString &unit)
{
    auto *spin = new QSpinBox;
    spin->setRange(0, 100'000'000);
    spin->setSpecialValueText(QObject::tr("all"));
    spin->setSuffix(QLatin1Char(' ') + unit);
    spin->setAccelerated(true);
    return spin;
}

std::string pathOf(const QLineEdit *field) { return field->text().trimmed().toStdString(); }

} // namespace

EvaluateDialog::EvaluateDialog(const QString &modelName, Kind kind, QWidget *parent)
    : QDialog(parent), kinds_(new QTabWidget),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("evaluateDialog"));
    setWindowTitle(tr("Evaluate %1").arg(modelName));

    text_ = fileField(QStringLiteral("evaluate/text"), tr("documents separated by blank lines"));
    // A tokenizer or a sidecar belongs to one model: neither is remembered.
    tokenizer_ = fileField(QString(), tr("empty: the one beside the model"));
    maxDocuments_ = countField(tr("documents"));
    auto *textPage = new QWidget;
    auto *textForm = new QFormLayout(textPage);
    textForm->addRow(tr("&Text file:"), withBrowseButton(text_, existingFile(this, tr("Text to measure perplexity on"),
                                                                      tr("Text (*.txt);;All files (*)"))));
    textForm->addRow(tr("To&kenizer:"), withBrowseButton(tokenizer_, existingFile(this, tr("The model's tokenizer"),
                                                                           tr("Tokenizers (*.model *.bin);;All files (*)"))));
    textForm->addRow(tr("&Documents:"), maxDocuments_);
    textForm->addRow(new QLabel(tr("Perplexity: exp of the mean negative log-likelihood of every token after "
                                   "the first of each document, each cut to the model's context.")));

    images_ = fileField(QStringLiteral("evaluate/images"), tr("IDX images (idx3), raw or gzip"));
    labels_ = fileField(QStringLiteral("evaluate/labels"), tr("IDX labels (idx1), raw or gzip"));
    config_ = fileField(QString(), tr("optional: a ViT sidecar for checkpoints not in HF's layout"));
    limit_ = countField(tr("images"));
    auto *imagePage = new QWidget;
    auto *imageForm = new QFormLayout(imagePage);
    const QString idx = tr("IDX (*-ubyte *-ubyte.gz *.idx *.idx.gz);;All files (*)");
    imageForm->addRow(tr("&Images:"), withBrowseButton(images_, existingFile(this, tr("Images to classify"), idx)));
    imageForm->addRow(tr("&Labels:"), withBrowseButton(labels_, existingFile(this, tr("Their labels"), idx)));
    imageForm->addRow(tr("&Sidecar config:"), withBrowseButton(config_, existingFile(this, tr("ViT sidecar config"), tr("JSON (*.json);;All files (*)"))));
    imageForm->addRow(tr("I&mages counted:"), limit_);
    imageForm->addRow(new QLabel(tr("Accuracy: the share of images whose top-1 class is their label.")));
    connect(images_, &QLineEdit::editingFinished, this, [this] { guessLabels(images_, labels_); });

    kinds_->addTab(textPage, tr("Perplexity on a text"));
    kinds_->addTab(imagePage, tr("Accuracy on images"));
    setKind(kind);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(kinds_);
    layout->addWidget(buttons_);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Evaluate"));
    clusterButton_ = addClusterButton(this, buttons_,
                                      tr("A Slurm job on the cluster of Analyse ▸ Cluster settings; the result "
                                         "comes home into the workspace when it ends"),
                                      &onCluster_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &EvaluateDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &EvaluateDialog::reject);
    connect(kinds_, &QTabWidget::currentChanged, this, &EvaluateDialog::updateOk);
    for (QLineEdit *field : {text_, tokenizer_, images_, labels_, config_})
        connect(field, &QLineEdit::textChanged, this, &EvaluateDialog::updateOk);
    updateOk();
}

QLineEdit *EvaluateDialog::fileField(const QString &settingsKey, const QString &placeholder)
{
    auto *field = new QLineEdit(settingsKey.isEmpty() ? QString() : QSettings().value(settingsKey).toString());
    field->setProperty(kSettingsKey, settingsKey);
    field->setPlaceholderText(placeholder);
    field->setClearButtonEnabled(true);
    field->setMinimumWidth(field->fontMetrics().averageCharWidth() * 48);
    return field;
}

EvaluateDialog::Kind EvaluateDialog::kind() const
{
    return kinds_->currentIndex() == 0 ? Kind::Perplexity : Kind::Accuracy;
}

void EvaluateDialog::setKind(Kind kind) { kinds_->setCurrentIndex(kind == Kind::Perplexity ? 0 : 1); }

EvaluationRequest EvaluateDialog::request() const
{
    EvaluationRequest r;
    if (kind() == Kind::Perplexity) {
        r.text = pathOf(text_);
        r.tokenizer = pathOf(tokenizer_);
        r.maxDocuments = maxDocuments_->value() > 0 ? maxDocuments_->value() : -1;
    } else {
        r.images = pathOf(images_);
        r.labels = pathOf(labels_);
        r.config = pathOf(config_);
        r.limit = limit_->value() > 0 ? limit_->value() : -1;
    }
    return r;
}

// Files that are not there are caught here; what is in them, by the job.
void EvaluateDialog::updateOk()
{
    const auto optional = [](const QLineEdit *field) { return field->text().trimmed().isEmpty() || namesFile(field); };
    const bool ready = kind() == Kind::Perplexity ? namesFile(text_) && optional(tokenizer_)
                                                  : namesFile(images_) && namesFile(labels_) && optional(config_);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(ready);
    clusterButton_->setEnabled(ready);
}

void EvaluateDialog::accept()
{
    QSettings settings;
    for (const QLineEdit *field : {text_, images_, labels_})
        if (namesFile(field))
            settings.setValue(field->property(kSettingsKey).toString(), field->text().trimmed());
    QDialog::accept();
}

} // namespace sculpt
