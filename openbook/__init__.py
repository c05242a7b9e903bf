"""openbook: the open government platform (open contracting data, registers, and their log)."""

__version__ = "0.1.0"
