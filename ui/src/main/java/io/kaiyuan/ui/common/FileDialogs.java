package io.kaiyuan.ui.common;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * The file and folder choosers the pages open (FX thread). The system's by default; a stand-in where no
 * native dialog can be shown, such as a headless test of a flow that saves or opens a file.
 */
public interface FileDialogs {
    /** A file filter: its name and patterns such as {@code *.json}. */
    record Filter(String name, List<String> patterns) {
        public Filter(String name, String pattern) {
            this(name, List.of(pattern));
        }
    }

    /** The file to write, or empty when the user cancels. */
    Optional<Path> save(Window owner, String initialName, List<Filter> filters);

    /** The file to read, or empty when the user cancels. */
    Optional<Path> open(Window owner, List<Filter> filters);

    /** A folder, or empty when the user cancels. */
    Optional<Path> folder(Window owner, String title);

    /** The operating system's dialogs. */
    FileDialogs SYSTEM = new FileDialogs() {
        @Override
        public Optional<Path> save(Window owner, String initialName, List<Filter> filters) {
            FileChooser chooser = chooser(filters);
            chooser.setInitialFileName(initialName);
            return path(chooser.showSaveDialog(owner));
        }

        @Override
        public Optional<Path> open(Window owner, List<Filter> filters) {
            return path(chooser(filters).showOpenDialog(owner));
        }

        @Override
        public Optional<Path> folder(Window owner, String title) {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle(title);
            return path(chooser.showDialog(owner));
        }

        private FileChooser chooser(List<Filter> filters) {
            FileChooser chooser = new FileChooser();
            filters.forEach(f -> chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(f.name(), f.patterns())));
            return chooser;
        }

        private Optional<Path> path(File file) {
            return Optional.ofNullable(file).map(File::toPath);
        }
    };
}
