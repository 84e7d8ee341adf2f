"""Store API v1: the contract the shop and other clients use."""
