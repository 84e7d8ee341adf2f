"""The Store: the warehouse service with the catalogue, physical copies and orders."""
