#include "compress_dialog.h"

#include "browse_row.h"
#include "cluster_button.h"

#include <QCheckBox>
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
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace sculpt {
namespace {

const QString kMethodKey = QStringLiteral("compress/method");
const QString kRatioKey = QStringLiteral("compress/ratio");
const char *const kKey = "settingKey";

// The calibration data is remembered per kind of model: a text is no use to a ViT.
QString kindKey(ModelKind kind, const char *what)
{
    const char *data = kind == ModelKind::Language ? "text" : kind == ModelKind::Vision ? "images" : "layouts";
    return QStringLiteral("compress/%1/%2").arg(data, what);
}

// Whether `field` names calibration data there is: a file, or for a layout model a folder of
// annotations too.
bool namesCalibration(ModelKind kind, const QLineEdit *field)
{
    return kind == ModelKind::Layout ? QFileInfo::exists(field->text().trimmed()) : namesFile(field);
}

// A setting's field: a line edit for numbers, written as C numbers ("1e-06", "0.5") whatever
// the locale, since they go to the pass and into its record as typed; a check box for a
// boolean; a combo box for a choice.
QWidget *settingField(const PassSetting &s)
{
    QWidget *field = nullptr;
    switch (s.type) {
    case PassSetting::Type::Boolean: {
        auto *box = new QCheckBox;
        box->setChecked(s.value != 0);
        field = box;
        break;
    }
    case PassSetting::Type::Choice: {
        auto *box = new QComboBox;
        for (const std::string &c : s.choices)
            box->addItem(QString::fromStdString(c));
        box->setCurrentIndex(int(s.value));
        field = box;
        break;
    }
    case PassSetting::Type::Integer:
    case PassSetting::Type::Number: {
        auto *line = new QLineEdit(QString::fromStdString(settingText(s, s.value)));
        if (s.type == PassSetting::Type::Integer) {
            line->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("-?\\d{1,15}")), line));
        } else {
            auto *validator = new QDoubleValidator(line);
            validator->setLocale(QLocale::c());
            validator->setNotation(QDoubleValidator::ScientificNotation);
            line->setValidator(validator);
        }
        field = line;
        break;
    }
    }
    field->setProperty(kKey, QString::fromStdString(s.key));
    field->setObjectName(QString::fromStdString(s.key));
    field->setToolTip(CompressDialog::tr("%1 (default %2)")
                          .arg(QString::fromStdString(s.help), QString::fromStdString(settingText(s, s.value))));
    return field;
}

double settingValue(const PassSetting &s, const QWidget *field)
{
    if (const auto *box = qobject_cast<const QCheckBox *>(field))
        return box->isChecked() ? 1 : 0;
    if (const auto *box = qobject_cast<const QComboBox *>(field))
        return box->currentIndex();
    return parseSetting(s, qobject_cast<const QLineEdit *>(field)->text().toStdString()).value_or(s.value);
}

} // namespace

