"""What `zhengai init` puts into a migrated database: the shipped templates, the demo organisation, the
built-in workflows, the demo school's year. The CLI, the tests and the benches install through here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from . import assessment, credits, demo, diagnosis, feeds, registries, reports, standards, wiring, workflow
from .core.db import make_engine
from .core.migrate import upgrade
from .core.settings import Settings
from .documents.templates import sync_templates


def install(session: Session, now: datetime, with_demo: bool = True, demo_year: bool = False) -> dict:
    """Templates, then the demo organisation (into an empty database), then the workflows (their lanes
    name functions, which may not be given to any unit yet: engine/org/functions.py), the registries'
    catalogue (rows the school lacks), then (`demo_year`) the demo school's year up to `now`; an
    organisation loaded earlier is never given a second year. The caller commits."""
    wiring.wire()
    added = sync_templates(session, now)
    loaded = False
    if with_demo and not demo.is_loaded(session):
        demo.load(session, now)
        loaded = True
    versions = workflow.deploy_builtin(session, now)
    catalogue = registries.load_catalogue(session, now)  # tables 27, 28, second 28: every school, demo or not
    checklists = diagnosis.checklists.load_defaults(session, now)  # figure 12's review checklists: every school
    feed_count = feeds.load_catalogue(session, now)  # table 37's data feeds: every school
    credit_items = credits.catalogue.load_defaults(session, now)  # the 认定标准 of quality credits: every school
    assessment.systems.load_defaults(session, now)  # table 40's indicator systems (and the 2018 extension)
    reports.catalogue.load_defaults(session, now)  # the yearly reports' types and headings: every school
    year = demo.load_year(session, now) if loaded and demo_year else None
    basic = standards.sync_standards(session, now)  # the shipped basic standards (table 10), as drafts
    if loaded:  # committees and the adopted standards; with the year, two revisions under way
        demo.load_standards(session, now, revisions=demo_year)
        if demo_year:  # 规定性诊断 of two courses (one fails), an assessment of a review being written
            demo.load_diagnosis(session, now)
    if loaded and demo_year:  # supervision records and surveys of the demo year (after the expert committee)
        demo.load_supervision(session, now)
        demo.load_services(session, now)  # service requests in every state (table 38)
        demo.load_warnings(session, now)  # table 39: a below-standard workload from sample values, providers
        demo.load_credits(session, now)  # quality credits: claims in every state, a graduating class, 减分
        demo.load_assessment(session, now)  # table 40: last year's campaign published, this year's being scored
    if loaded:  # records of the demo feeds, one way in each (pushed, uploaded, entered by hand)
        demo.load_feeds(session, now)
    if loaded and demo_year:  # the earlier years' surveys, feed records and warnings (the quality view's trends)
        demo.load_history(session, now)
    if loaded and demo_year:  # table 39's feeds over three years, a few below standard raising their warnings
        demo.load_management_feeds(session, now)
        # the school's reports (after the feeds: the data analysis report is prefilled from the collected data):
        # two published, two in contributions, the colleges' diagnosis reports drafted
        demo.load_reports(session, now)
    return {"templates": added, "demo": loaded, "versions": versions, "catalogue": catalogue, "demo_year": year,
            "standards": len(basic), "checklists": checklists, "feeds": feed_count,
            "credit_items": credit_items}  # fmt: skip


def install_database(
    url: str, now: datetime, settings: Settings, with_demo: bool = True, demo_year: bool = False
) -> None:
    """Migrate a database and install into it in one transaction (tests, benchmarks), with `settings` (the
    demo year's dates and periods are the configured school's)."""
    upgrade(url)
    eng = make_engine(url)
    with Session(eng, info=settings.session_info()) as session:
        install(session, now, with_demo, demo_year)
        session.commit()
    eng.dispose()
