package io.kaiyuan.ui.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaiyuan.engine.api.ResponseFormat;
import io.kaiyuan.ui.shell.MainWindow;
import java.nio.file.Files;
import java.util.Locale;
import java.util.ResourceBundle;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The answer format in the conversation settings: a schema is checked, then every answer keeps to it. */
@ExtendWith(ApplicationExtension.class)
class ResponseFormatViewTest {
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"ok\": {\"type\": \"boolean\"},"
            + " \"n\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 9}}, \"required\": [\"ok\", \"n\"],"
            + " \"additionalProperties\": false}";
    private TinyModelBackend backend;
    private ChatViewModel model;

    @Start
    void start(Stage stage) throws Exception {
        // bounded fields and bounded whitespace: a document this schema allows ends well within 300 tokens
        backend = new TinyModelBackend(Files.createTempDirectory("kaiyuan-format"), Runnable::run, 300);
        ResourceBundle en = ResourceBundle.getBundle(MainWindow.BUNDLE, Locale.ENGLISH);
        model = new ChatViewModel(backend, Runnable::run, en);
        model.setModels(java.util.List.of("tiny/qwen"));
        stage.setScene(new Scene(new ChatView(model, en).root(), 1000, 700));
        stage.show();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    @Test
    void aBadSchemaIsNamedAndAGoodOneShapesEveryAnswer(FxRobot robot) throws Exception {
        robot.clickOn("#chat-settings");
        @SuppressWarnings("unchecked")
        ComboBox<ResponseFormat.Kind> kind = robot.lookup("#chat-format").queryAs(ComboBox.class);
        TextArea schema = robot.lookup("#chat-format-schema").queryAs(TextArea.class);
        Label problem = robot.lookup("#chat-format-problem").queryAs(Label.class);
        assertEquals(ResponseFormat.Kind.TEXT, kind.getValue());
        assertTrue(!schema.isVisible(), "the schema box shows for a JSON schema only");

        robot.interact(() -> kind.setValue(ResponseFormat.Kind.JSON_SCHEMA));
        robot.interact(() -> schema.setText("{\"type\": \"string\", \"pattern\": \"^a\"}"));
        robot.interact(() -> robot.lookup("#chat-format-apply").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(problem.getText().contains("\"pattern\""), problem.getText());
        assertEquals(ResponseFormat.TEXT, model.responseFormatProperty().get(), "a schema that cannot be kept is not used");

        robot.interact(() -> schema.setText(SCHEMA));
        robot.interact(() -> robot.lookup("#chat-format-apply").queryButton().fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", problem.getText());
        assertEquals(ResponseFormat.Kind.JSON_SCHEMA, model.responseFormatProperty().get().kind());

        robot.clickOn("#chat-input").write("hi").type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ResponseFormat.Kind.JSON_SCHEMA, backend.formats.get(backend.formats.size() - 1).kind());
        String answer = model.conversation().get(model.conversation().size() - 1).textProperty().get();
        JsonNode doc = new ObjectMapper().readTree(answer);
        assertTrue(doc.get("ok").isBoolean() && doc.get("n").asInt() >= 1 && doc.get("n").asInt() <= 9, answer);
        assertEquals(2, doc.size(), answer);

        robot.interact(() -> kind.setValue(ResponseFormat.Kind.TEXT));
        assertEquals(ResponseFormat.TEXT, model.responseFormatProperty().get());
    }
}
