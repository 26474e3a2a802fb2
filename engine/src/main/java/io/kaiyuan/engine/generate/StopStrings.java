package io.kaiyuan.engine.generate;

import java.util.List;

/**
 * Finds user stop strings in streamed text. Text that could still be the start of a stop string is held
 * back, so a stop string never reaches the output, even when it arrives split across tokens.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds decoded text; returns the text that is safe to emit now. */
    String add(String text) {
        if (stopped) {
            return "";
        }
        pending.append(text);
        int cut = -1;
        for (String stop : stops) {
            int i = pending.indexOf(stop);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        for (String stop : stops) {
            for (int j = Math.min(stop.length() - 1, pending.length()); j > hold; j--) {
                if (endsWith(pending, stop, j)) {
                    hold = j;
                    break;
                }
            }
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    private static boolean endsWith(StringBuilder text, String stop, int prefixLength) {
        int start = text.length() - prefixLength;
        for (int k = 0; k < prefixLength; k++) {
            if (text.charAt(start + k) != stop.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** True once a stop string was found. */
    boolean stopped() {
        return stopped;
    }

    /** The held-back text, at the end of a generation that did not stop on a stop string. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }
}
