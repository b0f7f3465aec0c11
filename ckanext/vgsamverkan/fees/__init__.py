"""Fee accounting (issue 18: one package): ``allocation`` the arithmetic of a month's
shares (pure), ``run`` a month's run from the database, ``texts`` the line texts and the
CSV and SIE files. The actions are logic/action/fees.py."""
