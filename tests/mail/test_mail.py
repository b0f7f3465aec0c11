"""E-mail: composed in the recipient's language, queued on Redis, sent by CKAN's real
(forking) job worker to a real SMTP server on localhost (aiosmtpd)."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.vgsamverkan.model import Participation
from tests.factories import apply_new, call, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_application_and_decision_mails(coordinator, mailbox, run_jobs):
    applicant = factories.User(email="sokande@example.org")
    p = apply_new(applicant, name="mejlkommunen", language="sv")
    run_jobs()
    to_coordinator = mailbox.to("samordnare@example.org")
    assert len(to_coordinator) == 1
    body = mailbox.body(to_coordinator[0])
    assert "Ny ansökan om deltagande" in to_coordinator[0]["Subject"]
    assert f"/samverkan/deltagande/{p['id']}" in body
    assert applicant["name"] in body

    [receipt] = mailbox.receipts("sokande@example.org")
    assert "Mottaget: er ansökan om deltagande" in receipt["Subject"]
    call("vgsamverkan_participation_reject", coordinator, id=p["id"], reason="Organisationsnumret stämmer inte")
    run_jobs()
    to_applicant = mailbox.news("sokande@example.org")
    assert len(to_applicant) == 1
    assert "avslagits" in to_applicant[0]["Subject"]
    assert "Organisationsnumret stämmer inte" in mailbox.body(to_applicant[0])


def test_english_applicant_gets_english_mail(coordinator, mailbox, run_jobs):
    applicant = factories.User(email="applicant@example.org")
    p = apply_new(applicant, language="en")
    call("vgsamverkan_participation_approve", coordinator, id=p["id"], comment="Welcome")
    run_jobs()
    [msg] = mailbox.news("applicant@example.org")
    assert msg["Subject"].strip().startswith("Your application to take part has been approved")
    body = mailbox.body(msg)
    assert "Welcome" in body and f"/samverkan/deltagande/{p['id']}" in body


def test_a_refusing_mail_server_never_undoes_the_decision(coordinator, mailbox, run_jobs):
    """The mail that failed waits in the outbox; no rq scheduler is needed for its retry
    (``ckan jobs worker`` runs none): the flush queues it again once its wait is over."""
    import datetime as dt

    import sqlalchemy as sa

    from ckanext.vgsamverkan.mail import outbox
    from ckanext.vgsamverkan.model import Outbox

    applicant = factories.User(email="tur@example.org")
    p = apply_new(applicant)
    run_jobs()
    mailbox.refuse = True
    approved = call("vgsamverkan_participation_approve", coordinator, id=p["id"])
    run_jobs()
    assert approved["state"] == "approved"
    model.Session.expire_all()
    assert model.Session.get(Participation, p["id"]).state == "approved"
    assert mailbox.news("tur@example.org") == []  # (the receipt of the application went before)
    # the mail is a row of the outbox: tried once, the refusal written down, still waiting
    [row] = model.Session.query(Outbox).filter_by(recipient_email="tur@example.org", state="waiting").all()
    row_id = row.id
    assert (row.state, row.attempts) == ("waiting", 1)
    assert row.last_error  # what the server answered
    # not queued again before its wait (a minute after the first attempt) is over
    assert outbox.flush() == {"waiting": 0, "queued": 0}

    # The server takes mail again; a minute has passed (the clock moved by moving the
    # time it was queued back), and the flush of the timer queues it.
    mailbox.refuse = False
    model.Session.execute(sa.update(Outbox).where(Outbox.id == row_id)
                          .values(queued_at=Outbox.queued_at - dt.timedelta(seconds=61)))
    model.Session.commit()
    assert outbox.flush() == {"waiting": 1, "queued": 1}
    run_jobs()
    assert len(mailbox.news("tur@example.org")) == 1
    model.Session.expire_all()
    row = model.Session.get(Outbox, row_id)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None) and row.sent_at


def test_notify_off_sends_nothing(coordinator, mailbox, run_jobs, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.notify", False)
    apply_new(factories.User())
    run_jobs()
    assert mailbox.messages == []


def test_comment_from_coordinator_reaches_applicant(coordinator, mailbox, run_jobs):
    applicant = factories.User(email="kommentar@example.org")
    p = apply_new(applicant)
    call("vgsamverkan_comment_create", coordinator, object_type="participation",
         object_id=p["id"], text="Behöver fakturareferens")
    run_jobs()
    [msg] = mailbox.news("kommentar@example.org")
    assert "Behöver fakturareferens" in mailbox.body(msg)


def test_ckan_jobs_worker_alone_sends_the_mail(cli, coordinator, mailbox, run_jobs):
    """A standard CKAN deployment runs ``ckan jobs worker`` (no queue named: CKAN's
    default queue) and nothing of ours: the mail goes out."""
    from ckan.cli.cli import ckan

    run_jobs()  # the queues start empty
    apply_new(factories.User())
    result = cli.invoke(ckan, ["jobs", "worker", "--burst"], env={"CKAN_SMTP_SERVER": f"127.0.0.1:{mailbox.port}"})
    assert result.exit_code == 0, result.output
    assert len(mailbox.to("samordnare@example.org")) == 1


def test_worker_command_sends_the_queued_mail(cli, coordinator, mailbox, run_jobs):
    from ckan.cli.cli import ckan

    apply_new(factories.User())
    # CKAN 2.12's runner loads test.ini afresh: give it the mailbox's port as an operator
    # would, through CKAN's environment override
    result = cli.invoke(ckan, ["vgsamverkan", "worker", "--burst"],
                        env={"CKAN_SMTP_SERVER": f"127.0.0.1:{mailbox.port}"})
    assert result.exit_code == 0, result.output
    assert len(mailbox.to("samordnare@example.org")) == 1


class TestPublisherMail:
    def _org(self, coordinator):
        from tests.factories import participant_org

        return participant_org(factories.User(), coordinator)

    def test_request_decision_revocation(self, coordinator, mailbox, run_jobs):
        from tests.factories import request_rights

        org = self._org(coordinator)
        run_jobs()
        mailbox.messages.clear()
        user = factories.User(email="publicist@example.org")
        r = request_rights(user, org, language="sv")
        run_jobs()
        [submitted] = mailbox.to("samordnare@example.org")
        assert "Ny ansökan om publiceringsbehörighet" in submitted["Subject"]
        assert f"/samverkan/behorighet/{r['id']}" in mailbox.body(submitted)
        assert user["name"] in mailbox.body(submitted)

        call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="2099-12-31", comment="Välkommen")
        call("vgsamverkan_publisher_revoke", coordinator, id=r["id"], comment="Slutat på kommunen")
        run_jobs()
        approved, revoked = sorted(mailbox.news("publicist@example.org"), key=lambda m: "indragen" in m["Subject"])
        assert "Publiceringsbehörighet beviljad" in approved["Subject"]
        assert "2099-12-31" in mailbox.body(approved) and "Välkommen" in mailbox.body(approved)
        assert "Publiceringsbehörighet indragen" in revoked["Subject"]
        assert "Slutat på kommunen" in mailbox.body(revoked)

    def test_rejection_in_english_with_the_reason(self, coordinator, mailbox, run_jobs):
        from tests.factories import request_rights

        org = self._org(coordinator)
        user = factories.User(email="publisher@example.org")
        r = request_rights(user, org, language="en")
        call("vgsamverkan_publisher_reject", coordinator, id=r["id"], reason="Unknown to the municipality")
        run_jobs()
        [msg] = mailbox.news("publisher@example.org")
        assert msg["Subject"].strip().startswith("Publishing rights rejected")
        assert "Unknown to the municipality" in mailbox.body(msg)

    def test_asked_for_by_an_admin_both_hear(self, coordinator, mailbox, run_jobs):
        from tests.factories import org_with_admin

        admin = factories.User(email="chef@example.org")
        org = org_with_admin(admin)
        from tests.factories import apply_existing

        p = apply_existing(admin, org)
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        colleague = factories.User(email="kollega@example.org")
        r = call("vgsamverkan_publisher_request", admin, organization_id=org["id"], role="editor",
                 user_id=colleague["name"])
        run_jobs()
        mailbox.messages.clear()
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        run_jobs()
        assert len(mailbox.to("kollega@example.org")) == 1 and len(mailbox.to("chef@example.org")) == 1

    def test_expiry_reminder_and_end(self, coordinator, mailbox, run_jobs):
        from freezegun import freeze_time

        from ckanext.vgsamverkan import expiry
        from tests.factories import request_rights

        org = self._org(coordinator)
        user = factories.User(email="tidsbegransad@example.org")
        with freeze_time("2027-05-01"):
            r = request_rights(user, org)
            call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="2027-05-31")
        run_jobs()
        mailbox.messages.clear()
        with freeze_time("2027-05-20"):
            assert expiry.run()["reminded"] == [r["id"]]
        with freeze_time("2027-06-01"):
            assert expiry.run()["revoked"] == [r["id"]]
        run_jobs()
        subjects = sorted(m["Subject"] for m in mailbox.to("tidsbegransad@example.org"))
        assert len(subjects) == 2
        assert any("upphör snart" in s for s in subjects) and any("har upphört" in s for s in subjects)


class TestConnectionMail:
    def test_each_party_hears_of_the_others_acts(self, coordinator, mailbox, run_jobs):
        import datetime as dt

        from tests.factories import participant_org

        admin = factories.User(email="it-chef@example.org")
        org = participant_org(admin, coordinator)
        run_jobs()
        mailbox.messages.clear()
        c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], language="sv",
                 information_sets="Trafikdata", technical_contact="Tekniker, tekniker@example.org")
        run_jobs()
        [new] = mailbox.to("samordnare@example.org")
        assert "Ny begäran om anslutning" in new["Subject"] and "Trafikdata" in mailbox.body(new)
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar Utredare")
        valid = (dt.date.today() + dt.timedelta(days=20)).isoformat()
        call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Nattlig skörd",
             effort_hours="24.5", price="18500.00", valid_until=valid)
        run_jobs()
        [receipt] = mailbox.receipts("it-chef@example.org")
        assert "Mottaget: er begäran om anslutning" in receipt["Subject"]
        to_org = mailbox.news("it-chef@example.org")
        assert len(to_org) == 2
        quote = next(m for m in to_org if "Offert" in m["Subject"])
        body = mailbox.body(quote)
        # money and hours as Swedes write them: a no-break space groups thousands, a decimal comma
        assert "Nattlig skörd" in body and "Pris: 18\u00a0500,00 kr (exkl. moms)" in body and valid in body
        assert "Insats: 24,5 timmar" in body and "18500.00" not in body
        assert f"/samverkan/anslutning/{c['id']}" in body
        mailbox.messages.clear()
        call("vgsamverkan_connection_accept", admin, id=c["id"])
        run_jobs()
        assert len(mailbox.to("samordnare@example.org")) == 1 and mailbox.news("it-chef@example.org") == []
        [accepted] = mailbox.receipts("it-chef@example.org")  # the one who accepted: the amount and what next
        assert "18\u00a0500,00 kr" in mailbox.body(accepted) and "Vad händer nu" in mailbox.body(accepted)
        call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-12-01")
        run_jobs()
        [done] = mailbox.news("it-chef@example.org")
        assert "2026-12-01" in mailbox.body(done)


class TestCalloffMail:
    def test_coordinator_organisation_and_expert(self, coordinator, mailbox, run_jobs):
        import datetime as dt

        from tests.factories import participant_org

        admin = factories.User(email="kommunchef@example.org")
        expert = factories.User(email="expert@example.org")
        org = participant_org(admin, coordinator, effective_from="2025-01-01")
        run_jobs()
        mailbox.messages.clear()
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], language="sv",
                 competence_area="juridik", description="Licensfrågor för våra öppna data",
                 estimated_hours="8", period_start="2026-11-01", period_end="2026-12-31")
        requested_on(c["id"], "2025-01-01")  # time is logged on days long past
        run_jobs()
        [new] = mailbox.to("samordnare@example.org")
        body = mailbox.body(new)
        assert "Nytt avrop av stödresurser" in new["Subject"]
        assert "Juridik och licensiering" in body and "Licensfrågor" in body and f"/samverkan/avrop/{c['id']}" in body
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert",
             expert_user_id=expert["id"], hourly_rate="950", planned_hours="8")
        run_jobs()
        [to_org] = mailbox.news("kommunchef@example.org")
        [to_expert] = mailbox.to("expert@example.org")
        assert "Eva Expert" in mailbox.body(to_org) and "950,00 kr per timme (exkl. moms)" in mailbox.body(to_org)
        assert "Planerade timmar: 8" in mailbox.body(to_org)
        assert f"/samverkan/avrop/{c['id']}" in mailbox.body(to_expert)
        mailbox.messages.clear()
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=yesterday, hours="2")
        run_jobs()
        assert mailbox.messages == []  # logging time mails nobody
        call("vgsamverkan_calloff_deliver", coordinator, id=c["id"])
        run_jobs()
        [done] = mailbox.to("kommunchef@example.org")
        assert "levererats" in done["Subject"] and "Belopp: 1\u00a0900,00 kr (exkl. moms)" in mailbox.body(done)

    def test_a_cancellation_by_the_organisation_tells_the_coordinator_and_the_expert(
            self, coordinator, mailbox, run_jobs):
        from tests.factories import participant_org

        admin = factories.User(email="chef2@example.org")
        expert = factories.User(email="expert2@example.org")
        org = participant_org(admin, coordinator)
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], language="en",
                 competence_area="utbildning", description="Training", estimated_hours="3",
                 period_start="2026-11-01", period_end="2026-11-30")
        requested_on(c["id"], "2025-01-01")  # time is logged on days long past
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", expert_user_id=expert["id"],
             fixed_price="5000", planned_hours="3")
        run_jobs()
        [assigned] = [m for m in mailbox.to("chef2@example.org")  # the one who asked wrote in English
                      if "assigned" in str(m["Subject"])]
        assert "Price: fixed price SEK 5,000.00 (before VAT)" in mailbox.body(assigned)
        mailbox.messages.clear()
        call("vgsamverkan_calloff_cancel", admin, id=c["id"], comment="No longer needed")
        run_jobs()
        [to_coordinator] = mailbox.to("samordnare@example.org")
        [to_expert] = mailbox.to("expert2@example.org")
        assert "No longer needed" in mailbox.body(to_coordinator)
        # the expert chose no language: the portal's, not the English of the admin's request
        # (SPEC 2026-12-07)
        assert str(to_expert["Subject"]).strip().startswith("Ett avrop av stödresurser har avbrutits")
        assert mailbox.to("chef2@example.org") == []


def test_each_person_gets_mail_in_the_language_they_chose(coordinator, mailbox, run_jobs):
    """Issue 36, part 7: an admin told of an English request, or of a comment on it, got
    the mail in the requester's language, not their own."""
    from ckanext.vgsamverkan.mail import language
    from tests.factories import participant_org, request_rights

    admin = factories.User(email="admin-sv@example.org")
    other_admin = factories.User(email="admin-en@example.org")
    org = participant_org(admin, coordinator)
    helpers.call_action("member_create", id=org["id"], object=other_admin["id"], object_type="user",
                        capacity="admin")
    language.set_for(model.User.get(other_admin["id"]), "en")
    model.Session.commit()
    asker = factories.User(email="asker@example.org")
    run_jobs()
    mailbox.messages.clear()  # the mail of the approval and the membership
    rights = request_rights(asker, org, language="en")
    run_jobs()
    [told_sv] = mailbox.to("admin-sv@example.org")
    [told_en] = mailbox.to("admin-en@example.org")
    [receipt] = mailbox.to("asker@example.org")
    assert str(told_sv["Subject"]).startswith("Publiceringsbehörighet begärd i er organisation")
    assert str(told_en["Subject"]).startswith("Publishing rights asked for in your organisation")
    # the asker chose none: the language of the request, the asker's own
    assert str(receipt["Subject"]).strip().startswith("Received: your request for publishing rights")
    mailbox.messages.clear()
    call("vgsamverkan_comment_create", asker, object_type="publisher", object_id=rights["id"], text="Hello")
    run_jobs()
    [comment_sv] = mailbox.to("admin-sv@example.org")
    [comment_en] = mailbox.to("admin-en@example.org")
    assert "kommentar" in str(comment_sv["Subject"]).lower()
    assert "comment" in str(comment_en["Subject"]).lower()


