"""hocso: an open digital-literacy course in Vietnamese, built on nbgrader."""

__version__ = "0.1.0"
