#include "side_by_side_view.h"

#include "label_files.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <limits>

namespace sculpt {
namespace {

QString percent(double fraction) { return QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1); }

QString count(int64_t n) { return QLocale().toString(qlonglong(n)); }

// The latest measurement on this side, or null.
const Evaluation *latest(const PassRecord &record, const char *side)
{
    const Evaluation *found = nullptr;
    for (const Evaluation &e : record.evaluations)
        if (const auto model = e.settings.find("model"); model != e.settings.end() && model->second == side)
            found = &e;
    return found;
}

QString describe(const Evaluation &e)
{
    const QString data = e.data.empty() ? QString() : QFileInfo(QString::fromStdString(e.data[0].path)).fileName();
    if (e.counted == "images")
        return QObject::tr("on %1 images of %2, %3").arg(count(e.count), data, QString::fromStdString(e.date));
    const auto documents = e.details.find("documents");
    return QObject::tr("on %1 documents (%2 tokens) of %3, %4")
        .arg(documents == e.details.end() ? QObject::tr("all") : count(int64_t(documents->second)), count(e.count), data,
             QString::fromStdString(e.date));
}

QString value(const Evaluation &e)
{
    return e.inPercent() ? QStringLiteral("%1 %").arg(100 * e.value, 0, 'f', 2) : QString::number(e.value, 'f', 3);
}

// A path field with its Browse… button.
QHBoxLayout *fileRow(QWidget *parent, const QString &label, QLineEdit *field, const QString &caption, const QString &filter)
{
    field->setClearButtonEnabled(true);
    auto *browse = new QPushButton(QObject::tr("Browse…"));
    QObject::connect(browse, &QPushButton::clicked, parent, [parent, field, caption, filter] {
        const QString chosen = QFileDialog::getOpenFileName(parent, caption, QFileInfo(field->text()).path(), filter);
        if (!chosen.isEmpty())
            field->setText(chosen);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(label));
    row->addWidget(field, 1);
    row->addWidget(browse);
    return row;
}

} // namespace

SideBySideView::SideBySideView(QWidget *parent)
    : QWidget(parent), title_(new QLabel), note_(new QLabel), facts_(new QTableWidget(FactCount, 2)),
      ranks_(new QTableWidget(0, RankColumnCount)), text_(new QLineEdit), prompt_(new QLineEdit(tr("Once upon a time"))),
      images_(new QLineEdit), labels_(new QLineEdit), documents_(new QSpinBox), seed_(new QSpinBox),
      maxTokens_(new QSpinBox), imageCount_(new QSpinBox), temperature_(new QDoubleSpinBox),
      measure_(new QPushButton(tr("&Measure perplexity"))), generate_(new QPushButton(tr("&Generate"))),
      accuracy_(new QPushButton(tr("&Measure accuracy"))), originalText_(new QPlainTextEdit),
      compressedText_(new QPlainTextEdit), predictions_(new QListWidget), measurement_(new QStackedWidget),
      outputs_(new QStackedWidget)
{
    title_->setTextFormat(Qt::RichText);
    note_->setWordWrap(true);
    facts_->setVerticalHeaderLabels({tr("Parameters"), tr("Removed"), tr("Weights file"), tr("Perplexity")});
    facts_->setObjectName(QStringLiteral("sideBySideFacts"));
    facts_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    facts_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    facts_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    facts_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    facts_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    ranks_->setHorizontalHeaderLabels({tr("Layer"), tr("Shape"), tr("Rank kept"), tr("Full rank"), tr("Stored as")});
    ranks_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    ranks_->verticalHeader()->setVisible(false);
    ranks_->verticalHeader()->setDefaultSectionSize(ranks_->fontMetrics().height() + 6);
    ranks_->horizontalHeader()->setStretchLastSection(true);
    ranks_->setSortingEnabled(false);

    text_->setPlaceholderText(tr("a text: documents separated by blank lines"));
    documents_->setRange(0, 100'000'000);
    documents_->setValue(20);
    documents_->setSpecialValueText(tr("all"));
    documents_->setSuffix(tr(" documents"));
    documents_->setToolTip(tr("The first documents of the text; calibration takes its documents from the end"));
    auto *perplexityRow = fileRow(this, tr("Text:"), text_, tr("Text to measure perplexity on"), tr("Text (*.txt);;All files (*)"));
    perplexityRow->addWidget(documents_);
    perplexityRow->addWidget(measure_);
    const QString idx = tr("IDX files (*-ubyte *-ubyte.gz *.idx *.gz);;All files (*)");
    images_->setPlaceholderText(tr("an IDX image set: test images, never the calibration set"));
    imageCount_->setRange(0, 100'000'000);
    imageCount_->setValue(0);
    imageCount_->setSpecialValueText(tr("all"));
    imageCount_->setSuffix(tr(" images"));
    imageCount_->setToolTip(tr("The first images of the set"));
    auto *accuracyRow = fileRow(this, tr("Images:"), images_, tr("Images to measure accuracy on"), idx);
    accuracyRow->addLayout(fileRow(this, tr("Labels:"), labels_, tr("Their labels"), idx), 1);
    accuracyRow->addWidget(imageCount_);
    accuracyRow->addWidget(accuracy_);
    for (QLayout *row : std::initializer_list<QLayout *>{perplexityRow, accuracyRow}) {
        auto *page = new QWidget;
        row->setContentsMargins(0, 0, 0, 0);
        page->setLayout(row);
        measurement_->addWidget(page);
    }

    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("The same seed gives both models the same random draws"));
    temperature_->setRange(0, 5);
    temperature_->setSingleStep(0.1);
    temperature_->setValue(0.8);
    temperature_->setToolTip(tr("0: always the most likely token; above: sampled from softmax(logits / T)"));
    maxTokens_->setRange(1, 4096);
    maxTokens_->setValue(64);
    maxTokens_->setSuffix(tr(" tokens"));
    auto *generateRow = new QHBoxLayout;
    generateRow->addWidget(new QLabel(tr("Prompt:")));
    generateRow->addWidget(prompt_, 1);
    generateRow->addWidget(new QLabel(tr("seed")));
    generateRow->addWidget(seed_);
    generateRow->addWidget(new QLabel(tr("T")));
    generateRow->addWidget(temperature_);
    generateRow->addWidget(maxTokens_);
    generateRow->addWidget(generate_);
    for (QPlainTextEdit *text : {originalText_, compressedText_})
        text->setReadOnly(true);
    auto *texts = new QGridLayout;
    texts->addWidget(new QLabel(tr("Original")), 0, 0);
    texts->addWidget(new QLabel(tr("Compressed")), 0, 1);
    texts->addWidget(originalText_, 1, 0);
    texts->addWidget(compressedText_, 1, 1);

    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(title_);
    topLayout->addWidget(note_);
    topLayout->addWidget(facts_);
    topLayout->addWidget(measurement_);
    auto *generation = new QWidget;
    auto *generationLayout = new QVBoxLayout(generation);
    generationLayout->setContentsMargins(0, 0, 0, 0);
    generationLayout->addLayout(generateRow);
    generationLayout->addLayout(texts, 1);
    predictions_->setViewMode(QListView::IconMode);
    predictions_->setIconSize(QSize(56, 56));
    predictions_->setResizeMode(QListView::Adjust);
    predictions_->setMovement(QListView::Static);
    predictions_->setSpacing(4);
    predictions_->setUniformItemSizes(true);
    predictions_->setToolTip(tr("The first images, each with its label and both models' classes; a red frame marks "
                                "the images the two models disagree on"));
    outputs_->addWidget(generation);
    outputs_->addWidget(predictions_);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(ranks_);
    splitter->addWidget(outputs_);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(measure_, &QPushButton::clicked, this, &SideBySideView::measureRequested);
    connect(generate_, &QPushButton::clicked, this, &SideBySideView::generateRequested);
    connect(accuracy_, &QPushButton::clicked, this, &SideBySideView::accuracyRequested);
    for (QLineEdit *field : {text_, prompt_, images_, labels_})
        connect(field, &QLineEdit::textChanged, this, &SideBySideView::updateButtons);
    connect(images_, &QLineEdit::editingFinished, this, [this] {
        if (const QString guess = labelsBeside(images_->text()); !guess.isEmpty() && !QFileInfo(labels_->text().trimmed()).isFile())
            labels_->setText(guess);
    });
    showPass({}, -1, nullptr, false);
}

