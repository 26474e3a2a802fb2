/** Kaiyuan's entry point, command-line interface and wiring. */
module io.kaiyuan.app {
    requires io.kaiyuan.engine;
    requires io.kaiyuan.ui;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires io.modelcontextprotocol.sdk.mcp.core;
    requires io.modelcontextprotocol.sdk.mcp.json.jackson2;

    exports io.kaiyuan.app to javafx.graphics;
    opens io.kaiyuan.app.cli to info.picocli;
}
