"""Each kind of request's own definition (``KIND``), read by the registry
(``domain/objects.py``)."""
