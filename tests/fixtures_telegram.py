"""Pytest fixtures: see the module that uses them."""
