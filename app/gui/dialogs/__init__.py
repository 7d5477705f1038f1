"""The window's dialogs: each takes its data in its constructor and reports what the person asks for by
signals; it never reads or writes the database itself."""
