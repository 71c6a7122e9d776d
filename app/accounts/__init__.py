"""Accounts: users, signing in and out, and the command that creates the first administrator."""
