"""Fee accounting (issue 18: one package): ``allocation`` the arithmetic of a month's
shares (pure), ``run`` a month's run from the database, ``texts`` the line texts in a
language, ``export`` the CSV and SIE files and the kept files of closed months. The
actions are logic/action/fees.py."""
