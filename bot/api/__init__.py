"""API gateway: orientation engine, conversations and directory for other software."""
