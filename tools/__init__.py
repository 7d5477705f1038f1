"""Developer tools that are not tests: run from the checkout with `python -m tools.<package>.<module>`."""
