"""The embedded mode: a supervisor for every process and a local mail catcher."""
