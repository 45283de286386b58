"""Settings: the space's outgoing email configuration, its test email and connection check."""
