"""The dashboard's counts kept up to date on every write, instead of grouped again at every read.

Grouping ten thousand policies by level, status, year and type took about 12 ms on SQLite
(most of the first dashboard request after every ingest), for some sixty groups. The groups
are now stored: ``policy_tally`` holds, for the CBEC policies (``is_cbec`` NULL or true), how
many there are of each (level, status, year, type code, the paper's type, start known, end
known), and ``policy_theme_tally`` how many dated ones carry each theme by (level, year).
What depends on the day asked about (in force or not) is not stored: it is read from the few
policies whose dates exclude that day (see :mod:`cbec_policy.store.tallies`).

Who keeps them: triggers on ``policies`` and ``policy_themes`` on both backends, so every
writer is counted (the store, a chunk of an ingest, a script's plain SQL). A trigger does not
touch the stored counts themselves: it appends +1 or -1 to a change table
(``policy_tally_change``, ``policy_theme_tally_change``), and a reader sums the counts and the
changes together. On PostgreSQL that matters: concurrent writers then only append rows and
never wait for (or deadlock on) each other's count rows. The store's write transactions fold
the changes into the counts at their end, after moving the change counter (whose row lock
already makes writers commit one at a time), so the change tables stay a few rows long.

A theme is counted once per policy even when a policy lists it twice, as the grouped count did
(``count(DISTINCT policy_id)``): the themes' triggers run before each row is written and look
at the rows already there (both backends then see the rows written before by the same
statement). A policy's own triggers run before its deletion, while its themes still exist; the
themes deleted with it afterwards find no policy and change nothing.

A database made before these tables gets them filled from its rows once, when it is opened.
"""

from __future__ import annotations

from sqlalchemy import Connection

# The stored key of a count, in the order of the table's primary key. An unknown year is 0,
# an unknown type code or paper's type '' (a primary key cannot hold NULL); start and end
# known are 0 or 1.
TALLY_KEYS = ("level", "status", "year", "policy_type", "paper_type", "start_known", "end_known")
THEME_TALLY_KEYS = ("level", "year", "theme")

_KEYS = ", ".join(TALLY_KEYS)
_THEME_KEYS = ", ".join(THEME_TALLY_KEYS)

# Columns whose change moves a policy from one count to another.
_COUNTED_COLUMNS = ("id", "level", "status", "is_cbec", "publish_date", "effective_date", "end_date", "policy_type",
                    "paper_type")  # fmt: skip


def _year(dialect: str, row: str) -> str:
    if dialect == "sqlite":  # dates are stored as ISO text
        return f"coalesce(cast(substr({row}.publish_date, 1, 4) AS INTEGER), 0)"
    return f"coalesce(extract(year FROM {row}.publish_date)::int, 0)"


def _known(dialect: str, value: str) -> str:
    return f"({value} IS NOT NULL)" if dialect == "sqlite" else f"({value} IS NOT NULL)::int"


def _counted(dialect: str, row: str) -> str:
    """The statistics' test: a policy is counted unless judged not CBEC."""
    if dialect == "sqlite":
        return f"({row}.is_cbec IS NULL OR {row}.is_cbec <> 0)"
    return f"({row}.is_cbec IS NOT FALSE)"


def _key(dialect: str, row: str) -> str:
    """The count a policy row falls in, as the values of :data:`TALLY_KEYS`."""
    start = f"coalesce({row}.effective_date, {row}.publish_date)"
    return (
        f"{row}.level, {row}.status, {_year(dialect, row)}, coalesce({row}.policy_type, ''), "
        f"coalesce({row}.paper_type, ''), {_known(dialect, start)}, {_known(dialect, f'{row}.end_date')}"
    )


def _policy_change(dialect: str, row: str, sign: int) -> str:
    """Count the policy ``row`` in (+1) or out of (-1) its group, when it is counted at all."""
    return (
        f"INSERT INTO policy_tally_change ({_KEYS}, n) SELECT {_key(dialect, row)}, {sign} "
        f"WHERE {_counted(dialect, row)}"
    )


def _policy_themes_change(dialect: str, row: str, sign: int) -> str:
    """Count each theme the policy ``row`` holds (once) in or out, when the policy is counted and dated."""
    return (
        f"INSERT INTO policy_theme_tally_change ({_THEME_KEYS}, n) "
        f"SELECT {row}.level, {_year(dialect, row)}, t.theme, {sign} FROM policy_themes t "
        f"WHERE t.policy_id = {row}.id AND {_counted(dialect, row)} AND {row}.publish_date IS NOT NULL "
        "GROUP BY t.theme"
    )


