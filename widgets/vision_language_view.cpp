#include "vision_language_view.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace sculpt {
namespace {

constexpr int kThumbnail = 72;

QString gflopsText(double gflops)
{
    return std::isnan(gflops) ? QObject::tr("GFLOPs not counted") : QObject::tr("%1 GFLOPs").arg(gflops, 0, 'g', 4);
}

} // namespace

VisionLanguageView::VisionLanguageView(QWidget *parent)
    : QWidget(parent), note_(new QLabel), caption_(new QLabel), images_(new QLineEdit),
      prompt_(new QLineEdit(tr("What is in the image?"))), count_(new QSpinBox), maxTokens_(new QSpinBox),
      openModel_(new QLabel),
      columns_{new ModelChooser(tr("—"), tr("A model that reads images")),
               new ModelChooser(tr("—"), tr("A model that reads images"))},
      run_(new QPushButton(tr("&Run"))),
      answers_(new QTableWidget), totals_(new QTableWidget(1, 0))
{
    note_->setWordWrap(true);
    caption_->setWordWrap(true);
    images_->setClearButtonEnabled(true);
    images_->setPlaceholderText(tr("image files, a folder, an IDX set, a COCO captions or LLaVA conversation JSON; "
                                   "several separated by ;"));
    auto *files = new QPushButton(tr("Files…"));
    auto *folder = new QPushButton(tr("Folder…"));
    connect(files, &QPushButton::clicked, this, [this] {
        const QStringList chosen = QFileDialog::getOpenFileNames(
            this, tr("Images to ask about"), QFileInfo(sources().value(0)).path(),
            tr("Images, IDX sets, JSON (*.png *.jpg *.jpeg *-ubyte *-ubyte.gz *.idx *.gz *.json);;All files (*)"));
        if (!chosen.isEmpty())
            images_->setText(chosen.join(QStringLiteral("; ")));
    });
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getExistingDirectory(this, tr("A folder of images"), sources().value(0));
        if (!chosen.isEmpty())
            images_->setText(chosen);
    });
    auto *imagesRow = new QHBoxLayout;
    imagesRow->addWidget(new QLabel(tr("Images:")));
    imagesRow->addWidget(images_, 1);
    imagesRow->addWidget(files);
    imagesRow->addWidget(folder);

    prompt_->setToolTip(tr("Asked of every image without a question of its own (a LLaVA file's have one)"));
    count_->setRange(0, 100'000'000);
    count_->setValue(8);
    count_->setSpecialValueText(tr("all"));
    count_->setSuffix(tr(" images"));
    count_->setToolTip(tr("The first images of the sources"));
    maxTokens_->setRange(1, 4096);
    maxTokens_->setValue(16);
    maxTokens_->setSuffix(tr(" tokens"));
    maxTokens_->setToolTip(tr("At most this many tokens per answer; an answer also ends at a line break"));
    auto *promptRow = new QHBoxLayout;
    promptRow->addWidget(new QLabel(tr("Prompt:")));
    promptRow->addWidget(prompt_, 1);
    promptRow->addWidget(count_);
    promptRow->addWidget(maxTokens_);

    auto *modelsRow = new QHBoxLayout;
    modelsRow->addWidget(new QLabel(tr("Models:")));
    modelsRow->addWidget(openModel_);
    for (ModelChooser *column : columns_) {
        column->combo()->setToolTip(tr("A pass of the open model whose compressed model is in memory or exported, or a "
                                       "model folder"));
        column->browseButton()->setToolTip(tr("Compare with a model folder"));
        modelsRow->addWidget(column, 1);
    }
    modelsRow->addWidget(run_);
    setChoices({});

    answers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    answers_->setWordWrap(true);
    answers_->setIconSize(QSize(kThumbnail, kThumbnail));
    answers_->verticalHeader()->setDefaultSectionSize(kThumbnail + 8);
    answers_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    totals_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    totals_->setVerticalHeaderLabels({tr("Totals")});
    totals_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    totals_->horizontalHeader()->hide();
    totals_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    totals_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    totals_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    totals_->setToolTip(tr("Per model: answer accuracy where the images have reference answers, the decoder's mean "
                           "GFLOPs and the mean seconds per answer"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(note_);
    layout->addLayout(imagesRow);
    layout->addLayout(promptRow);
    layout->addLayout(modelsRow);
    layout->addWidget(caption_);
    layout->addWidget(answers_, 1);
    layout->addWidget(totals_);

    connect(run_, &QPushButton::clicked, this, &VisionLanguageView::runRequested);
    for (QLineEdit *field : {images_, prompt_})
        connect(field, &QLineEdit::textChanged, this, &VisionLanguageView::updateButtons);
    setOpenModel({}, false, tr("Open a model that reads images (a LLaVA-style folder) to put images to it."));
}

void VisionLanguageView::setOpenModel(const QString &name, bool readsImages, const QString &note)
{
    readsImages_ = readsImages;
    openModel_->setText(name.isEmpty() ? tr("(no model)") : name);
    note_->setText(note);
    note_->setVisible(!readsImages);
    for (QWidget *w : findChildren<QWidget *>())
        if (w != note_ && w != answers_ && w != totals_ && w != caption_ && w->parentWidget() == this)
            w->setEnabled(readsImages);
    updateButtons();
}

void VisionLanguageView::setChoices(const std::vector<Choice> &choices)
{
    for (ModelChooser *column : columns_)
        column->setChoices(choices);
}

void VisionLanguageView::chooseFolder(int column, const QString &folder) { columns_[column]->chooseFolder(folder); }

QStringList VisionLanguageView::chosenKeys() const
{
    QStringList keys;
    for (const ModelChooser *column : columns_)
        if (const QString key = column->chosenKey(); !key.isEmpty())
            keys << key;
    return keys;
}

QStringList VisionLanguageView::sources() const
{
    QStringList paths;
    for (const QString &part : images_->text().split(QLatin1Char(';')))
        if (const QString path = part.trimmed(); !path.isEmpty())
            paths << path;
    return paths;
}

void VisionLanguageView::startRun(const QStringList &models, const std::vector<Row> &rows, const QString &caption)
{
    caption_->setText(caption);
    answers_->clear();
    answers_->setColumnCount(int(models.size()) + 1);
    answers_->setRowCount(int(rows.size()));
    answers_->setHorizontalHeaderLabels(QStringList{tr("Image")} + models);
    for (int r = 0; r < int(rows.size()); ++r) {
        const Row &row = rows[size_t(r)];
        QString text = row.question.isEmpty() ? QString() : tr("Q: %1\n").arg(row.question);
        if (!row.reference.isEmpty())
            text += row.scored ? tr("A: %1").arg(row.reference) : row.reference;
        auto *image = new QTableWidgetItem(QIcon(QPixmap::fromImage(row.thumbnail)), text);
        image->setToolTip(text);
        answers_->setItem(r, 0, image);
    }
    totals_->clear();
    totals_->setColumnCount(int(models.size()) + 1);
    totals_->setVerticalHeaderLabels({tr("Totals")});
}

void VisionLanguageView::setGrowing(int row, int model, const QString &text)
{
    auto *item = new QTableWidgetItem(text + QStringLiteral("…"));
    item->setData(AnswerRole, text);
    item->setData(CorrectRole, -1);
    answers_->setItem(row, model + 1, item);
}

void VisionLanguageView::setAnswer(int row, int model, const QString &text, double gflops, double seconds, int correct)
{
    const QString cost = tr("%1 · %2 s").arg(gflopsText(gflops)).arg(seconds, 0, 'f', 2);
    auto *item = new QTableWidgetItem(correct == 0 ? tr("%1\n✗ wrong · %2").arg(text, cost) : tr("%1\n%2").arg(text, cost));
    item->setData(AnswerRole, text);
    item->setData(CorrectRole, correct);
    item->setData(GflopsRole, gflops);
    item->setData(SecondsRole, seconds);
    if (correct == 0)
        item->setBackground(QColor(255, 210, 210));
    item->setToolTip(correct == 0 ? tr("Not the reference answer") : correct == 1 ? tr("The reference answer") : QString());
    answers_->setItem(row, model + 1, item);
}

void VisionLanguageView::setTotals(int model, double accuracy, double gflops, double seconds)
{
    QString text = std::isnan(accuracy) ? QString() : tr("accuracy %1\u00a0%\n").arg(100 * accuracy, 0, 'f', 1);
    text += tr("%1 · %2 s per answer").arg(gflopsText(gflops)).arg(seconds, 0, 'f', 2);
    totals_->setItem(0, model + 1, new QTableWidgetItem(text));
}

void VisionLanguageView::setBusy(bool busy)
{
    busy_ = busy;
    updateButtons();
}

QString VisionLanguageView::caption() const { return caption_->text(); }

QString VisionLanguageView::note() const { return note_->isHidden() ? QString() : note_->text(); }

void VisionLanguageView::updateButtons()
{
    run_->setEnabled(readsImages_ && !busy_ && !sources().isEmpty() && !prompt_->text().trimmed().isEmpty());
}

} // namespace sculpt
