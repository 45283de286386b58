"""Spaces: a company's workspace. Every business row belongs to exactly one."""
