#include "panel_conditioning_view.h"

#include "conditioning_grid.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <stdexcept>

namespace sculpt {
namespace {

// The languages the page's texts carry, in the order the file gives them (the original first).
QStringList languagesOf(const Page &page)
{
    QStringList languages;
    for (const TextArea &area : page.texts)
        for (const LanguageText &text : area.texts)
            if (const QString language = QString::fromStdString(text.language); !languages.contains(language))
                languages << language;
    return languages;
}

} // namespace

PanelConditioningView::PanelConditioningView(QWidget *parent)
    : QWidget(parent), language_(new QComboBox), maxPanels_(new QSpinBox), previous_(new QPushButton(tr("◀"))),
      next_(new QPushButton(tr("▶"))), slot_(new QLabel), problem_(new QLabel), captionForm_(new QFormLayout),
      grid_(new ConditioningGrid)
{
    language_->setToolTip(tr("The language the captions are taken from: the languages this page's texts carry"));
    maxPanels_->setRange(1, 64);
    maxPanels_->setValue(kDefaultMaxPanels);
    maxPanels_->setToolTip(tr("MangaDiffusion pads every page to this many panels; the inter-panel mask hides the padding"));
    previous_->setToolTip(tr("The previous slot"));
    next_->setToolTip(tr("The next slot"));
    problem_->setStyleSheet(QStringLiteral("color: #c0392b"));
    problem_->hide();
    slot_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Captions in:")));
    top->addWidget(language_);
    top->addWidget(new QLabel(tr("Max panels:")));
    top->addWidget(maxPanels_);
    top->addWidget(previous_);
    top->addWidget(next_);
    top->addWidget(slot_, 1);

    auto *form = new QWidget;
    form->setLayout(captionForm_);
    auto *scroll = new QScrollArea;
    scroll->setWidget(form);
    scroll->setWidgetResizable(true);
    scroll->setToolTip(tr("Each panel's script in reading order; clear one to make its panel padding"));
    auto *split = new QSplitter;
    split->addWidget(scroll);
    split->addWidget(grid_);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setSizes({260, 520});
    scroll->setMinimumWidth(180);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(problem_);
    layout->addWidget(split, 1);

    connect(language_, &QComboBox::activated, this, &PanelConditioningView::fillCaptions);
    connect(maxPanels_, &QSpinBox::valueChanged, this, &PanelConditioningView::recompute);
    connect(previous_, &QPushButton::clicked, this, [this] { grid_->setCurrent(grid_->current() - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { grid_->setCurrent(grid_->current() + 1); });
    connect(grid_, &ConditioningGrid::currentChanged, this, &PanelConditioningView::showCurrent);
    clear();
}

void PanelConditioningView::setPage(const Page &page, const std::vector<size_t> &order)
{
    page_ = page;
    order_ = order;
    const QString kept = language_->currentData().toString();
    language_->clear();
    for (const QString &language : languagesOf(page))
        language_->addItem(language.isEmpty() ? tr("original") : language, language);
    language_->setCurrentIndex(std::max(0, language_->findData(kept)));
    language_->setEnabled(language_->count() > 1);
    fillCaptions();
}

void PanelConditioningView::clear() { setPage(Page(), {}); }

void PanelConditioningView::fillCaptions()
{
    while (captionForm_->rowCount() > 0)
        captionForm_->removeRow(0);
    captions_.clear();
    const std::vector<std::string> captions =
        defaultCaptions(page_, order_, language_->currentData().toString().toStdString());
    for (size_t i = 0; i < captions.size(); ++i) {
        auto *field = new QLineEdit(QString::fromStdString(captions[i]));
        field->setClearButtonEnabled(true);
        field->setPlaceholderText(QString::fromLatin1(kEmptyCaption));
        connect(field, &QLineEdit::textChanged, this, &PanelConditioningView::recompute);
        captionForm_->addRow(QString::number(i + 1), field);
        captions_.push_back(field);
    }
    recompute();
}

std::vector<std::string> PanelConditioningView::captions() const
{
    std::vector<std::string> texts;
    for (const QLineEdit *field : captions_)
        texts.push_back(field->text().trimmed().toStdString());
    return texts;
}

const PanelConditioning &PanelConditioningView::conditioning() const { return grid_->conditioning(); }

QString PanelConditioningView::problem() const { return problem_->isHidden() ? QString() : problem_->text(); }

void PanelConditioningView::recompute()
{
    PanelConditioning conditioning;
    problem_->hide();
    if (page_.width > 0 && page_.height > 0) {
        try {
            conditioning = conditionPanels(page_, order_, captions(), maxPanels_->value(), kConditioningColumns);
        } catch (const std::invalid_argument &e) { // more captions than the model takes
            problem_->setText(tr("%1: raise Max panels or clear captions").arg(QString::fromUtf8(e.what())));
            problem_->show();
        }
    }
    grid_->setConditioning(conditioning);
    showCurrent(grid_->current());
}

void PanelConditioningView::showCurrent(int slot)
{
    const PanelConditioning &c = grid_->conditioning();
    previous_->setEnabled(slot > 0);
    next_->setEnabled(slot >= 0 && slot + 1 < grid_->slotCount());
    if (slot < 0) {
        slot_->clear();
        return;
    }
    const PanelCanvas &canvas = c.canvases[size_t(slot)];
    const QString where = tr("Slot %1 of %2 (%3 panels)").arg(slot + 1).arg(grid_->slotCount()).arg(c.panelCount());
    slot_->setText(canvas.padding ? tr("%1: padding, %2, hidden by the inter-panel mask").arg(where, QString::fromLatin1(kEmptyCaption))
                                  : tr("%1: “%2”, %n text box(es) left out", nullptr, int(canvas.textBoxes.size()))
                                        .arg(where, QString::fromStdString(canvas.caption)));
}

} // namespace sculpt
