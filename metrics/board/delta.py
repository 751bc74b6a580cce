"""Snapshots of the wall board as plain data: diff, apply and per-viewer filtering (no Django).

A floor snapshot is a dict of sections (`queues`, `agents`, `alerts`, `broadcasts`, `help`,
`summary`), each a dict of entries keyed by a string. A delta names, per section, the entries
to set (new or changed) and the keys to remove; `apply(old, diff(old, new)) == new`. The
compact form (`diff(old, new, fields=True)`, what full-floor viewers receive) sends an entry
that kept its fields as a `patch` of the fields that changed: a queue tile whose staffing moved
then costs a few bytes instead of its whole trend and waiting list.

What a viewer may see is decided entry by entry from the entry itself (its team, its agent),
so filtering commutes with applying deltas: an entry that leaves the viewer's sight in a delta
becomes a removal for that viewer.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

SECTIONS = ("summary", "queues", "agents", "alerts", "broadcasts", "help", "emergencies")
# Supervision fields of an agent's row and kinds of alert that supervisors and team leads see
# but the agent does not (their schedule adherence).
SUPERVISION_FIELDS = ("scheduled", "scheduled_label", "in_adherence", "out_since")
SUPERVISION_FIELDS += ("control", "monitors")
SUPERVISION_ALERTS = ("adherence",)


def diff(old: dict, new: dict, *, fields: bool = False) -> dict:
    """The delta that turns `old` into `new`: `{"set": {section: {key: entry}}, "remove": {…}}`.

    With `fields`, an entry that has the same fields before and after goes in
    `"patch": {section: {key: {field: value}}}` with only the fields that changed.
    """
    return diff_keys(old, new, {}, fields=fields)


def diff_keys(old: dict, new: dict, keys: dict, *, fields: bool = False) -> dict:
    """`diff(old, new)` when, per section, only the entries of `keys[section]` (a set of keys)
    can differ; a section that `keys` leaves out or maps to None is compared whole. The
    refresh worker knows what a change touched, so it does not compare every row."""
    sets: dict[str, dict] = {}
    patches: dict[str, dict] = {}
    removes: dict[str, list[str]] = {}
    for section in SECTIONS:
        before, after = old.get(section, {}), new.get(section, {})
        only = keys.get(section)
        if only is None:
            changed = {key: value for key, value in after.items() if before.get(key) != value}
            gone = sorted(key for key in before if key not in after)
        else:
            changed = {
                key: after[key] for key in only if key in after and before.get(key) != after[key]
            }
            gone = sorted(key for key in only if key in before and key not in after)
        if fields:
            for key in list(changed):
                previous, entry = before.get(key), changed[key]
                if isinstance(previous, dict) and previous.keys() == entry.keys():
                    patches.setdefault(section, {})[key] = {
                        name: value for name, value in entry.items() if previous[name] != value
                    }
                    del changed[key]
        if changed:
            sets[section] = changed
        if gone:
            removes[section] = gone
    delta = {"set": sets, "remove": removes}
    if patches:
        delta["patch"] = patches
    return delta


def apply(snapshot: dict, delta: dict) -> dict:
    """A new snapshot: `snapshot` with `delta` applied (the input is left alone)."""
    result = {section: dict(snapshot.get(section, {})) for section in SECTIONS}
    for section, keys in delta.get("remove", {}).items():
        for key in keys:
            result.setdefault(section, {}).pop(key, None)
    for section, entries in delta.get("set", {}).items():
        result.setdefault(section, {}).update(copy.deepcopy(entries))
    for section, entries in delta.get("patch", {}).items():
        target = result.setdefault(section, {})
        for key, changed in entries.items():
            target[key] = {**target.get(key, {}), **copy.deepcopy(changed)}
    return result


@dataclass(frozen=True, slots=True)
class Viewer:
    """What one person may see of the floor.

    `everything`: supervisors and admins (and team leads allowed to see the whole floor).
    Otherwise, when `queues` is set, the summary and the queue tiles (with their waiting lists)
    and queue alerts of `queue_ids` (every queue when None); agents, their alerts and help
    requests of `teams`; and the entries of `agent_key` itself (an agent: their own row and
    their own help requests). Broadcasts are for everyone; the checklists of started emergency
    plans (`emergencies`) for those who supervise.
    """

    everything: bool = False
    queues: bool = False
    teams: frozenset[int] = field(default_factory=frozenset)
    agent_key: str | None = None
    queue_ids: frozenset[int] | None = None

    def _sees_queue(self, queue_id) -> bool:
        return self.queue_ids is None or queue_id in self.queue_ids

    @property
    def header_key(self) -> str:
        """The summary entry this viewer gets as its header (`floor`): the floor's, or for a
        team lead scoped to their teams, the counts of their teams' agents."""
        return "floor" if self.everything else team_summary_key(self.teams)

    @property
    def supervises(self) -> bool:
        return self.everything or self.queues

    def sees(self, section: str, entry: dict) -> bool:
        if self.everything or section == "broadcasts":
            return True
        if section == "emergencies":  # a started plan's checklist: for who runs the floor
            return self.queues
        if section == "summary":
            if is_header(entry.get("key", "")):
                return self.queues and entry["key"] == self.header_key
            team_id = entry.get("team_id")
            return self.queues and (team_id is None or team_id in self.teams)
        if section == "alerts" and entry.get("kind") in SUPERVISION_ALERTS:
            return self.queues and entry.get("team_id") in self.teams
        if section == "queues":
            return self.queues and self._sees_queue(entry.get("id"))
        if section == "alerts" and entry.get("agent") is None:
            queue_id = entry.get("queue_id")
            return self.queues and (queue_id is None or self._sees_queue(queue_id))
        if self.agent_key is not None and entry.get("agent") == self.agent_key:
            return True
        return entry.get("team_id") in self.teams

    def shown(self, section: str, entry: dict) -> dict:
        """The entry as this viewer gets it (one they see): an agent's row without the
        supervision fields unless they supervise."""
        if section != "agents" or self.supervises:
            return entry
        return {name: value for name, value in entry.items() if name not in SUPERVISION_FIELDS}


