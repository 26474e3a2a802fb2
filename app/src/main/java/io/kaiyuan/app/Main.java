package io.kaiyuan.app;

import io.kaiyuan.app.cli.KaiyuanCommand;
import javafx.application.Application;

/** Entry point: no arguments start the desktop app; a subcommand runs the command-line interface. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            Application.launch(DesktopApp.class);
            return;
        }
        System.exit(KaiyuanCommand.execute(args));
    }
}
