"""Formatters: each takes an immutable RunResult and a stream, and never reaches into the engine."""
