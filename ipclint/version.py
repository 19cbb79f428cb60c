"""The version of ipclint (read by the build, and by every part that reports it)."""
__version__ = "0.1.0"
