"""The window's kit: running work off the GUI thread, asking the person, small widgets, the style, charts."""
