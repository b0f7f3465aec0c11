"""The domain's own queries, below everything that reads them (issue 38, HOUSE.md): the
registry of request kinds (``objects``), who someone is (``roles``), who takes part on a
day (``taking_part``) and the customers (``customers``). The actions (``logic/``), the
fees, the mail and the catalogue import these; these import only the model and the pure
modules, so that no import runs back up the house."""
