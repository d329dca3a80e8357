#include "prune_adapters_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

namespace sculpt {
namespace {

QString text(const std::string &s) { return QString::fromStdString(s); }

void select(QComboBox *box, const std::string &value) { box->setCurrentIndex(std::max(0, box->findData(text(value)))); }

} // namespace

PruneAdaptersDialog::PruneAdaptersDialog(const QString &model, std::vector<AdapterKindInfo> kinds,
                                         std::vector<std::pair<std::string, std::vector<std::string>>> prunings,
                                         const PruneAdaptersRequest &request, QWidget *parent)
    : QDialog(parent), base_(request), kinds_(std::move(kinds)), prunings_(std::move(prunings)),
      method_(new QComboBox), adapter_(new QComboBox), share_(new QComboBox),
      training_(makeTrainingFields(request.rank, request.experts, request.learningRate, request.seed, this)),
      warmup_(new QSpinBox), epochs_(new QSpinBox), prune_(new QSpinBox), checkpoint_(new QCheckBox(tr("Keep what pruned adapters learned (knowledge checkpoint)")))
{
    setWindowTitle(tr("Prune the adapters of %1").arg(model));
    auto *form = new QFormLayout;
    task_ = addTaskRow(form, request.task, request.dataRoot, this);
    for (const auto &[name, rules] : prunings_)
        method_->addItem(text(name), text(name));
    select(method_, request.method);
    for (const AdapterKindInfo &kind : kinds_)
        adapter_->addItem(text(kind.title), text(kind.name));
    select(adapter_, request.adapter);
    warmup_->setRange(1, 1000); // scores need trained adapters
    warmup_->setValue(request.warmup);
    epochs_->setRange(0, 1000);
    epochs_->setValue(request.epochs);
    prune_->setRange(0, 100);
    prune_->setSuffix(QStringLiteral(" %"));
    prune_->setValue(int(std::lround(100 * request.prune)));
    checkpoint_->setChecked(request.knowledgeCheckpoint);
    checkpoint_->setToolTip(tr("A pruned adapter stays in place, frozen (stored, no longer trained), and the "
                               "adapter that serves its position starts silent there"));
    form->addRow(tr("Pruning"), method_);
    form->addRow(tr("Adapters"), adapter_);
    form->addRow(tr("Rank"), training_.rank);
    form->addRow(tr("Experts"), training_.experts);
    form->addRow(tr("Warm-up epochs"), warmup_);
    form->addRow(tr("Prune"), prune_);
    form->addRow(tr("Serve pruned positions"), share_);
    form->addRow(QString(), checkpoint_);
    form->addRow(tr("Epochs after pruning"), epochs_);
    form->addRow(tr("Learning rate"), training_.learningRate);
    form->addRow(tr("Seed"), training_.seed);
    addDataRootRow(form, task_, this);
    connect(method_, &QComboBox::currentIndexChanged, this, &PruneAdaptersDialog::updateFields);
    connect(adapter_, &QComboBox::currentIndexChanged, this, &PruneAdaptersDialog::updateFields);
    updateFields();
    select(share_, request.share);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setLayout(form);
}

void PruneAdaptersDialog::updateFields()
{
    const AdapterKindInfo *kind = findKindInfo(kinds_, adapter_->currentData().toString().toStdString());
    training_.rank->setEnabled(kind && kind->reads("rank"));
    training_.experts->setEnabled(kind && kind->reads("experts"));

    const std::string shown = share_->currentData().toString().toStdString();
    share_->clear();
    const auto pruning = std::find_if(prunings_.begin(), prunings_.end(), [&](const auto &p) {
        return text(p.first) == method_->currentData().toString();
    });
    if (pruning != prunings_.end())
        for (const std::string &rule : pruning->second)
            share_->addItem(tr("by %1").arg(text(rule)), text(rule));
    share_->addItem(tr("not at all (plain pruning)"), QStringLiteral("none"));
    select(share_, shown);
}

PruneAdaptersRequest PruneAdaptersDialog::request() const
{
    PruneAdaptersRequest r = base_;
    r.task = task_.chosenTask();
    r.dataRoot = task_.chosenDataRoot();
    r.method = method_->currentData().toString().toStdString();
    r.adapter = adapter_->currentData().toString().toStdString();
    r.rank = training_.rank->value();
    r.experts = training_.experts->value();
    r.warmup = warmup_->value();
    r.epochs = epochs_->value();
    r.prune = prune_->value() / 100.0;
    r.share = share_->currentData().toString().toStdString();
    r.knowledgeCheckpoint = checkpoint_->isChecked();
    r.learningRate = training_.learningRate->value();
    r.seed = uint64_t(training_.seed->value());
    return r;
}

} // namespace sculpt
