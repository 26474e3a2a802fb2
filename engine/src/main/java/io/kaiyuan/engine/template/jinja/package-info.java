/**
 * A Jinja interpreter for chat templates that renders exactly as Hugging Face's reference renderer
 * (@huggingface/jinja, used by transformers.js; MIT licence): its lexer, parser and runtime semantics
 * are followed construct by construct, with trim_blocks and lstrip_blocks on as transformers sets them.
 */
package io.kaiyuan.engine.template.jinja;