void SideBySideView::setFact(Fact fact, Side side, const QString &text, const QString &tip)
{
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(tip);
    facts_->setItem(fact, side, item);
}

QString SideBySideView::factText(Fact fact, Side side) const
{
    const QTableWidgetItem *item = facts_->item(fact, side);
    return item ? item->text() : QString();
}

QString SideBySideView::note() const { return note_->isHidden() ? QString() : note_->text(); }

void SideBySideView::showPass(const QString &originalName, qint64 originalBytes, const PassRecord *record, bool runnable)
{
    runnable_ = record && runnable;
    facts_->clearContents();
    ranks_->setRowCount(0);
    // What the models made stays while the same pass is shown again (its record updated by a
    // measurement); another pass starts empty.
    const QString shown = record ? QString::fromStdString(record->id + " " + record->date) : QString();
    if (shown != shownPass_ || shown.isEmpty()) {
        originalText_->clear();
        compressedText_->clear();
        predictions_->clear();
    }
    shownPass_ = shown;
    const bool vision = record && record->modelKind == "vision";
    measurement_->setCurrentIndex(vision ? 1 : 0);
    outputs_->setCurrentIndex(vision ? 1 : 0);
    facts_->setVerticalHeaderItem(Measured, new QTableWidgetItem(vision ? tr("Accuracy") : tr("Perplexity")));
    if (!record) {
        title_->setText(tr("<b>Side by side</b>"));
        note_->setText(tr("Choose a compression pass in the Compression tab to compare it with the original."));
        note_->show();
        facts_->setHorizontalHeaderLabels({tr("Original"), tr("Compressed")});
        updateButtons();
        return;
    }
    const CompressionSummary &s = record->summary;
    const QString pass = QStringLiteral("%1 %2").arg(QString::fromStdString(s.method), percent(s.targetRatio));
    title_->setText(tr("<b>%1</b> and its <b>%2</b> compression").arg(originalName.toHtmlEscaped(), pass.toHtmlEscaped()));
    facts_->setHorizontalHeaderLabels({originalName, pass});
    note_->setText(runnable_ ? QString()
                             : tr("This pass's compressed model is no longer in memory and was not exported: sizes "
                                  "and ranks only. Run the pass again (and export it) to measure and generate."));
    note_->setVisible(!runnable_);

    setFact(Parameters, Original, count(s.parametersBefore));
    setFact(Parameters, Compressed, count(s.parametersAfter));
    setFact(Removed, Original, tr("—"));
    setFact(Removed, Compressed, tr("%1 of the targeted, %2 of the model").arg(percent(s.ratio), percent(s.modelRatio())),
            tr("Targeted: the block projections the pass compressed; the model: every parameter, embeddings included"));
    const QString locale = QLocale().formattedDataSize(originalBytes);
    setFact(WeightsFile, Original, originalBytes >= 0 ? locale : tr("unknown"));
    if (record->exportPath.empty()) {
        setFact(WeightsFile, Compressed, tr("not exported"), tr("Compression ▸ Export… writes it"));
    } else {
        const QDir folder(QString::fromStdString(record->exportPath));
        const QFileInfo weights(folder.filePath(QStringLiteral("model.safetensors")));
        QString size = weights.exists() ? QLocale().formattedDataSize(weights.size()) : tr("gone");
        if (weights.exists() && originalBytes > 0)
            size += tr(" (%1 of the original)").arg(percent(double(weights.size()) / double(originalBytes)));
        setFact(WeightsFile, Compressed, size,
                tr("%1, %2").arg(weights.filePath(), QString::fromStdString(record->exportFormat)));
    }
    const Evaluation *before = latest(*record, "original"), *after = latest(*record, "compressed");
    const QString how = vision ? tr("Measure accuracy below") : tr("Measure perplexity below");
    setFact(Measured, Original, before ? value(*before) : tr("—"), before ? describe(*before) : how);
    setFact(Measured, Compressed, after ? value(*after) : tr("—"), after ? describe(*after) : how);

    ranks_->setRowCount(int(s.layers.size()));
    for (int row = 0; row < int(s.layers.size()); ++row) {
        const CompressedLayer &l = s.layers[size_t(row)];
        const int64_t full = std::min(l.rows, l.cols);
        const QStringList cells{QString::fromStdString(l.name), QStringLiteral("%1 × %2").arg(l.rows).arg(l.cols),
                                QString::number(l.rank), QString::number(full),
                                l.dense ? tr("dense, %1").arg(count(l.rows * l.cols))
                                        : tr("two factors, %1 of %2").arg(count(l.rank * (l.rows + l.cols)),
                                                                          count(l.rows * l.cols))};
        for (int c = 0; c < RankColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c == Rank || c == FullRank)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            ranks_->setItem(row, c, item);
        }
    }
    ranks_->resizeColumnsToContents();
    updateButtons();
}

