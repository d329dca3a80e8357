#include "cluster_button.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QPushButton>

namespace sculpt {

QPushButton *addClusterButton(QDialog *dialog, QDialogButtonBox *buttons, const QString &toolTip, bool *onCluster)
{
    QPushButton *button = buttons->addButton(QDialog::tr("Run on c&luster"), QDialogButtonBox::ActionRole);
    button->setToolTip(toolTip);
    QObject::connect(button, &QPushButton::clicked, dialog, [dialog, onCluster] {
        *onCluster = true;
        dialog->accept();
    });
    return button;
}

} // namespace sculpt