def _theme_row_change(dialect: str, row: str, sign: int, *, other_rows_only: bool) -> str:
    """Count the theme row ``row`` in or out of its policy's count, unless the policy already holds the theme.

    Run before the row is written: for an insertion every stored row is another one; for a
    deletion the row itself is still there and is left out (``other_rows_only``).
    """
    others = f" AND t.position <> {row}.position" if other_rows_only else ""
    return (
        f"INSERT INTO policy_theme_tally_change ({_THEME_KEYS}, n) "
        f"SELECT p.level, {_year(dialect, 'p')}, {row}.theme, {sign} FROM policies p "
        f"WHERE p.id = {row}.policy_id AND {_counted(dialect, 'p')} AND p.publish_date IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM policy_themes t WHERE t.policy_id = {row}.policy_id "
        f"AND t.theme = {row}.theme{others})"
    )


def _bodies(dialect: str) -> dict[str, tuple[str, str, str | None, list[str]]]:
    """Each trigger: (when, table, row condition or None, statements), the same on both backends."""
    old, new = ("old", "new") if dialect == "sqlite" else ("OLD", "NEW")
    if dialect == "sqlite":
        moved = " OR ".join(f"{old}.{c} IS NOT {new}.{c}" for c in _COUNTED_COLUMNS)
        theme_moved = f"{old}.policy_id IS NOT {new}.policy_id OR {old}.theme IS NOT {new}.theme"
    else:
        columns = ", ".join
        moved = (f"({columns(f'{old}.{c}' for c in _COUNTED_COLUMNS)}) IS DISTINCT FROM "
                 f"({columns(f'{new}.{c}' for c in _COUNTED_COLUMNS)})")  # fmt: skip
        theme_moved = f"({old}.policy_id, {old}.theme) IS DISTINCT FROM ({new}.policy_id, {new}.theme)"
    return {
        # A new policy has no themes yet: they are inserted after it, and counted by their trigger.
        "policy_tally_insert": ("AFTER INSERT", "policies", None, [_policy_change(dialect, new, 1)]),
        "policy_tally_update": (
            "AFTER UPDATE",
            "policies",
            moved,
            [
                _policy_change(dialect, old, -1),
                _policy_change(dialect, new, 1),
                _policy_themes_change(dialect, old, -1),
                _policy_themes_change(dialect, new, 1),
            ],
        ),
        "policy_tally_delete": (
            "BEFORE DELETE",
            "policies",
            None,
            [
                _policy_change(dialect, old, -1),
                _policy_themes_change(dialect, old, -1),
            ],
        ),
        "policy_theme_tally_insert": (
            "BEFORE INSERT",
            "policy_themes",
            None,
            [
                _theme_row_change(dialect, new, 1, other_rows_only=False),
            ],
        ),
        "policy_theme_tally_delete": (
            "BEFORE DELETE",
            "policy_themes",
            None,
            [
                _theme_row_change(dialect, old, -1, other_rows_only=True),
            ],
        ),
        "policy_theme_tally_update": (
            "BEFORE UPDATE",
            "policy_themes",
            theme_moved,
            [
                _theme_row_change(dialect, old, -1, other_rows_only=True),
                _theme_row_change(dialect, new, 1, other_rows_only=False),
            ],
        ),
    }


def _tables() -> list[str]:
    tally = ("level VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, year INTEGER NOT NULL, "
             "policy_type VARCHAR(64) NOT NULL, paper_type VARCHAR(64) NOT NULL, start_known INTEGER NOT NULL, "
             "end_known INTEGER NOT NULL, n BIGINT NOT NULL")  # fmt: skip
    themes = "level VARCHAR(32) NOT NULL, year INTEGER NOT NULL, theme VARCHAR(64) NOT NULL, n BIGINT NOT NULL"
    return [
        f"CREATE TABLE policy_tally ({tally}, PRIMARY KEY ({_KEYS}))",
        f"CREATE TABLE policy_tally_change ({tally})",
        f"CREATE TABLE policy_theme_tally ({themes}, PRIMARY KEY ({_THEME_KEYS}))",
        f"CREATE TABLE policy_theme_tally_change ({themes})",
    ]


def _fill(dialect: str) -> list[str]:
    """The counts of the rows already stored, for a database made before the tallies."""
    return [
        f"INSERT INTO policy_tally ({_KEYS}, n) SELECT {_key(dialect, 'p')}, count(*) FROM policies p "
        f"WHERE {_counted(dialect, 'p')} GROUP BY 1, 2, 3, 4, 5, 6, 7",
        f"INSERT INTO policy_theme_tally ({_THEME_KEYS}, n) "
        f"SELECT p.level, {_year(dialect, 'p')}, t.theme, count(DISTINCT p.id) "
        f"FROM policies p JOIN policy_themes t ON t.policy_id = p.id "
        f"WHERE {_counted(dialect, 'p')} AND p.publish_date IS NOT NULL GROUP BY 1, 2, 3",
    ]


