package io.kaiyuan.ui.common;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ListCell;

/**
 * A list cell whose graphic wraps to the list's width. A plain cell measures its graphic at its
 * unwrapped width, so rows of wrapped text come out one line high and overlap the next; this one asks
 * the graphic for its height at the width the cell really has, and never asks for more width than the
 * list gives (no sideways scrolling). FX thread.
 */
public abstract class WrappingCell<T> extends ListCell<T> {
    protected WrappingCell() {
        setPrefWidth(0);
        setMinWidth(0);
    }

    @Override
    protected double computePrefHeight(double width) {
        Node graphic = getGraphic();
        if (graphic == null || width <= 0) {
            return super.computePrefHeight(width);
        }
        Insets in = getInsets();
        double inner = Math.max(0, width - in.getLeft() - in.getRight());
        return in.getTop() + graphic.prefHeight(inner) + in.getBottom();
    }

    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }
}
