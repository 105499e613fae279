"""Receivers of lower apps' signals: one line each, calling a service."""
