"""The prediction model: pure Python, numpy and scipy; no Flask, no database."""
