#include "layout_generation_view.h"

#include "layout_page_view.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <limits>

namespace sculpt {
namespace {

const QSize kThumbnail(150, 210);

} // namespace

LayoutGenerationView::LayoutGenerationView(QWidget *parent)
    : QWidget(parent), panels_(new QSpinBox), firstSeed_(new QSpinBox), seedCount_(new QSpinBox), steps_(new QSpinBox),
      aspect_(new QDoubleSpinBox),
      model_(new ModelChooser({}, tr("A layout model folder"))),
      compressed_(new ModelChooser(tr("—"), tr("A compressed layout model folder"))),
      generate_(new QPushButton(tr("&Generate"))), caption_(new QLabel), scroll_(new QScrollArea)
{
    panels_->setRange(1, 64);
    panels_->setValue(4);
    panels_->setSuffix(tr(" panels"));
    panels_->setToolTip(tr("Every layout has exactly this many panels; the real pages shown have as many"));
    firstSeed_->setRange(0, std::numeric_limits<int>::max());
    firstSeed_->setValue(1);
    firstSeed_->setPrefix(tr("seed "));
    seedCount_->setRange(1, 32);
    seedCount_->setValue(4);
    seedCount_->setSuffix(tr(" seeds"));
    seedCount_->setToolTip(tr("Consecutive seeds from the first: each model generates one layout per seed"));
    steps_->setRange(1, 1000);
    steps_->setValue(50);
    steps_->setSuffix(tr(" steps"));
    steps_->setToolTip(tr("DDIM denoising steps: more come closer to what the model learnt, and take longer"));
    aspect_->setRange(0.2, 5);
    aspect_->setSingleStep(0.05);
    aspect_->setValue(1.5);
    aspect_->setPrefix(tr("aspect "));
    aspect_->setToolTip(tr("The page's height over its width"));
    model_->setToolTip(tr("A layout model: the open model when it is one, or a folder"));
    compressed_->setToolTip(tr("Its compressed copy: a pass of the open model still in memory or exported, or a "
                               "folder (sculpt-cli compress … --method svd writes one)"));
    caption_->setWordWrap(true);
    scroll_->setWidgetResizable(true);

    auto *request = new QHBoxLayout;
    for (QWidget *w : std::initializer_list<QWidget *>{panels_, firstSeed_, seedCount_, steps_, aspect_})
        request->addWidget(w);
    request->addStretch(1);
    auto *models = new QHBoxLayout;
    models->addWidget(new QLabel(tr("Model:")));
    models->addWidget(model_, 1);
    models->addWidget(new QLabel(tr("Compressed:")));
    models->addWidget(compressed_, 1);
    models->addWidget(generate_);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(request);
    layout->addLayout(models);
    layout->addWidget(caption_);
    layout->addWidget(scroll_, 1);

    connect(generate_, &QPushButton::clicked, this, &LayoutGenerationView::generateRequested);
    connect(model_, &ModelChooser::chosen, this, &LayoutGenerationView::updateButton);
    startRun({}, {}, {}, tr("Choose a layout model (the open one, or a folder) and generate: its layouts appear in a "
                            "row, the compressed model's under them for the same seeds."));
}

void LayoutGenerationView::setChoices(const std::vector<ModelChooser::Choice> &models,
                                      const std::vector<ModelChooser::Choice> &compressed)
{
    model_->setChoices(models);
    compressed_->setChoices(compressed);
    updateButton();
}

std::vector<uint64_t> LayoutGenerationView::seeds() const
{
    std::vector<uint64_t> seeds;
    for (int i = 0; i < seedCount_->value(); ++i)
        seeds.push_back(uint64_t(firstSeed_->value()) + uint64_t(i));
    return seeds;
}

LayoutGenerationView::Row &LayoutGenerationView::addRow(const QString &name, size_t cells)
{
    const int at = int(rows_.size());
    Row row{new QLabel(name), {}, {}};
    row.name->setWordWrap(true);
    row.name->setMaximumWidth(160);
    grid_->addWidget(row.name, at, 0);
    for (size_t c = 0; c < cells; ++c) {
        auto *box = new QWidget;
        auto *stack = new QVBoxLayout(box);
        stack->setContentsMargins(0, 0, 0, 0);
        auto *view = new LayoutPageView;
        view->setFixedSize(kThumbnail);
        auto *note = new QLabel;
        note->setAlignment(Qt::AlignHCenter);
        stack->addWidget(view);
        stack->addWidget(note);
        grid_->addWidget(box, at, int(c) + 1);
        row.cells.push_back(view);
        row.notes.push_back(note);
    }
    rows_.push_back(row);
    return rows_.back();
}

void LayoutGenerationView::startRun(const QStringList &models, const std::vector<uint64_t> &seeds,
                                    const std::vector<Page> &realPages, const QString &caption)
{
    caption_->setText(caption);
    rows_.clear();
    auto *results = new QWidget;
    grid_ = new QGridLayout(results);
    grid_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    scroll_->setWidget(results); // the previous run's cells go with their widget
    for (const QString &model : models) {
        Row &row = addRow(model, seeds.size());
        for (size_t c = 0; c < seeds.size(); ++c)
            row.notes[c]->setText(tr("seed %1").arg(seeds[c]));
    }
    if (models.isEmpty())
        return;
    Row &real = addRow(realPages.empty() ? tr("No real page with %n panel(s)", nullptr, panels_->value())
                                         : tr("Real pages with %n panel(s)", nullptr, panels_->value()),
                       realPages.size());
    for (size_t c = 0; c < realPages.size(); ++c) {
        real.cells[c]->setPage(realPages[c]); // numbered as the file lists them
        real.notes[c]->setText(tr("page %1").arg(realPages[c].index));
    }
}

void LayoutGenerationView::setLayout(int model, int seed, const Page &page, double seconds)
{
    Row &row = rows_.at(size_t(model));
    row.cells.at(size_t(seed))->setPage(page);
    const QString text = row.notes[size_t(seed)]->text();
    row.notes[size_t(seed)]->setText(tr("%1 · %2 s").arg(text.section(QStringLiteral(" · "), 0, 0)).arg(seconds, 0, 'f', 2));
}

void LayoutGenerationView::setBusy(bool busy)
{
    busy_ = busy;
    updateButton();
}

QString LayoutGenerationView::caption() const { return caption_->text(); }

QString LayoutGenerationView::rowName(int row) const { return rows_.at(size_t(row)).name->text(); }

LayoutPageView *LayoutGenerationView::cell(int row, int column) const
{
    const Row &r = rows_.at(size_t(row));
    return column >= 0 && column < int(r.cells.size()) ? r.cells[size_t(column)] : nullptr;
}

void LayoutGenerationView::updateButton() { generate_->setEnabled(!busy_ && !model_->chosenKey().isEmpty()); }

} // namespace sculpt
