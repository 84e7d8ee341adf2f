"""Infrastructure both services share: settings helpers, health checks, logging.

Nothing here knows about books or orders; business code lives in each service.
"""