CompressDialog::CompressDialog(const QString &modelName, ModelKind kind, std::vector<const CompressionPass *> passes,
                               QWidget *parent)
    : QDialog(parent), kind_(kind), method_(new QComboBox), description_(new QLabel), ratio_(new QDoubleSpinBox),
      calibration_(new QLineEdit), labels_(new QLineEdit), tokenizer_(new QLineEdit), count_(new QSpinBox),
      settingsBox_(new QGroupBox), settingsForm_(new QFormLayout(settingsBox_)),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("compressDialog"));
    setWindowTitle(tr("Compress %1").arg(modelName));
    const QSettings stored;
    const bool text = kind == ModelKind::Language;

    for (const CompressionPass *p : passes) {
        const std::vector<ModelKind> kinds = p->models();
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
            continue;
        passes_.push_back(p);
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
    for (QLineEdit *field : {calibration_, labels_, tokenizer_}) {
        field->setClearButtonEnabled(true);
        field->setMinimumWidth(field->fontMetrics().averageCharWidth() * 48);
    }
    calibration_->setText(stored.value(kindKey(kind, "file")).toString());
    labels_->setText(stored.value(kindKey(kind, "labels")).toString());
    labels_->setPlaceholderText(tr("the images' IDX labels; needed by passes that learn from a loss"));
    count_->setRange(1, 1'000'000);
    count_->setValue(stored.value(kindKey(kind, "count"), int(kDefaultCalibrationCount)).toInt());
    switch (kind) {
    case ModelKind::Language:
        count_->setSuffix(tr(" documents"));
        count_->setToolTip(tr("How many documents, from the end of the text, the pass learns from; evaluate on the "
                              "start of a text so the two never overlap"));
        break;
    case ModelKind::Vision:
        calibration_->setPlaceholderText(tr("an IDX image set: training images, never the test set"));
        count_->setSuffix(tr(" images"));
        count_->setToolTip(tr("How many images, from the start of the set, the pass learns from"));
        break;
    case ModelKind::Layout:
        calibration_->setPlaceholderText(tr("an annotation file or folder (Manga109, OpenMantra, ACBF): training pages"));
        count_->setSuffix(tr(" pages"));
        count_->setToolTip(tr("How many pages, from the start, the pass learns from: each is noised to %1 steps of "
                              "the diffusion, as training noised it")
                               .arg(kCalibrationNoiseLevels));
        break;
    }
    tokenizer_->setPlaceholderText(tr("empty: the one beside the model"));

    auto *top = new QFormLayout;
    top->addRow(tr("&Method:"), method_);
    auto *form = new QFormLayout;
    form->addRow(tr("&Target ratio removed:"), ratio_);
    if (text) {
        calibrationRows_.push_back(withBrowseButton(calibration_, existingFile(this, tr("Calibration text"),
                                                                               tr("Text (*.txt);;All files (*)"))));
        calibrationLabel_ = new QLabel;
        form->addRow(calibrationLabel_, calibrationRows_.back());
        form->addRow(tr("&Documents:"), count_);
        form->addRow(tr("To&kenizer:"), withBrowseButton(tokenizer_, existingFile(this, tr("The model's tokenizer"),
                                                                                 tr("Tokenizers (*.model *.bin *.json);;All files (*)"))));
        labels_->setParent(this); // unused for text, but owned
        labels_->hide();
    } else if (kind == ModelKind::Vision) {
        const QString idx = tr("IDX files (*-ubyte *-ubyte.gz *.idx *.gz);;All files (*)");
        calibrationRows_.push_back(withBrowseButton(calibration_, existingFile(this, tr("Calibration images"), idx)));
        form->addRow(tr("&Calibration images:"), calibrationRows_.back());
        calibrationRows_.push_back(withBrowseButton(labels_, existingFile(this, tr("Their labels"), idx)));
        form->addRow(tr("&Labels:"), calibrationRows_.back());
        form->addRow(tr("&Images:"), count_);
        tokenizer_->setParent(this); // unused for images, but owned
        tokenizer_->hide();
        connect(calibration_, &QLineEdit::editingFinished, this, [this] { guessLabels(calibration_, labels_); });
    } else {
        // A folder is typed (a data set's annotations); the button picks a file.
        calibrationRows_.push_back(withBrowseButton(
            calibration_, existingFile(this, tr("Calibration pages"), tr("Annotations (*.json *.xml *.acbf);;All files (*)"))));
        form->addRow(tr("&Calibration pages:"), calibrationRows_.back());
        form->addRow(tr("&Pages:"), count_);
        for (QLineEdit *unused : {labels_, tokenizer_}) {
            unused->setParent(this); // owned all the same
            unused->hide();
        }
    }

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(description_);
    layout->addLayout(form);
    layout->addWidget(settingsBox_);
    layout->addWidget(buttons_);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Compress"));
    clusterButton_ = addClusterButton(this, buttons_,
                                      tr("A Slurm job on the cluster of Analyse ▸ Cluster settings, exporting the "
                                         "compressed model to a folder you name next; its record comes home into "
                                         "the workspace"),
                                      &onCluster_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &CompressDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &CompressDialog::reject);
    connect(method_, &QComboBox::currentIndexChanged, this, &CompressDialog::showSettings);
    for (QLineEdit *field : {calibration_, labels_, tokenizer_})
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

void CompressDialog::showSettings()
{
    while (settingsForm_->rowCount() > 0)
        settingsForm_->removeRow(0);
    settingFields_.clear();
    const CompressionPass *p = pass();
    description_->setText(p ? QString::fromStdString(p->description())
                            : tr("No compression pass in this build takes a %1.").arg(QString::fromStdString(kindName(kind_))));
    const std::vector<PassSetting> settings = p ? p->settings() : std::vector<PassSetting>{};
    settingsBox_->setTitle(p ? tr("Settings of %1").arg(QString::fromStdString(p->title())) : QString());
    settingsBox_->setVisible(!settings.empty());
    for (const PassSetting &s : settings) {
        QWidget *field = settingField(s);
        if (auto *line = qobject_cast<QLineEdit *>(field))
            connect(line, &QLineEdit::textChanged, this, &CompressDialog::updateOk);
        auto *label = new QLabel(QString::fromStdString(s.key) + QLatin1Char(':'));
        label->setToolTip(field->toolTip());
        settingsForm_->addRow(label, field);
        settingFields_.emplace_back(s, field);
    }
    const bool calibrated = p && p->needsCalibration();
    for (QWidget *row : calibrationRows_)
        row->setEnabled(calibrated);
    ratio_->setEnabled(p && p->takesRatio());
    if (calibrationLabel_) {
        const bool questions = p && p->needsImageQuestions();
        calibrationLabel_->setText(questions ? tr("&Image questions:") : tr("&Calibration text:"));
        calibration_->setPlaceholderText(questions ? tr("images with questions and answers: LLaVA's conversation JSON "
                                                        "or COCO captions")
                                                   : tr("documents separated by blank lines; taken from its end"));
    }
    count_->setEnabled(calibrated);
    updateOk();
    adjustSize();
}

QWidget *CompressDialog::setting(const QString &key) const
{
    for (const auto &[s, field] : settingFields_)
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
            (p->needsImageQuestions() ? r.calibrationQuestions : r.calibrationFile) =
                calibration_->text().trimmed().toStdString();
            if (kind_ == ModelKind::Vision)
                r.calibrationLabels = labels_->text().trimmed().toStdString();
            r.calibrationCount = count_->value();
        }
    }
    r.ratio = ratio_->value() / 100;
    if (kind_ == ModelKind::Language)
        r.tokenizer = tokenizer_->text().trimmed().toStdString();
    for (const auto &[s, field] : settingFields_)
        r.settings[s.key] = settingValue(s, field);
    return r;
}

