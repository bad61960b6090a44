"""Built-in features, registered through the same hooks third-party plugins use."""
