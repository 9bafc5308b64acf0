"""Widgets and helpers of the brief app."""
