"""PostgreSQL group roles for least privilege: operators change accounts, auditors read all but the ciphertext.

    smsgw_operator  reads and changes every table (accounts, identity stores, test history, key
                    fingerprints, and tables later versions add), but may only INSERT into (and read)
                    the audit trail, never UPDATE or DELETE it.
    smsgw_auditor   reads everything except the ciphertext columns (every column named *_enc,
                    column-level grants), and the view gateway_account_secret_state that says which
                    secrets are set.

Neither may change the schema: the database owner runs the migrations. Group roles cannot log in;
grant them to login roles (`GRANT smsgw_auditor TO alice`). Creating them is idempotent and safe when
several sessions do it at once (roles are cluster-wide; the grants are per database).
"""

from __future__ import annotations

import sqlalchemy as sa

from .errors import StorageError

OPERATOR, AUDITOR = "smsgw_operator", "smsgw_auditor"
APPEND_ONLY = ("audit_event",)
READ_ONLY = ("alembic_version",)  # and every view


def is_ciphertext(column: str) -> bool:
    """Encrypted columns are named *_enc throughout the schema (password_enc, options_enc, ...)."""
    return column.endswith("_enc")
GRANT_LOCK = 0x5_3_6D_73_47  # one session grants on a database at a time

_CREATE_ROLE = """
DO $$
BEGIN
    CREATE ROLE {role} NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another session created it first: roles are cluster-wide
END $$;
"""


def statements(conn: sa.Connection) -> list[str]:
    """The SQL that gives each role exactly its rights on this database (print it to review or run by hand)."""
    inspector = sa.inspect(conn)
    tables, views = inspector.get_table_names(schema="public"), inspector.get_view_names(schema="public")
    sql = [_CREATE_ROLE.format(role=r) for r in (OPERATOR, AUDITOR)]
    sql += [f"GRANT USAGE ON SCHEMA public TO {OPERATOR}, {AUDITOR}"]
    sql += [f'REVOKE ALL ON "{t}" FROM {OPERATOR}, {AUDITOR}' for t in (*tables, *views)]
    for table in tables:
        if table in APPEND_ONLY:
            sql.append(f'GRANT SELECT, INSERT ON "{table}" TO {OPERATOR}')
        elif table in READ_ONLY:
            sql.append(f'GRANT SELECT ON "{table}" TO {OPERATOR}')
        else:
            sql.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {OPERATOR}')
        columns = [c["name"] for c in inspector.get_columns(table, schema="public")]
        shown = [c for c in columns if not is_ciphertext(c)]
        if shown == columns:
            sql.append(f'GRANT SELECT ON "{table}" TO {AUDITOR}')
        else:
            listed = ", ".join(f'"{c}"' for c in shown)
            sql.append(f'GRANT SELECT ({listed}) ON "{table}" TO {AUDITOR}')
    sql += [f'GRANT SELECT ON "{v}" TO {OPERATOR}, {AUDITOR}' for v in views]
    sql += [f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {OPERATOR}"]
    return sql


def create_roles(engine: sa.Engine) -> None:
    """Create (or bring up to date) the smsgw_operator and smsgw_auditor roles and their grants here."""
    if engine.dialect.name != "postgresql":
        raise StorageError("Database roles exist on PostgreSQL only; a SQLite file is protected by its file permissions.")
    for attempt in range(3):
        try:
            with engine.begin() as conn:
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(GRANT_LOCK)))
                for statement in statements(conn):
                    conn.exec_driver_sql(statement)
            return
        except sa.exc.DBAPIError as exc:
            # "tuple concurrently updated": another database's session granted at the same moment
            if attempt == 2 or "concurrently" not in str(exc.orig):
                raise StorageError(f"Cannot create the roles: {type(exc.orig).__name__}: {exc.orig}") from exc
