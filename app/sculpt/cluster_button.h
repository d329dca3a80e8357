#pragma once
// "Run on cluster" beside a dialog's own button that runs here: both accept the dialog, and the
// flag says which one did, so the dialog stays one form for both places a job can run.

class QDialog;
class QDialogButtonBox;
class QPushButton;
class QString;

namespace sculpt {

// Adds the button to `buttons`; clicking it sets `*onCluster` and accepts `dialog`.
QPushButton *addClusterButton(QDialog *dialog, QDialogButtonBox *buttons, const QString &toolTip, bool *onCluster);

} // namespace sculpt
