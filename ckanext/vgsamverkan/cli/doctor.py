"""``ckan vgsamverkan doctor``: checks a deployment and says what is wrong (issue 19)."""
from __future__ import annotations

import sys

import click

from ckanext.vgsamverkan import doctor as checks


@click.command()
def doctor():
    """Check this deployment: coordinators, mail settings and the SMTP server, Redis and a
    worker on the mail queue, migrations, the population the next fee month needs, the
    search index. One line per finding (OK, WARN, FAIL); exits 1 when one fails."""
    findings = checks.run()
    for line in checks.as_lines(findings):
        click.echo(line)
    failed = sum(f.level == "fail" for f in findings)
    warned = sum(f.level == "warn" for f in findings)
    if failed:
        click.echo(f"{failed} problem(s) to fix, {warned} warning(s).")
        sys.exit(1)
    click.echo(f"All is well ({warned} warning(s)).")
