package io.kaiyuan.engine.chat;

import java.util.List;

/**
 * The message at one position of a conversation with every version of it: an answer regenerated keeps its
 * earlier versions, and the chosen one is what the conversation shows and what the next turn reads.
 *
 * @param position the message's place in the conversation, from 0
 * @param versions the versions, oldest first; never empty
 * @param chosen the index in {@code versions} of the version shown
 */
public record VersionedMessage(int position, List<StoredMessage> versions, int chosen) {
    public VersionedMessage {
        versions = List.copyOf(versions);
        if (versions.isEmpty() || chosen < 0 || chosen >= versions.size()) {
            throw new IllegalArgumentException("version " + chosen + " of " + versions.size());
        }
    }

    /** A message with one version. */
    public static VersionedMessage of(int position, StoredMessage message) {
        return new VersionedMessage(position, List.of(message), 0);
    }

    /** The version shown. */
    public StoredMessage message() {
        return versions.get(chosen);
    }
}
