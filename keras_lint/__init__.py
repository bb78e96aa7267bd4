"""keras-lint: a static analyzer for the silent bugs of Keras training code."""

__version__ = "0.1.0"
