package io.kaiyuan.engine.chat;

/**
 * A system prompt kept under a name (an "assistant" such as a translator or a code reviewer) that a
 * conversation can start from.
 *
 * @param id the stored id
 */
public record Assistant(long id, String name, String prompt) {}
