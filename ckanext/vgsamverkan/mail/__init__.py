"""E-mail (issue 18): ``texts`` what each mail says, ``outbox`` how it is sent,
``notify`` who gets which mail. mailer.py re-exports the names queued jobs refer to."""
