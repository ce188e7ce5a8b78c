"""PostgreSQL group roles for least privilege: operators change accounts, auditors read all but the ciphertext.

    smsgw_operator  reads and changes accounts, identity stores, test history and key fingerprints;
                    may only INSERT into (and read) the audit trail, never UPDATE or DELETE it.
    smsgw_auditor   reads everything except the ciphertext columns (column-level grants), and the
                    view gateway_account_secret_state that says which secrets are set.

Neither may change the schema: the database owner runs the migrations. Group roles cannot log in;
grant them to login roles (`GRANT smsgw_auditor TO alice`). Creating them is idempotent and safe when
several sessions do it at once (roles are cluster-wide; the grants are per database).
"""

from __future__ import annotations

import sqlalchemy as sa

from .errors import StorageError

OPERATOR, AUDITOR = "smsgw_operator", "smsgw_auditor"
CIPHERTEXT = {"gateway_account": ("password_enc", "proxy_password_enc", "options_enc")}
OPERATOR_WRITES = ("gateway_account", "identity_store", "connection_test_run", "secret_key")
APPEND_ONLY = ("audit_event",)
READ_ONLY = ("alembic_version", "gateway_account_secret_state")
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
    columns = {t: [c["name"] for c in sa.inspect(conn).get_columns(t)] for t in CIPHERTEXT}
    sql = [_CREATE_ROLE.format(role=r) for r in (OPERATOR, AUDITOR)]
    sql += [f"GRANT USAGE ON SCHEMA public TO {OPERATOR}, {AUDITOR}"]
    everything = (*OPERATOR_WRITES, *APPEND_ONLY, *READ_ONLY)
    sql += [f"REVOKE ALL ON {t} FROM {OPERATOR}, {AUDITOR}" for t in everything]
    sql += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {OPERATOR}" for t in OPERATOR_WRITES]
    sql += [f"GRANT SELECT, INSERT ON {t} TO {OPERATOR}" for t in APPEND_ONLY]
    sql += [f"GRANT SELECT ON {t} TO {OPERATOR}, {AUDITOR}" for t in READ_ONLY]
    sql += [f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {OPERATOR}"]
    for table in (*OPERATOR_WRITES, *APPEND_ONLY):
        if table in CIPHERTEXT:
            shown = ", ".join(c for c in columns[table] if c not in CIPHERTEXT[table])
            sql.append(f"GRANT SELECT ({shown}) ON {table} TO {AUDITOR}")
        else:
            sql.append(f"GRANT SELECT ON {table} TO {AUDITOR}")
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
