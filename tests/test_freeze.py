"""The names the extension registers with CKAN, frozen (issue 18: the code moves, the names
stay).

Scripts call the actions by name over the API, templates call the helpers and link to the
endpoints, cron runs the CLI, operators set the config keys: none of them may change when
the code behind them moves. This test lists every name the two plugins (``vgsamverkan``,
``vgsamverkan_pgsearch``) register: actions (with ``GET`` where an action is
side-effect free), auth functions, validators, template helpers, blueprint endpoints
(with their paths and methods), CLI command paths (with their parameters) and declared
config keys, and compares the list with ``tests/frozen_names.txt``.

A deliberate change (a new action of a later issue, say) is made by editing that file in
the same commit: the failure prints the lines to add and to take away.
"""
from __future__ import annotations

import os

import click
import pytest

from ckan import plugins
from ckan.config.declaration import Declaration, Key

FROZEN = os.path.join(os.path.dirname(__file__), "frozen_names.txt")
OURS = ("vgsamverkan", "vgsamverkan_pgsearch")

pytestmark = pytest.mark.usefixtures("with_plugins")


def _ours() -> list:
    return [plugins.get_plugin(name) for name in OURS]


def _implemented(interface) -> list:
    return [plugin for plugin in _ours() if interface.implemented_by(type(plugin))]


def _commands(command: click.Command, path: tuple[str, ...]) -> list[str]:
    path = path + (command.name,)
    # an option as it is typed (its longest spelling), an argument by its name
    params = " ".join(sorted(
        (max(p.opts, key=len) if isinstance(p, click.Option) else p.name) for p in command.params))
    lines = [f"cli {' '.join(path)} {params}".rstrip()]
    if isinstance(command, click.Group):
        for sub in sorted(command.commands.values(), key=lambda c: c.name):
            lines += _commands(sub, path)
    return lines


def registered(flask_app) -> list[str]:
    """Every registered name of our plugins, one per line, sorted."""
    lines = []
    for plugin in _implemented(plugins.IActions):
        for name, action in plugin.get_actions().items():
            get = " GET" if getattr(action, "side_effect_free", False) else ""
            lines.append(f"action {name}{get}")
    for plugin in _implemented(plugins.IAuthFunctions):
        lines += [f"auth {name}" for name in plugin.get_auth_functions()]
    for plugin in _implemented(plugins.IValidators):
        lines += [f"validator {name}" for name in plugin.get_validators()]
    for plugin in _implemented(plugins.ITemplateHelpers):
        lines += [f"helper {name}" for name in plugin.get_helpers()]
    blueprints = set()
    for plugin in _implemented(plugins.IBlueprint):
        found = plugin.get_blueprint()
        blueprints |= {b.name for b in (found if isinstance(found, list) else [found])}
    for rule in flask_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in blueprints:
            methods = ",".join(sorted(set(rule.methods) - {"HEAD", "OPTIONS"}))
            lines.append(f"endpoint {rule.endpoint} {rule.rule} {methods}")
    for plugin in _implemented(plugins.IClick):
        for command in plugin.get_commands():
            lines += _commands(command, ())
    for plugin in _implemented(plugins.IConfigDeclaration):
        declaration = Declaration()
        plugin.declare_config_options(declaration, Key())
        lines += [f"config {key}" for key in declaration.iter_options()]
    return sorted(lines)


def test_every_registered_name_is_as_frozen(app):
    now = registered(app.flask_app)
    with open(FROZEN, encoding="utf-8") as f:
        frozen = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    # each kind of name is really found (a lookup that finds nothing would freeze nothing)
    kinds = {line.split(" ", 1)[0] for line in now}
    assert kinds == {"action", "auth", "validator", "helper", "endpoint", "cli", "config"}, kinds
    added = sorted(set(now) - set(frozen))
    gone = sorted(set(frozen) - set(now))
    assert not added and not gone, (
        "registered names changed (tests/frozen_names.txt): a deliberate change edits that "
        "file in the same commit.\n+ " + "\n+ ".join(added) + "\n- " + "\n- ".join(gone))
    assert len(now) == len(set(now)), "a name is registered twice"
