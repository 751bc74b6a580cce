"""Scorecards and their versions: create, edit a draft, release, copy."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from qa.models import (
    Criterion,
    CriterionKind,
    Critical,
    Scorecard,
    ScorecardVersion,
    Section,
    VersionStatus,
)


def _build_sections(version: ScorecardVersion, sections: Sequence[dict]) -> None:
    if not sections:
        raise DomainError(_("A scorecard needs at least one section."), field="sections")
    for s_index, section in enumerate(sections):
        title = (section.get("title") or "").strip()
        if not title:
            raise DomainError(_("Every section needs a title."), field=f"sections[{s_index}].title")
        weight = float(section.get("weight", 1))
        if weight <= 0:
            raise DomainError(
                _("A section's weight must be above 0."), field=f"sections[{s_index}].weight"
            )
        criteria = section.get("criteria") or []
        if not criteria:
            raise DomainError(
                _("The section %(title)s has no criteria.") % {"title": repr(title)},
                field=f"sections[{s_index}].criteria",
            )
        row = Section.objects.create(version=version, title=title, weight=weight, position=s_index)
        for c_index, criterion in enumerate(criteria):
            where = f"sections[{s_index}].criteria[{c_index}]"
            c_title = (criterion.get("title") or "").strip()
            if not c_title:
                raise DomainError(_("Every criterion needs a title."), field=f"{where}.title")
            max_points = int(criterion.get("max_points", 1))
            if not 1 <= max_points <= 100:
                raise DomainError(
                    _("Maximum points must be between 1 and 100."), field=f"{where}.max_points"
                )
            kind = criterion.get("kind", CriterionKind.POINTS)
            if kind not in CriterionKind.values:
                raise DomainError(
                    _("Unknown kind %(kind)s.") % {"kind": repr(kind)}, field=f"{where}.kind"
                )
            critical = criterion.get("critical", Critical.NONE)
            if critical not in Critical.values:
                raise DomainError(
                    _("Unknown critical setting %(critical)s.") % {"critical": repr(critical)},
                    field=f"{where}.critical",
                )
            Criterion.objects.create(
                section=row,
                title=c_title,
                guidance=criterion.get("guidance", ""),
                kind=kind,
                max_points=max_points,
                critical=critical,
                allow_na=bool(criterion.get("allow_na", True)),
                position=c_index,
            )


@transaction.atomic
def scorecard_create(
    *, name: str, actor: User, sections: Sequence[dict], notes: str = ""
) -> Scorecard:
    """Create a scorecard with its first (draft) version."""
    if Scorecard.objects.filter(name__iexact=name).exists():
        raise DomainError(
            _("A scorecard named %(name)s exists already.") % {"name": repr(name)}, field="name"
        )
    card = Scorecard.objects.create(name=name, created_by=actor)
    version = ScorecardVersion.objects.create(scorecard=card, number=1, notes=notes)
    _build_sections(version, sections)
    audit_record(actor=actor, action="scorecard.created", target=version, data={"name": name})
    return card


@transaction.atomic
def scorecard_version_update(
    *, version: ScorecardVersion, actor: User, sections: Sequence[dict], notes: str | None = None
) -> ScorecardVersion:
    """Replace the structure of a draft version; a released version never changes."""
    locked = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise DomainError(
            _("A released scorecard version cannot change; make a new version."),
            field="status",
            code="released",
        )
    locked.sections.all().delete()
    _build_sections(locked, sections)
    if notes is not None:
        locked.notes = notes
        locked.save(update_fields=["notes"])
    audit_record(actor=actor, action="scorecard.updated", target=locked)
    return locked


@transaction.atomic
def scorecard_version_release(*, version: ScorecardVersion, actor: User) -> ScorecardVersion:
    if not Criterion.objects.filter(section__version=version).exists():
        raise DomainError(_("A scorecard without criteria cannot be released."), field="sections")
    now = timezone.now()
    changed = ScorecardVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.RELEASED, released_at=now
    )
    if not changed:
        raise Conflict(_("This version was released already."))
    audit_record(actor=actor, action="scorecard.released", target=version)
    version.refresh_from_db()
    return version


@transaction.atomic
def scorecard_version_copy(*, version: ScorecardVersion, actor: User) -> ScorecardVersion:
    """Start the next version as a draft copy of `version`."""
    card = Scorecard.objects.select_for_update().get(pk=version.scorecard_id)
    number = (card.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = ScorecardVersion.objects.create(scorecard=card, number=number, notes=version.notes)
    for section in version.sections.prefetch_related("criteria"):
        criteria = list(section.criteria.all())
        section.pk = None
        section.version = new
        section.save()
        for criterion in criteria:
            criterion.pk = None
            criterion.section = section
            criterion.save()
    audit_record(
        actor=actor, action="scorecard.copied", target=new, data={"from_version": version.pk}
    )
    return new
