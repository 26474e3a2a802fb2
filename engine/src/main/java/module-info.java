/** Kaiyuan's headless engine: no JavaFX here. */
module io.kaiyuan.engine {
    requires transitive com.fasterxml.jackson.databind;
    requires com.microsoft.onnxruntime;
    requires ai.djl.tokenizers;
    requires org.slf4j;
    requires java.net.http;
    requires java.sql;
    requires org.xerial.sqlitejdbc;
    requires java.management;
    requires jdk.management;
    requires jdk.httpserver;

    exports io.kaiyuan.engine.api;
    exports io.kaiyuan.engine.chat;
    exports io.kaiyuan.engine.compare;
    exports io.kaiyuan.engine.constrain;
    exports io.kaiyuan.engine.download;
    exports io.kaiyuan.engine.model;
    exports io.kaiyuan.engine.ort;
    exports io.kaiyuan.engine.generate;
    exports io.kaiyuan.engine.host;
    exports io.kaiyuan.engine.sample;
    exports io.kaiyuan.engine.server;
    exports io.kaiyuan.engine.remote;
    exports io.kaiyuan.engine.io;
    exports io.kaiyuan.engine.mcp;
    exports io.kaiyuan.engine.template;
    exports io.kaiyuan.engine.tokenize;
    exports io.kaiyuan.engine.tools;

    // Stored chat messages keep sampling settings and metrics (records of this package) as JSON.
    opens io.kaiyuan.engine.api to com.fasterxml.jackson.databind;
}
