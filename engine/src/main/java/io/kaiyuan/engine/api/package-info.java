/** The engine's public API: records and interfaces used by the UI, the CLI and the server. */
package io.kaiyuan.engine.api;
