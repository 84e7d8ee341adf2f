"""What every shop page and process shares: layout, health, store connectivity."""