// Files that are not there and numbers that are not numbers are caught here; the rest by the job.
void CompressDialog::updateOk()
{
    const CompressionPass *p = pass();
    const bool images = kind_ == ModelKind::Vision;
    bool ready = p && (!p->needsCalibration() || namesCalibration(kind_, calibration_)) &&
                 (!p || !p->needsCalibration() || !images || !p->needsLabels() || namesFile(labels_)) &&
                 (kind_ != ModelKind::Language || tokenizer_->text().trimmed().isEmpty() || namesFile(tokenizer_));
    for (const auto &[s, field] : settingFields_)
        if (const auto *line = qobject_cast<const QLineEdit *>(field))
            ready = ready && line->hasAcceptableInput() && parseSetting(s, line->text().toStdString());
    okButton()->setEnabled(ready);
    clusterButton_->setEnabled(ready);
}

void CompressDialog::accept()
{
    QSettings stored;
    stored.setValue(kMethodKey, method_->currentData());
    stored.setValue(kRatioKey, ratio_->value());
    stored.setValue(kindKey(kind_, "count"), count_->value());
    if (namesCalibration(kind_, calibration_))
        stored.setValue(kindKey(kind_, "file"), calibration_->text().trimmed());
    if (namesFile(labels_))
        stored.setValue(kindKey(kind_, "labels"), labels_->text().trimmed());
    QDialog::accept();
}

} // namespace sculpt
