package io.kaiyuan.ui.chat;

import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableDoubleValue;
import javafx.beans.value.ObservableStringValue;

/**
 * The model a newcomer is offered on an empty chat ("Download Qwen2.5 0.5B Instruct (0.79 GB)"), and its
 * download. Built by the shell from the model manager; FX thread.
 */
public interface ModelOffer {
    /** The id the model will have once installed. */
    String modelId();

    /** The button's text, with the model's name and size. */
    String label();

    void download();

    ObservableBooleanValue downloading();

    /** 0 to 1 while downloading. */
    ObservableDoubleValue progress();

    /** Bytes, speed and time left while downloading; the error when it failed; empty otherwise. */
    ObservableStringValue status();
}
