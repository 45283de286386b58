"""Tools for trying Djaboo Mail on a laptop; not used by a production deployment."""