def test_jobs_queued_by_an_older_version_still_find_their_functions(coordinator, mailbox, run_jobs):
    """Jobs already in Redis name their function by its dotted path in mailer.py (the
    module before mail/ was a package): the shim still has them, and prepare_later finds
    a notification by its name. One such job, queued as an older version did, is sent."""
    import ckan.plugins.toolkit as tk

    from ckanext.vgsamverkan import mailer
    from ckanext.vgsamverkan.mail import notify, outbox

    assert mailer.send_outbox is outbox.send_outbox and mailer.send_job is outbox.send_job
    assert mailer.prepare_later is notify.prepare_later and mailer.QUEUE == outbox.QUEUE
    # as an older version queued it: the function by its dotted path in mailer.py
    job = tk.enqueue_job("ckanext.vgsamverkan.mailer.send_job", ["Äldre", "aldre@example.org", "Ämne", "Text"],
                         queue=outbox.OLD_QUEUE)
    assert job.func_name == "ckanext.vgsamverkan.mailer.send_job"
    run_jobs()
    assert len(mailbox.to("aldre@example.org")) == 1


class TestReceiptsAndRecipients:
    """Issue 21: a receipt for every request; decision mails that say who asked and what
    now; comments to every admin and the coordinator, never the writer; admins told of
    publisher requests; no mail to an admin who left; people and municipalities named."""

    def _org_of_two(self, coordinator, first, second):
        from tests.factories import apply_existing

        org = factories.Organization(users=[{"name": first["name"], "capacity": "admin"},
                                            {"name": second["name"], "capacity": "admin"}])
        p = apply_existing(first, org)
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        return org

    def test_every_request_gets_a_receipt_with_its_reference_what_next_and_link(self, coordinator, mailbox, run_jobs):
        from ckanext.vgsamverkan.domain import objects
        from tests.factories import participant_org

        admin = factories.User(email="kvitto@example.org", fullname="Kim Kvitto")
        org = participant_org(admin, coordinator)
        run_jobs()
        mailbox.messages.clear()
        colleague = factories.User(fullname="Per Publicist")
        sent = {
            "publisher": call("vgsamverkan_publisher_request", admin, organization_id=org["id"], role="editor",
                              user_id=colleague["name"], language="sv"),
            "connection": call("vgsamverkan_connection_create", admin, organization_id=org["id"], language="sv",
                               information_sets="Bygglov", technical_contact="Tekniker"),
            "calloff": call("vgsamverkan_calloff_create", admin, organization_id=org["id"], language="en",
                            competence_area="juridik", description="Licences", estimated_hours="4",
                            period_start="2026-11-01", period_end="2026-12-31"),
        }
        run_jobs()
        receipts = mailbox.receipts("kvitto@example.org")
        assert len(receipts) == 3
        for kind, request in sent.items():
            ref = objects.reference(kind, request["id"])
            [receipt] = [m for m in receipts if ref in str(m["Subject"])]
            body = mailbox.body(receipt)
            assert f"{ref}" in body and objects.KINDS[kind].path.format(id=request["id"]) in body
            assert ("What happens next" if kind == "calloff" else "Vad händer nu") in body
        publisher = next(m for m in receipts if "BEH-" in str(m["Subject"]))
        assert f"Per Publicist ({colleague['name']})" in mailbox.body(publisher)  # "Full Name (user)"
        # the receipt is the sender's only mail: the coordinator got the requests
        assert mailbox.news("kvitto@example.org") == []
        assert len(mailbox.to("samordnare@example.org")) == 3

    def test_decision_mails_say_who_asked_and_what_now(self, coordinator, mailbox, run_jobs):
        applicant = factories.User(email="beslut@example.org", fullname="Bo Beslut")
        p = apply_new(applicant, language="sv")
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        run_jobs()
        [approved] = mailbox.news("beslut@example.org")
        body = mailbox.body(approved)
        assert f"Ansökt av: Bo Beslut ({applicant['name']})" in body
        assert "Vad ni kan göra nu" in body and f"/organization/samverkan/{p['organization_name']}" in body
        assert f"[DEL-{p['id'][:8].upper()}]" in str(approved["Subject"])

    def test_a_comment_reaches_every_admin_and_the_coordinator_never_the_writer(
            self, coordinator, mailbox, run_jobs):
        first = factories.User(email="forsta@example.org")
        second = factories.User(email="andra@example.org")
        org = self._org_of_two(coordinator, first, second)
        c = call("vgsamverkan_connection_create", first, organization_id=org["id"], language="sv",
                 information_sets="Vatten", technical_contact="Tekniker")
        run_jobs()
        mailbox.messages.clear()
        call("vgsamverkan_comment_create", first, object_type="connection", object_id=c["id"], text="Fråga A")
        run_jobs()
        assert [m for m in mailbox.messages if "Fråga A" in mailbox.body(m)] == \
            mailbox.to("andra@example.org") + mailbox.to("samordnare@example.org")
        assert len(mailbox.to("andra@example.org")) == 1 and mailbox.to("forsta@example.org") == []
        mailbox.messages.clear()
        call("vgsamverkan_comment_create", coordinator, object_type="connection", object_id=c["id"], text="Svar B")
        run_jobs()
        assert len(mailbox.to("forsta@example.org")) == 1 and len(mailbox.to("andra@example.org")) == 1
        assert mailbox.to("samordnare@example.org") == []  # the coordinator wrote it

    def test_admins_are_told_of_publisher_requests_in_their_organisation(self, coordinator, mailbox, run_jobs):
        from tests.factories import request_rights

        first = factories.User(email="chef-a@example.org")
        second = factories.User(email="chef-b@example.org")
        org = self._org_of_two(coordinator, first, second)
        run_jobs()
        mailbox.messages.clear()
        newcomer = factories.User(email="ny-publicist@example.org", fullname="Nora Ny")
        request_rights(newcomer, org, language="sv")
        run_jobs()
        for admin in ("chef-a@example.org", "chef-b@example.org"):
            [told] = mailbox.to(admin)
            assert f"Nora Ny ({newcomer['name']})" in mailbox.body(told)
        assert len(mailbox.receipts("ny-publicist@example.org")) == 1
        assert len(mailbox.to("samordnare@example.org")) == 1

    def test_an_admin_who_left_gets_no_more_of_the_organisations_mail(self, coordinator, mailbox, run_jobs):
        import datetime as dt

        first = factories.User(email="slutat@example.org")
        second = factories.User(email="kvar@example.org")
        org = self._org_of_two(coordinator, first, second)
        c = call("vgsamverkan_connection_create", first, organization_id=org["id"], language="sv",
                 information_sets="Trafik", technical_contact="Tekniker")
        call("organization_member_delete", coordinator, id=org["id"], username=first["name"])
        run_jobs()
        mailbox.messages.clear()
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
        call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd", effort_hours="2",
             price="1000", valid_until=(dt.date.today() + dt.timedelta(days=10)).isoformat())
        run_jobs()
        assert mailbox.to("slutat@example.org") == []
        assert len(mailbox.to("kvar@example.org")) == 2  # the organisation still hears

    def test_the_municipality_by_name_and_code(self, coordinator, mailbox, run_jobs):
        applicant = factories.User(email="kommun@example.org")
        apply_new(applicant, org_type="kommun", municipality_code="1441")
        run_jobs()
        [new] = mailbox.to("samordnare@example.org")
        assert "Kommun: Lerum (1441)" in mailbox.body(new)
