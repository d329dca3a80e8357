#include "compress_dialog.h"

#include "browse_row.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sculpt {
namespace {

const QString kMethodKey = QStringLiteral("compress/method");
const QString kRatioKey = QStringLiteral("compress/ratio");
const QString kCalibrationKey = QStringLiteral("compress/calibration");
const QString kDocumentsKey = QStringLiteral("compress/documents");
const char *const kKey = "settingKey";

// Settings are written as C numbers ("1e-06", "0.5") whatever the locale: they go to the
// pass, and into its record, as they are typed.
QString number(double value) { return QString::number(value, 'g', 12); }

} // namespace

CompressDialog::CompressDialog(const QString &modelName, std::vector<const CompressionPass *> passes, QWidget *parent)
    : QDialog(parent), passes_(std::move(passes)), method_(new QComboBox), description_(new QLabel),
      ratio_(new QDoubleSpinBox), calibration_(new QLineEdit), tokenizer_(new QLineEdit), documents_(new QSpinBox),
      settingsBox_(new QGroupBox), settingsForm_(new QFormLayout(settingsBox_)),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("compressDialog"));
    setWindowTitle(tr("Compress %1").arg(modelName));
    const QSettings stored;

    for (const CompressionPass *p : passes_) {
        method_->addItem(QString::fromStdString(p->title()), QString::fromStdString(p->name()));
        method_->setItemData(method_->count() - 1, QString::fromStdString(p->description()), Qt::ToolTipRole);
    }
    description_->setWordWrap(true);
    ratio_->setRange(1, 95);
    ratio_->setDecimals(1);
    ratio_->setSingleStep(5);
    ratio_->setSuffix(QStringLiteral(" %"));
    ratio_->setValue(stored.value(kRatioKey, 40.0).toDouble());
    ratio_->setToolTip(tr("Share of the targeted matrices' parameters to remove: 1 − Σ k(m+n) / Σ m·n, a layer "
                          "kept at rank k stored as two factors"));
    calibration_->setText(stored.value(kCalibrationKey).toString());
    calibration_->setPlaceholderText(tr("documents separated by blank lines; taken from its end"));
    calibration_->setClearButtonEnabled(true);
    calibration_->setMinimumWidth(calibration_->fontMetrics().averageCharWidth() * 48);
    documents_->setRange(1, 1'000'000);
    documents_->setValue(stored.value(kDocumentsKey, 32).toInt());
    documents_->setSuffix(tr(" documents"));
    documents_->setToolTip(tr("How many documents, from the end of the text, the pass learns from; evaluate on the "
                              "start of a text so the two never overlap"));
    tokenizer_->setPlaceholderText(tr("empty: the one beside the model"));
    tokenizer_->setClearButtonEnabled(true);

    auto *top = new QFormLayout;
    top->addRow(tr("&Method:"), method_);
    auto *form = new QFormLayout;
    form->addRow(tr("&Target ratio removed:"), ratio_);
    form->addRow(tr("&Calibration text:"),
                 withBrowseButton(calibration_, existingFile(this, tr("Calibration text"), tr("Text (*.txt);;All files (*)"))));
    form->addRow(tr("&Documents:"), documents_);
    form->addRow(tr("To&kenizer:"), withBrowseButton(tokenizer_, existingFile(this, tr("The model's tokenizer"),
                                                                  tr("Tokenizers (*.model *.bin *.json);;All files (*)"))));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(description_);
    layout->addLayout(form);
    layout->addWidget(settingsBox_);
    layout->addWidget(buttons_);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Compress"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &CompressDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &CompressDialog::reject);
    connect(method_, &QComboBox::currentIndexChanged, this, &CompressDialog::showSettings);
    for (QLineEdit *field : {calibration_, tokenizer_})
        connect(field, &QLineEdit::textChanged, this, &CompressDialog::updateOk);

    const int remembered = method_->findData(stored.value(kMethodKey).toString());
    method_->setCurrentIndex(remembered >= 0 ? remembered : 0);
    showSettings();
}

