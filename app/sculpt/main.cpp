// sculpt: the workbench window. `sculpt [PATH]` opens a checkpoint file or folder; without
// one, the bundled demo model.

#include "demo_model.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Sculpt")); // QSettings: ~/.config/Sculpt/Sculpt.conf
    QApplication::setApplicationName(QStringLiteral("Sculpt"));
    QApplication::setApplicationVersion(QStringLiteral(SCULPT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A workbench for model surgery.\n"
        "Spectra are kept in one workspace file per model, under $XDG_DATA_HOME/sculpt/workspaces\n"
        "(~/.local/share/...), or in $SCULPT_WORKSPACE_DIR when that is set."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("Checkpoint file or model folder to open (default: the bundled demo)"));
    parser.process(app);

    sculpt::MainWindow window;
    window.show();
    const QString path =
        parser.positionalArguments().isEmpty() ? sculpt::demoModelPath() : parser.positionalArguments().constFirst();
    if (!path.isEmpty())
        window.openModel(path);
    return QApplication::exec();
}