def _triggers(dialect: str) -> list[str]:
    statements = []
    for name, (when, table, condition, body) in _bodies(dialect).items():
        if dialect == "sqlite":
            only = f" WHEN {condition}" if condition else ""
            statements.append(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{only} BEGIN {'; '.join(body)}; END"
            )
            continue
        # A BEFORE trigger's function hands the row back, or the write would be skipped.
        returned = "NULL" if when.startswith("AFTER") else ("OLD" if "DELETE" in when else "NEW")
        # The tables are found where the function was made, whatever the writer's search path.
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT "
            f"AS $$ BEGIN {'; '.join(body)}; RETURN {returned}; END $$"
        )
        only = f" WHEN ({condition})" if condition else ""
        statements.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{only} EXECUTE FUNCTION {name}()")
    return statements


def ensure_tallies(conn: Connection) -> None:
    """Create the kept counts, their change tables and triggers if missing, filled from the stored rows.

    Everything is made in the caller's transaction (the schema's), so no write falls between
    the fill and the first trigger.
    """
    exists = (
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'policy_tally'"
        if conn.dialect.name == "sqlite"
        else "SELECT to_regclass('policy_tally') IS NOT NULL"
    )
    if conn.exec_driver_sql(exists).scalar():
        return
    for statement in _tables() + _fill(conn.dialect.name) + _triggers(conn.dialect.name):
        conn.exec_driver_sql(statement)


def _fold(dialect: str, counts: str, changes: str, keys: str) -> list[str]:
    """Add the changes of ``changes`` into ``counts`` and empty it, in one consistent step."""
    upsert = f"ON CONFLICT ({keys}) DO UPDATE SET n = {counts}.n + excluded.n"
    if dialect == "sqlite":  # one writer at a time: the two statements see the same rows
        return [
            f"INSERT INTO {counts} ({keys}, n) SELECT {keys}, sum(n) FROM {changes} WHERE true "
            f"GROUP BY {keys} {upsert}",
            f"DELETE FROM {changes}",
            f"DELETE FROM {counts} WHERE n = 0",
        ]
    # Deleting and adding in one statement: changes committed by another writer in between are
    # neither lost nor added twice.
    return [
        f"WITH moved AS (DELETE FROM {changes} RETURNING {keys}, n) "
        f"INSERT INTO {counts} ({keys}, n) SELECT {keys}, sum(n) FROM moved GROUP BY {keys} {upsert}",
        f"DELETE FROM {counts} WHERE n = 0",
    ]


_FOLDS = {
    dialect: _fold(dialect, "policy_tally", "policy_tally_change", _KEYS)
    + _fold(dialect, "policy_theme_tally", "policy_theme_tally_change", _THEME_KEYS)
    for dialect in ("sqlite", "postgresql")
}


def fold_tally_changes(conn: Connection) -> None:
    """Fold the counted changes into the kept counts, inside the caller's write transaction.

    Called by the store's writers after they moved the change counter: on PostgreSQL that row's
    lock makes folds run one at a time, so two of them never wait on each other's count rows.
    """
    for statement in _FOLDS[conn.dialect.name]:
        conn.exec_driver_sql(statement)


# Reading: the kept counts and the changes not yet folded, summed (see the module docstring).
TALLY_READ_SQL = (
    f"SELECT {_KEYS}, sum(n) FROM (SELECT {_KEYS}, n FROM policy_tally UNION ALL "
    f"SELECT {_KEYS}, n FROM policy_tally_change) kept GROUP BY {_KEYS} HAVING sum(n) <> 0"
)
THEME_TALLY_READ_SQL = (
    f"SELECT year, theme, sum(n) FROM (SELECT {_THEME_KEYS}, n FROM policy_theme_tally UNION ALL "
    f"SELECT {_THEME_KEYS}, n FROM policy_theme_tally_change) kept WHERE level = :national AND year <> 0 "
    "GROUP BY year, theme HAVING sum(n) <> 0"
)
# The dated policies of one level (the timeline's total): every kept count whose year is known.
DATED_TOTAL_SQL = (
    "SELECT coalesce(sum(n), 0) FROM (SELECT level, year, n FROM policy_tally UNION ALL "
    "SELECT level, year, n FROM policy_tally_change) kept WHERE level = :level AND year <> 0"
)
