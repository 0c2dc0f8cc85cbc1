"""Canned-but-plausible prose for the mock model's text scenarios."""
