#include "cluster_settings_dialog.h"

#include "cluster/cluster_config.h"
#include "io/error.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sculpt {
namespace {

QLineEdit *field(const QString &name, const std::string &value, const QString &placeholder)
{
    auto *edit = new QLineEdit(QString::fromStdString(value));
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    return edit;
}

QSpinBox *count(const QString &name, int value)
{
    auto *box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(0, 100000);
    box->setSpecialValueText(QObject::tr("not asked for"));
    box->setValue(value);
    return box;
}

std::string text(const QLineEdit *edit) { return edit->text().trimmed().toStdString(); }

} // namespace

ClusterSettingsDialog::ClusterSettingsDialog(const QString &path, QWidget *parent)
    : QDialog(parent), path_(path), error_(new QLabel)
{
    setWindowTitle(tr("Cluster settings"));
    ClusterConfig shown;
    if (QFileInfo::exists(path)) {
        try {
            shown = readClusterConfig(path.toStdString(), {});
        } catch (const FileError &e) {
            error_->setText(tr("The file there does not read, and saving replaces it: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    sharedFolder_ = field("sharedFolder", shown.sharedFolder, tr("required: a folder this machine and the nodes both see"));
    sculptCli_ = field("sculptCli", shown.sculptCli, tr("the sculpt-cli beside this window"));
    partition_ = field("partition", shown.partition, tr("the cluster's default"));
    account_ = field("account", shown.account, tr("your default"));
    timeLimit_ = field("timeLimit", shown.timeLimit, tr("the partition's default, e.g. 02:00:00"));
    memory_ = field("memory", shown.memory, tr("the partition's default, e.g. 16G"));
    cpus_ = count("cpus", shown.cpusPerTask);
    gpus_ = count("gpus", shown.gpusPerTask);
    sbatchOptions_ = new QPlainTextEdit;
    sbatchOptions_->setObjectName("sbatchOptions");
    for (const std::string &option : shown.sbatchOptions)
        sbatchOptions_->appendPlainText(QString::fromStdString(option));
    sbatchOptions_->setPlaceholderText(tr("one sbatch option a line, e.g. --qos=short"));

    auto *form = new QFormLayout;
    form->addRow(tr("Shared folder:"), sharedFolder_);
    form->addRow(tr("sculpt-cli on the nodes:"), sculptCli_);
    form->addRow(tr("Partition:"), partition_);
    form->addRow(tr("Account:"), account_);
    form->addRow(tr("Time limit:"), timeLimit_);
    form->addRow(tr("CPUs per task:"), cpus_);
    form->addRow(tr("GPUs per task:"), gpus_);
    form->addRow(tr("Memory:"), memory_);
    form->addRow(tr("More sbatch options:"), sbatchOptions_);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ClusterSettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ClusterSettingsDialog::reject);
    error_->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Kept in %1, which sculpt-cli reads too.").arg(path)));
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
}

QString ClusterSettingsDialog::error() const { return error_->text(); }

void ClusterSettingsDialog::accept()
{
    ClusterConfig config;
    config.sharedFolder = text(sharedFolder_);
    config.sculptCli = text(sculptCli_);
    config.partition = text(partition_);
    config.account = text(account_);
    config.timeLimit = text(timeLimit_);
    config.memory = text(memory_);
    config.cpusPerTask = cpus_->value();
    config.gpusPerTask = gpus_->value();
    for (const QString &line : sbatchOptions_->toPlainText().split('\n', Qt::SkipEmptyParts))
        if (!line.trimmed().isEmpty())
            config.sbatchOptions.push_back(line.trimmed().toStdString());
    try {
        writeClusterConfig(path_.toStdString(), config);
    } catch (const FileError &e) {
        error_->setText(QString::fromUtf8(e.what()));
        return;
    }
    error_->clear();
    QDialog::accept();
}

} // namespace sculpt
