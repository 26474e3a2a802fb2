package io.kaiyuan.app;

import io.kaiyuan.app.cli.KaiyuanCommand;
import javafx.application.Application;

/** Entry point: no arguments start the desktop app; a subcommand runs the command-line interface. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            try {
                Application.launch(DesktopApp.class);
            } catch (UnsupportedOperationException | IllegalStateException e) {
                System.err.println("kaiyuan: the desktop app cannot start here (" + e.getMessage() + ")."
                        + " It needs a display and GTK 3 on Linux (Debian/Ubuntu: apt-get install libgtk-3-0)."
                        + " The command line works without them: ./kaiyuan --help");
                System.exit(1);
            }
            return;
        }
        System.exit(KaiyuanCommand.execute(args));
    }
}
