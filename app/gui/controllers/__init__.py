"""The controllers: each owns a piece of the window's behaviour (a dialog, the claim site, the till),
calls app.core on a worker and is wired to the rest by the main window, through its constructor and signals."""
