package io.kaiyuan.ui.chat;

import io.kaiyuan.ui.shell.MainWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * Measures what streaming a long answer costs the FX thread on the real chat page: an answer of about
 * 10,000 tokens (headings, paragraphs, lists, code blocks, tables) arrives in small pieces; each piece is
 * rendered at once (the page renders at most every 100 ms, so this is the worst case) and laid out, and the
 * time per update is printed. A measurement, not a test:
 *
 * <pre>mvn -B -DskipTests install &amp;&amp; mvn -q -pl ui exec:exec</pre>
 *
 * Runs headless (Monocle) unless {@code -Dglass.platform} says otherwise.
 */
public final class StreamingRenderCost {
    private StreamingRenderCost() {}

    /** About 10,000 tokens of the kinds of Markdown answers hold. */
    static String answer() {
        StringBuilder sb = new StringBuilder();
        for (int section = 1; sb.length() < 40_000; section++) {
            sb.append("## Section ").append(section).append(": how the parts fit\n\n");
            sb.append("A **paragraph** with `inline code`, *emphasis* and a [link](https://example.com) that runs long enough to ")
                    .append("wrap over several lines of the column, as answers do when they explain something properly. ")
                    .append("长江是中国最长的河流，全长约六千三百公里。\n\n");
            sb.append("- first point about the design\n- second point, a little longer than the first one\n- third\n\n");
            sb.append("```python\ndef section_").append(section).append("(items):\n")
                    .append("    \"\"\"Sum the items that are positive.\"\"\"\n    total = 0\n")
                    .append("    for x in items:  # each item\n        if x > 0:\n            total += x\n    return total\n```\n\n");
            sb.append("| Name | Value | Note |\n|---|---|---|\n| alpha | 1 | the first |\n| beta | 2 | the second |\n\n");
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("glass.platform") == null) {
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            System.setProperty("prism.order", "sw");
            System.setProperty("headless.geometry", "1920x1200-32");
        }
        int piece = args.length > 0 ? Integer.parseInt(args[0]) : 48; // characters per update (~12 tokens)
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        String text = answer();
        ScriptedBackend backend = new ScriptedBackend();
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
        AtomicReference<ChatView> view = new AtomicReference<>();
        AtomicReference<ChatViewModel> vm = new AtomicReference<>();
        CountDownLatch shown = new CountDownLatch(1);
        Platform.runLater(() -> {
            io.kaiyuan.ui.settings.Appearance.apply(false);
            vm.set(new ChatViewModel(backend, Runnable::run, en));
            vm.get().setModels(backend.installedModels());
            view.set(new ChatView(vm.get(), en));
            Stage stage = new Stage();
            Scene scene = new Scene(view.get().root(), 1440, 900);
            scene.getStylesheets().add(MainWindow.class.getResource("/io/kaiyuan/ui/kaiyuan.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
            vm.get().inputProperty().set("Explain it all.");
            vm.get().send();
            shown.countDown();
        });
        shown.await();
        List<Double> costs = Collections.synchronizedList(new ArrayList<>());
        double[] phases = new double[3];
        for (int end = piece; end < text.length() + piece; end += piece) {
            String part = text.substring(end - piece, Math.min(end, text.length()));
            CountDownLatch done = new CountDownLatch(1);
            Platform.runLater(() -> {
                long t0 = System.nanoTime();
                backend.last().text(part);
                MessageView answer = view.get().messageList().viewOf(vm.get().conversation().get(1));
                answer.lookupAll(".message-text").forEach(n -> {
                    if (n instanceof MarkdownPane p) {
                        p.flush();
                    }
                });
                long t1 = System.nanoTime();
                Scene scene = view.get().root().getScene();
                scene.getRoot().applyCss();
                long t2 = System.nanoTime();
                scene.getRoot().layout();
                long t3 = System.nanoTime();
                costs.add((t3 - t0) / 1e6);
                phases[0] += (t1 - t0) / 1e6;
                phases[1] += (t2 - t1) / 1e6;
                phases[2] += (t3 - t2) / 1e6;
                done.countDown();
            });
            done.await();
        }
        List<Double> sorted = new ArrayList<>(costs);
        Collections.sort(sorted);
        int n = sorted.size();
        List<Double> last = costs.subList(Math.max(0, n - 50), n);
        System.out.printf(Locale.ROOT, "%d updates of %d characters, %,d characters (~%,d tokens) in all%n", n, piece,
                text.length(), text.length() / 4);
        System.out.printf(Locale.ROOT, "per update: median %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; last 50: median %.1f ms%n",
                sorted.get(n / 2), sorted.get(n * 9 / 10), sorted.get(n * 99 / 100), sorted.get(n - 1),
                last.stream().sorted().toList().get(last.size() / 2));
        System.out.printf(Locale.ROOT, "of which: text and Markdown %.1f ms, CSS %.1f ms, layout %.1f ms per update on average%n",
                phases[0] / n, phases[1] / n, phases[2] / n);
        Platform.exit();
    }
}
