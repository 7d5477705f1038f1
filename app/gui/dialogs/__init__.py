"""The window's dialogs: each takes its data in its constructor and reports what the person asks for by
signals; the controllers do the work. The Activity and Members dialogs page through their lists
themselves (on a worker, through run_task), as the vouchers view does."""