const CompressionPass *CompressDialog::pass() const
{
    const int i = method_->currentIndex();
    return i >= 0 && size_t(i) < passes_.size() ? passes_[size_t(i)] : nullptr;
}

void CompressDialog::setMethod(const QString &name) { method_->setCurrentIndex(method_->findData(name)); }

// The chosen pass's settings, each a number field holding its default.
void CompressDialog::showSettings()
{
    while (settingsForm_->rowCount() > 0)
        settingsForm_->removeRow(0);
    settingFields_.clear();
    const CompressionPass *p = pass();
    description_->setText(p ? QString::fromStdString(p->description()) : tr("This build has no compression pass."));
    const std::vector<PassSetting> settings = p ? p->settings() : std::vector<PassSetting>{};
    settingsBox_->setTitle(p ? tr("Settings of %1").arg(QString::fromStdString(p->title())) : QString());
    settingsBox_->setVisible(!settings.empty());
    for (const PassSetting &s : settings) {
        auto *field = new QLineEdit(number(s.value));
        auto *validator = new QDoubleValidator(field);
        validator->setLocale(QLocale::c());
        validator->setNotation(QDoubleValidator::ScientificNotation);
        field->setValidator(validator);
        field->setProperty(kKey, QString::fromStdString(s.key));
        field->setToolTip(tr("%1 (default %2)").arg(QString::fromStdString(s.help), number(s.value)));
        field->setObjectName(QString::fromStdString(s.key));
        connect(field, &QLineEdit::textChanged, this, &CompressDialog::updateOk);
        auto *label = new QLabel(QString::fromStdString(s.key) + QLatin1Char(':'));
        label->setToolTip(field->toolTip());
        settingsForm_->addRow(label, field);
        settingFields_.push_back(field);
    }
    const bool calibrated = p && p->needsCalibration();
    calibration_->parentWidget()->setEnabled(calibrated);
    documents_->setEnabled(calibrated);
    updateOk();
    adjustSize();
}

QLineEdit *CompressDialog::setting(const QString &key) const
{
    for (QLineEdit *field : settingFields_)
        if (field->property(kKey).toString() == key)
            return field;
    return nullptr;
}

QPushButton *CompressDialog::okButton() const { return buttons_->button(QDialogButtonBox::Ok); }

PassRequest CompressDialog::request() const
{
    PassRequest r;
    if (const CompressionPass *p = pass()) {
        r.method = p->name();
        if (p->needsCalibration()) {
            r.calibrationFile = calibration_->text().trimmed().toStdString();
            r.calibrationDocuments = documents_->value();
        }
    }
    r.ratio = ratio_->value() / 100;
    r.tokenizer = tokenizer_->text().trimmed().toStdString();
    for (const QLineEdit *field : settingFields_)
        r.settings[field->property(kKey).toString().toStdString()] = QLocale::c().toDouble(field->text());
    return r;
}

// Files that are not there and numbers that are not numbers are caught here; the rest by the job.
void CompressDialog::updateOk()
{
    const CompressionPass *p = pass();
    bool ready = p && (!p->needsCalibration() || namesFile(calibration_)) &&
                 (tokenizer_->text().trimmed().isEmpty() || namesFile(tokenizer_));
    for (const QLineEdit *field : settingFields_)
        ready = ready && field->hasAcceptableInput();
    okButton()->setEnabled(ready);
}

void CompressDialog::accept()
{
    QSettings stored;
    stored.setValue(kMethodKey, method_->currentData());
    stored.setValue(kRatioKey, ratio_->value());
    stored.setValue(kDocumentsKey, documents_->value());
    if (namesFile(calibration_))
        stored.setValue(kCalibrationKey, calibration_->text().trimmed());
    QDialog::accept();
}

} // namespace sculpt
