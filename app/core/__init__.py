"""The domain: data, rules and services, free of Qt and of any web framework."""
