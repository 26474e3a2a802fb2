package io.kaiyuan.ui.chat;

/**
 * A system prompt the user can start a conversation from: one of the built-in assistants or one the user
 * saved.
 *
 * @param storedId the saved assistant's id; 0 for a built-in one
 */
public record AssistantChoice(String name, String prompt, long storedId) {
    public boolean builtIn() {
        return storedId == 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
