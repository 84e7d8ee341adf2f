"""Customers: registration, login, profile."""
