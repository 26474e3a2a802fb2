package io.kaiyuan.ui.compare;

import io.kaiyuan.engine.api.ExecutionProvider;
import io.kaiyuan.engine.compare.RunCard;
import io.kaiyuan.engine.model.Variant;
import io.kaiyuan.engine.remote.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;

/** The comparison page's run cards: written, read back, and a re-run's tokens held against the card's. */
final class RunCards {
    private RunCards() {}

    /** Writes {@code card} as Markdown when the file name ends in .md, else as JSON. */
    static void write(RunCard card, Path file) throws IOException {
        Files.writeString(file, file.getFileName().toString().endsWith(".md") ? card.toMarkdown() : card.toJson());
    }

    static RunCard read(Path file) throws IOException {
        return RunCard.fromJson(Files.readString(file));
    }

    /**
     * What each column of {@code card} ran, to run it again; throws IllegalArgumentException naming what
     * does not parse (a variant or provider this version does not know).
     */
    static List<CompareBackend.Choice> choices(RunCard card) {
        List<CompareBackend.Choice> choices = new ArrayList<>();
        for (RunCard.ColumnRun run : card.columns()) {
            boolean remote = Endpoint.isRemote(run.model()); // its variant and provider are the endpoint's
            choices.add(new CompareBackend.Choice(run.model(), remote ? Optional.empty()
                    : Optional.of(Variant.parse(run.variant())), remote ? ExecutionProvider.AUTO
                    : ExecutionProvider.parse(run.provider()), run.sampling()));
        }
        return choices;
    }

    /** Per column whether the re-run made the same tokens as the card: "A same, B different". */
    static String reproduced(RunCard previous, RunCard result, ResourceBundle messages) {
        List<Boolean> same = previous.sameTokens(result);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < same.size(); i++) {
            parts.add((char) ('A' + i) + " " + messages.getString(same.get(i) ? "compare.same" : "compare.different"));
        }
        return MessageFormat.format(messages.getString("compare.reproduced"), String.join(", ", parts));
    }
}
