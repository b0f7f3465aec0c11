"""Adding a kind of request is a registry entry and the kind's own files (issue 38;
docs/development.md "Adding a kind"). Here a fifth kind that exists only in this test, a
training request, is made of nothing but what a kind brings: its table, its ``Kind``
(domain/kind.py) and its list action. Registered in ``objects.KINDS``, it appears in the
coordinator's queue, on the dashboard and in the waiting list of the coordinator, of its
organisation's admin and of the trainer whose move it is, and in a section of the
coordinator's workplace, without any other file changing.

What cannot exist here without a plugin of its own: the list action is put into CKAN's
table of actions for the test (``ckan.logic._actions``) instead of being registered by a
plugin's ``get_actions``; the table is made and dropped by the test instead of by a
migration."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

import ckan.logic
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.kind import Kind, Row, Step
from tests.browser import Browser, as_user
from tests.factories import call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

Base: Any = declarative_base()


class Training(Base):
    """The test kind's table: a training an organisation asks for."""
    __tablename__ = "vgsamverkan_test_training"
    id = sa.Column(sa.Text, primary_key=True)
    organization_id = sa.Column(sa.Text, nullable=False)
    state = sa.Column(sa.Text, nullable=False)
    topic = sa.Column(sa.Text, nullable=False)
    trainer_id = sa.Column(sa.Text)
    created = sa.Column(sa.DateTime(timezone=True), nullable=False)
    modified = sa.Column(sa.DateTime(timezone=True), nullable=False)

    def dictize(self) -> dict[str, Any]:
        org = model.Group.get(self.organization_id)
        return {"id": self.id, "state": self.state, "topic": self.topic, "organization_id": self.organization_id,
                "organization_name": org.name, "organization_title": org.title, "trainer_id": self.trainer_id,
                "created": self.created.isoformat(), "modified": self.modified.isoformat()}


def _to_give(user: Any) -> list[tuple[dict[str, Any], Any, str | None]]:
    rows = model.Session.query(Training).filter(Training.trainer_id == user.id, Training.state == "planned")
    return [(t.dictize(), t.modified, "4000.00") for t in rows]


TRAINING = Kind(
    "training", Training,
    workflow.Workflow(name="training", initial="asked", states=("asked", "planned", "given"),
                      transitions={("asked", "plan"): "planned", ("planned", "give"): "given"}),
    "vgsamverkan.calloff_read", "/samverkan/utbildning/{id}",
    waits=("asked",), open=("asked", "planned"), label=lambda: "Training",
    summary=lambda obj: obj.topic,
    steps={"asked": Step(lambda: "The coordinator finds a trainer."),
           "planned": Step(lambda: "The trainer prepares it.", yours=lambda: "Give the training.",
                           mover=lambda user, row: row["trainer_id"] == user.id)},
    your_moves=_to_give, row=Row("asked", "oldest_asked"),
)


def training_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The test kind's list: every training, or those in ``state`` (no auth of its own: it
    is the test's)."""
    query = model.Session.query(Training).order_by(Training.created)
    if data_dict.get("state"):
        query = query.filter(Training.state == data_dict["state"])
    rows = [t.dictize() for t in query]
    return {"count": len(rows), "results": rows}


@pytest.fixture
def training(monkeypatch):
    engine = model.Session.get_bind()
    Base.metadata.create_all(engine)
    monkeypatch.setitem(objects.KINDS, "training", TRAINING)
    ckan.logic.get_action("vgsamverkan_queue_list")  # CKAN's table of actions filled before adding to it
    monkeypatch.setitem(ckan.logic._actions, "vgsamverkan_training_list", training_list)
    yield
    model.Session.rollback()
    Base.metadata.drop_all(engine)


def _add(org: dict[str, Any], state: str, topic: str, trainer: dict[str, Any] | None = None,
         days_ago: int = 0) -> Training:
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)
    row = Training(id=f"t-{topic}", organization_id=org["id"], state=state, topic=topic,
                   trainer_id=trainer["id"] if trainer else None, created=moment, modified=moment)
    model.Session.add(row)
    model.Session.commit()
    return row


def test_a_kind_only_the_test_knows_runs_through_queue_dashboard_and_waiting_list(training, coordinator):
    admin, trainer = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    _add(org, "asked", "DCAT-AP-SE för nybörjare", days_ago=3)
    _add(org, "planned", "Öppna data i praktiken", trainer=trainer)

    queue = call("vgsamverkan_queue_list", coordinator, kind="training")
    assert [(i["kind"], i["summary"], i["age_days"], i["organization_id"]) for i in queue["results"]] == [
        ("training", "DCAT-AP-SE för nybörjare", 3, org["id"])]
    assert "training" in {i["kind"] for i in call("vgsamverkan_queue_list", coordinator)["results"]}

    dashboard = call("vgsamverkan_dashboard_show", coordinator)
    assert dashboard["training"]["asked"] == 1 and dashboard["training"]["oldest_asked"]
    others = sum(dashboard[k][objects.KINDS[k].row.count] for k in objects.KINDS if k != "training")
    assert dashboard["waiting"] == others + 1

    mine = call("vgsamverkan_waiting_list", coordinator)
    assert ("training", "t-DCAT-AP-SE för nybörjare") in {(r["kind"], r["id"]) for r in mine["yours"]}
    given = call("vgsamverkan_waiting_list", trainer)
    assert [(r["kind"], r["next"], r["amount"], r["url"]) for r in given["yours"]] == [
        ("training", "Give the training.", "4000.00", "/samverkan/utbildning/t-Öppna data i praktiken")]
    asked = call("vgsamverkan_waiting_list", admin)
    assert {(r["kind"], r["state"], r["next"]) for r in asked["others"] if r["kind"] == "training"} == {
        ("training", "asked", "The coordinator finds a trainer."),
        ("training", "planned", "The trainer prepares it.")}


# (the app first: making it fills CKAN's table of actions anew, without the test's action)
def test_the_workplace_shows_the_kind_in_a_section_of_its_own(app, coordinator, training):
    """Without a template of its own (admin/training_queue.html) the kind's open requests
    get the workplace's plain section: organisation, state, age; and the kind filter
    offers it."""
    org = participant_org(factories.User(), coordinator)
    _add(org, "asked", "Metadata", days_ago=2)
    page = Browser(app).get("/en/ckan-admin/samverkan", extra_environ=as_user(coordinator))
    assert page.status_code == 200
    section = page.body[page.body.index('id="vgs-training-queue"'):]
    section = section[:section.index("</table>")]
    assert org["title"] in section and "/samverkan/avrop/t-Metadata" in section
    assert '<option value="training"' in page.body
    only = Browser(app).get("/en/ckan-admin/samverkan?kind=training", extra_environ=as_user(coordinator)).body
    assert 'id="vgs-training-queue"' in only and 'id="vgs-connection-queue"' not in only


def test_the_registry_refuses_what_it_does_not_know(training, coordinator):
    """Without the entry the kind is unknown to the queue's filter (a clear error)."""
    del objects.KINDS["training"]
    with pytest.raises(tk.ValidationError) as e:
        call("vgsamverkan_queue_list", coordinator, kind="training")
    assert "kind" in e.value.error_dict
