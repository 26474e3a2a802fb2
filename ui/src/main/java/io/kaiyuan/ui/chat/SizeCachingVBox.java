package io.kaiyuan.ui.chat;

import javafx.scene.layout.VBox;

/**
 * A VBox that remembers its height for the width it was last asked about, until something inside it
 * changes (which always asks for a new layout). A long answer or conversation is laid out again on every
 * streamed update; without this, each update asks every paragraph above for its height again, so the cost
 * of an update grew with everything already shown. FX thread.
 */
class SizeCachingVBox extends VBox {
    private double prefFor = Double.NaN;
    private double pref;
    private double minFor = Double.NaN;
    private double min;

    SizeCachingVBox(double spacing) {
        super(spacing);
    }

    @Override
    protected double computePrefHeight(double width) {
        if (width != prefFor) {
            pref = super.computePrefHeight(width);
            prefFor = width;
        }
        return pref;
    }

    @Override
    protected double computeMinHeight(double width) {
        if (width != minFor) {
            min = super.computeMinHeight(width);
            minFor = width;
        }
        return min;
    }

    @Override
    public void requestLayout() {
        prefFor = Double.NaN;
        minFor = Double.NaN;
        super.requestLayout();
    }
}
