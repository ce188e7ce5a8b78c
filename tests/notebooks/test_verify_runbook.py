"""The verify_secrets runbook: passes on an intact demo, stops on a tampered trail, and audits without a key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from nbval_run import outputs_text
from papermill import PapermillExecutionError


def _sql(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_verify_secrets_on_an_intact_demo(demo):
    nb = demo.run_runbook("verify_secrets")
    text = outputs_text(nb)
    assert "All 4 stored secret(s) decrypt" in text and "audit trail is intact" in text


def test_verify_secrets_stops_on_an_edited_audit_event(demo):
    _sql(demo.url, "UPDATE audit_event SET actor = 'nobody' WHERE id = 3")
    with pytest.raises(PapermillExecutionError, match=r"event #3 .*altered"):
        demo.run_runbook("verify_secrets")


def test_the_audit_check_needs_no_key(demo):
    demo.key_file.unlink()
    nb = demo.run_runbook("verify_secrets", decrypt_all=False)
    assert "audit trail is intact" in outputs_text(nb)
    assert not demo.key_file.exists()  # and made none
