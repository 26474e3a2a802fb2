package io.kaiyuan.ui.chat;

import io.kaiyuan.engine.api.CancellationToken;
import io.kaiyuan.engine.api.SamplingOverrides;
import io.kaiyuan.engine.chat.Conversation;
import java.util.concurrent.Executor;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One conversation as the page holds it: its messages, the turn being answered, and its settings. An
 * answer belongs to the session that asked for it, whatever the page shows meanwhile, so switching,
 * starting a new chat or deleting while it streams can never write it elsewhere. FX thread, except the
 * fields marked for the store's thread (its {@link #writes}).
 */
final class ChatSession {
    /** A question being answered: whose, where in the conversation, and how to stop it. */
    static final class Turn {
        final ChatSession session;
        /** The answer's position in the conversation. */
        final int position;
        final CancellationToken cancel = new CancellationToken();
        final MessageItem answer;
        final MessageItem.Version version;
        /** A regenerated answer: stored as a new version at {@link #position}. */
        final boolean regenerated;
        final String modelId;
        final String systemPrompt;
        final SamplingOverrides sampling;
        /** The round of tool calls the version's last round came from; -1 before any (FX thread). */
        int toolRound = -1;

        Turn(ChatSession session, int position, MessageItem answer, MessageItem.Version version, boolean regenerated,
                String modelId, String systemPrompt, SamplingOverrides sampling) {
            this.session = session;
            this.position = position;
            this.answer = answer;
            this.version = version;
            this.regenerated = regenerated;
            this.modelId = modelId;
            this.systemPrompt = systemPrompt;
            this.sampling = sampling;
        }
    }

    final ObservableList<MessageItem> messages = FXCollections.observableArrayList();
    /** The stored conversation; null until its first question has been stored. */
    Conversation conversation;
    /** The turn in flight, if any. */
    Turn turn;
    String systemPrompt = "";
    SamplingOverrides sampling = SamplingOverrides.NONE;
    /** The shape its answers take. */
    io.kaiyuan.engine.api.ResponseFormat format = io.kaiyuan.engine.api.ResponseFormat.TEXT;
    int contextUsed;
    String notice = "";
    /** Set when the conversation is deleted: nothing more is written for it. Read on the store's thread. */
    volatile boolean deleted;
    /** The stored conversation's id once created (0 before). Written and read on the store's thread. */
    volatile long storedId;

    /** This conversation's writes to the store, and the reads that must see them, in order. */
    final Executor writes;

    /** A new conversation's session. */
    ChatSession(Executor writes) {
        this.writes = writes;
    }

    /** A session for a stored conversation, written through its conversation's {@code writes}. */
    ChatSession(Conversation c, Executor writes) {
        this.writes = writes;
        this.conversation = c;
        this.storedId = c.id();
        this.systemPrompt = c.systemPrompt();
        this.sampling = c.sampling();
        this.format = c.format();
    }

    boolean generating() {
        return turn != null;
    }
}