def team_summary_key(teams) -> str:
    """The key of the header counts over the agents of `teams` (a team lead's teams)."""
    return "teams:" + ",".join(str(team) for team in sorted(teams))


def is_header(key: str) -> bool:
    """The floor's header counts (`floor`) or a set of teams' (`teams:1,3`)."""
    return key == "floor" or key.startswith("teams:")


def _as_header(entry: dict) -> dict:
    return {**entry, "key": "floor"}


def filter_snapshot(snapshot: dict, viewer: Viewer) -> dict:
    """The snapshot as `viewer` receives it; a scoped team lead's header (`summary.floor`)
    counts their teams' agents, not the floor's."""
    cut = {
        section: {
            key: viewer.shown(section, entry)
            for key, entry in snapshot.get(section, {}).items()
            if viewer.sees(section, entry)
        }
        for section in SECTIONS
    }
    if viewer.header_key != "floor":
        own = cut["summary"].pop(viewer.header_key, None)
        if own is not None:
            cut["summary"]["floor"] = _as_header(own)
    return cut


def filter_delta(delta: dict, viewer: Viewer) -> dict:
    """The delta as `viewer` receives it: hidden entries that are set become removals.

    Takes the full form (no `patch`): whether an entry is seen depends on all its fields.
    """
    if viewer.everything:
        return delta
    sets: dict[str, dict] = {}
    removes: dict[str, list[str]] = {s: list(k) for s, k in delta.get("remove", {}).items()}
    header = viewer.header_key
    renamed = header != "floor"
    if renamed:  # the header: only the viewer's own counts, sent as `floor`
        gone = removes.pop("summary", [])
        kept = [key for key in gone if not is_header(key)]
        kept += ["floor"] if header in gone else []
        if kept:
            removes["summary"] = kept
    for section, entries in delta.get("set", {}).items():
        for key, entry in entries.items():
            if renamed and section == "summary" and is_header(key):
                if key == header and viewer.sees(section, entry):
                    sets.setdefault(section, {})["floor"] = _as_header(entry)
                continue
            if viewer.sees(section, entry):
                sets.setdefault(section, {})[key] = viewer.shown(section, entry)
            else:
                removes.setdefault(section, []).append(key)
    return {"set": sets, "remove": {s: sorted(set(k)) for s, k in removes.items() if k}}
