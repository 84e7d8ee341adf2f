"""Store staff and service accounts."""
