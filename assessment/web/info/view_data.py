"""What the help, contact, privacy and accessibility pages show.

The privacy notice is built from `STORED_DATA`: one entry per database table, saying
what is kept, who sees it and how long. A test compares it with the tables of
`assessment.store.models`, so a new table cannot land without its line in the notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.instrument_problems import InstrumentError

UNTIL_DELETED = "until removed by the operator"
"""How long a record is kept where the product itself deletes nothing."""


@dataclass(frozen=True)
class StoredData:
    """One table of the database, as the privacy notice describes it."""

    table: str
    title: str
    what: str
    who_sees: str
    kept: str  # may name {years}, the RETENTION_YEARS setting

    def kept_for(self, years: int) -> str:
        """How long it is kept, with the configured retention period filled in."""
        return self.kept.format(years=years)


_ASSESSMENT_DATA = (
    "the retention period ({years} years after the round), then deleted by the operator"
)

STORED_DATA: tuple[StoredData, ...] = (
    StoredData(
        "agency",
        "Agencies",
        "Each agency's name, country, type, workforce band, policing model and profile"
        " answers (for example staff numbers), and when it was added.",
        "The agency's own leads; consultants and administrators for every agency. Other "
        "agencies never see it: peer benchmarks name no agency.",
        UNTIL_DELETED,
    ),
    StoredData(
        "user_account",
        "User accounts",
        "Each user's e-mail address, role, agency, a salted hash of the password (never "
        "the password itself), whether the account is active, when it was created and "
        "when it last signed in.",
        "Administrators (the Users page). The address of whoever answered or submitted "
        "is shown with the answers: to the agency's own leads, and to consultants and "
        "administrators for every agency.",
        "while the account exists; a disabled account is kept (it stays named in the "
        "audit trail) " + UNTIL_DELETED,
    ),
    StoredData(
        "one_time_token",
        "Invitation and password-reset links",
        "Invitation and password-reset links: a hash of the link, the e-mail address "
        "and role it is for, who created it, when it expires and when it was used.",
        "Administrators, who create them; the link itself only its recipient.",
        "the link stops working when it expires or is used; the record is kept " + UNTIL_DELETED,
    ),
    StoredData(
        "api_token",
        "API tokens",
        "Tokens for the read-only JSON API: a hash of the token, its name, its owner, "
        "when it was created, last used and revoked.",
        "Its owner; the API answers it with what its owner may read.",
        "revoked tokens stop working at once; the record is kept " + UNTIL_DELETED,
    ),
    StoredData(
        "assessment_round",
        "Rounds",
        "Each round's name, dates, questionnaire version and any early opening or "
        "closing by an administrator.",
        "Everyone signed in sees the rounds that concern them.",
        UNTIL_DELETED,
    ),
    StoredData(
        "assessment",
        "Assessments",
        "One agency's assessment in one round: the profile answers given for that round "
        "(for example staff numbers), its status (draft or submitted), when it was "
        "started, last changed and submitted, and who submitted it.",
        "The agency's own leads; consultants and administrators for every agency.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "answer",
        "Answers and evidence comments",
        "Each answer: the option chosen or 'not applicable', the evidence comment "
        "typed with it, who answered and when, and whether it was carried over from an "
        "earlier round.",
        "The agency's own leads; consultants and administrators for every agency "
        "(pages, PDF reports and exports). Evidence comments are never shown to other "
        "agencies.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "result",
        "Results",
        "The scores and levels computed when an assessment is submitted: overall, per "
        "dimension and per theme.",
        "The agency's own leads; consultants and administrators for every agency. Other "
        "agencies see only anonymised figures (medians and spreads) of peer groups of "
        "at least K agencies, never an agency's own figures.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "carried_result",
        "Carried-over results",
        "An earlier round's overall score computed on its answers carried over to a later "
        "questionnaire, the share of that questionnaire they had an equivalent for, and a "
        "digest of what it was computed from: the agency list's change since that round.",
        "The agency's own leads (their change since that round, through the API); "
        "consultants and administrators for every agency. Never shown to other agencies.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "report_note",
        "Report commentary",
        "A consultant's commentary on an agency's report, overall or per dimension, "
        "with its author and when it was last changed.",
        "Consultants and administrators; the agency's leads read it once the report is "
        "issued as final, never the draft.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "final_report",
        "Final reports",
        "Agency reports marked final: the PDF as issued, its checksum, who issued it and when.",
        "Consultants and administrators; the agency's leads download their own.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "report_job",
        "Report jobs",
        "Reports asked for together (one agency's report, or all reports of a round or "
        "peer group): the round, the peer group, who started them and when, and a digest "
        "of their content.",
        "Consultants and administrators (a round's jobs); the progress of one's own "
        "download to the person waiting for it.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "report_job_item",
        "Prepared reports",
        "Each report of a job while and after it is prepared: the agency, its state, the "
        "worker that rendered it, the laid-out report and its PDF, or why it failed.",
        "Consultants and administrators; an agency's leads download their own report.",
        _ASSESSMENT_DATA,
    ),
    StoredData(
        "audit_event",
        "Audit trail",
        "Who did what and when: sign-ins, failed sign-ins and password-reset requests "
        "with the e-mail address typed, saves, submissions, reopenings with their reason, "
        "rounds opened or closed, invitations, password resets, API tokens, reports "
        "generated and issued.",
        "Administrators; an agency's leads see the reason their assessment was reopened.",
        UNTIL_DELETED,
    ),
    StoredData(
        "rate_limit_counter",
        "Sign-in attempt counts",
        "Counts of recent sign-in attempts and password-reset requests, under a hash "
        "of the address and account they came from (no address or account in plain text).",
        "No one through the product; it only slows down password guessing and floods of "
        "reset e-mails.",
        "one minute (sign-in) or one hour (reset requests); expired counts are deleted "
        "automatically",
    ),
    StoredData(
        "mail_outbox",
        "E-mail sent",
        "Every e-mail the product sends: the recipient's address, subject and text "
        "(invitation and reset links included), when it was queued and sent, and the "
        "mail server's last error.",
        "No one through the product; the operator who runs the server.",
        UNTIL_DELETED,
    ),
)


@dataclass(frozen=True)
class LevelLine:
    """One maturity level as the help page explains it."""

    number: int
    name: str
    description: str


@dataclass(frozen=True)
class ScaleView:
    """The maturity levels of one questionnaire."""

    title: str
    version: str
    levels: tuple[LevelLine, ...]


def maturity_scales(catalog: InstrumentCatalog) -> tuple[ScaleView, ...] | None:
    """The levels of the newest version of each questionnaire, or None if one is broken."""
    try:
        instruments = catalog.all()
    except InstrumentError:
        return None
    newest = {instrument.id: instrument for instrument in instruments}  # sorted by version
    return tuple(
        ScaleView(
            str(instrument.title),
            instrument.version,
            tuple(
                LevelLine(level.number, str(level.name), str(level.description))
                for level in instrument.levels
            ),
        )
        for instrument in newest.values()
    )