void SideBySideView::setGenerations(const QString &original, const QString &compressed)
{
    originalText_->setPlainText(original);
    compressedText_->setPlainText(compressed);
}

void SideBySideView::setPredictions(const std::vector<Prediction> &predictions)
{
    predictions_->clear();
    const QSize icon = predictions_->iconSize();
    for (const Prediction &p : predictions) {
        const bool disagree = p.original != p.compressed;
        QPixmap pixmap(icon);
        pixmap.fill(disagree ? QColor(200, 40, 40) : palette().color(QPalette::Base));
        QPainter painter(&pixmap);
        painter.drawImage(QRect(QPoint(3, 3), icon - QSize(6, 6)), p.image);
        painter.end();
        auto *item = new QListWidgetItem(QIcon(pixmap), tr("%1\n%2 · %3").arg(p.label, p.original, p.compressed));
        item->setToolTip(tr("label %1\noriginal: %2\ncompressed: %3%4")
                             .arg(p.label, p.original, p.compressed, disagree ? tr("\nthe models disagree") : QString()));
        item->setData(Qt::UserRole, disagree);
        predictions_->addItem(item);
    }
}

void SideBySideView::setBusy(bool busy)
{
    busy_ = busy;
    updateButtons();
}

void SideBySideView::updateButtons()
{
    const bool ready = runnable_ && !busy_;
    measure_->setEnabled(ready && QFileInfo(text_->text().trimmed()).isFile());
    generate_->setEnabled(ready && !prompt_->text().isEmpty());
    accuracy_->setEnabled(ready && QFileInfo(images_->text().trimmed()).isFile() &&
                          QFileInfo(labels_->text().trimmed()).isFile());
}

} // namespace sculpt
