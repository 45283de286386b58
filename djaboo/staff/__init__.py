"""Staff: sign-in, roles, staff administration and each user's own profile."""
