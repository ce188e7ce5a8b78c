"""The `smsgw` command: the notebooks' GatewayAdmin for shells, cron and CI (thin: every rule is the service's)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import SmsgwError

if TYPE_CHECKING:
    from .service import GatewayAdmin

EPILOG = """\b
Examples:
  smsgw accounts --csv > accounts.csv
  smsgw test --all --phone 447079692712         # exit code 1 if any account fails
  smsgw export > gateways.yaml                  # secrets written as env: references
  smsgw plan gateways.yaml                      # what would change; nothing is written
  smsgw apply gateways.yaml --yes               # all of it in one transaction, or nothing
  smsgw --database-url postgresql://smsgw@db/smsgw verify

\b
The database is --database-url, else SMSGW_KIT_DATABASE_URL, else the embedded SQLite file; keys
come from SMSGW_KIT_SECRET_KEYS, else SMSGW_KIT_KEY_FILE (or --key-file), as in the notebooks.
Shell completion (bash): eval "$(_SMSGW_COMPLETE=bash_source smsgw)"  (zsh: zsh_source, fish: fish_source)
"""


class Group(click.Group):
    """Errors of smsgw_kit end the command with one line on stderr and exit code 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SmsgwError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


class Settings:
    """The connection settings of one run; the admin is opened on first use."""

    def __init__(self, database_url: str | None, key_file: Path | None, actor: str | None):
        self.database_url, self.key_file, self.actor = database_url, key_file, actor
        self._admin: GatewayAdmin | None = None

    @property
    def admin(self):
        if self._admin is None:
            from .secrets import Keyring
            from .service import GatewayAdmin

            keyring = Keyring.load(path=self.key_file) if self.key_file else Keyring.load()
            self._admin = GatewayAdmin(self.database_url, keyring=keyring, actor=self.actor)
        return self._admin

    def close(self) -> None:
        if self._admin is not None:
            self._admin.db.dispose()


pass_settings = click.make_pass_decorator(Settings)


def _account_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Shell completion of account names (quietly nothing when the database cannot be read)."""
    from click.shell_completion import CompletionItem

    try:
        root = ctx.find_root().params
        settings = Settings(root.get("database_url"), root.get("key_file"), None)
        names = [a.name for a in settings.admin.list_accounts()]
    except Exception:  # noqa: BLE001 - completion must never print errors into the shell
        return []
    return [CompletionItem(n) for n in names if n.lower().startswith(incomplete.lower())]


@click.group(cls=Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--database-url", envvar="SMSGW_KIT_DATABASE_URL", metavar="URL",
              help="SQLAlchemy URL [env SMSGW_KIT_DATABASE_URL; default: the embedded SQLite file].")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), envvar="SMSGW_KIT_KEY_FILE",
              help="File of encryption keys [env SMSGW_KIT_KEY_FILE]; SMSGW_KIT_SECRET_KEYS wins when set.")
@click.option("--actor", metavar="NAME", help="Who the audit trail names [default: JupyterHub or OS user].")
@click.version_option(package_name="smsgw_kit", prog_name="smsgw")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, key_file: Path | None, actor: str | None) -> None:
    """Manage SMS gateway accounts from the shell: list, test, export, plan, apply, rotate keys, verify."""
    if key_file and os.environ.get("SMSGW_KIT_SECRET_KEYS"):
        key_file = None  # as in the notebooks: keys from the environment win over a key file
    ctx.obj = Settings(database_url, key_file, actor)
    ctx.call_on_close(ctx.obj.close)


# -- Listing ----------------------------------------------------------------------------------------------

ACCOUNT_COLUMNS = ["name", "gateway_type", "user_name", "password", "proxy_host_name", "proxy_port",
                   "is_default", "linked_stores", "last_test_outcome", "last_test_at"]
STORE_COLUMNS = ["identity_store", "store_type", "gateway_account", "link_source", "sms_text"]


def _output(frame, columns: list[str], as_json: bool, as_csv: bool) -> None:
    if as_json:
        click.echo(frame.to_json(orient="records", date_format="iso", indent=2))
    elif as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
    elif frame.empty:
        click.echo("(none)")
    else:
        shown = frame[columns].astype(object)
        click.echo(shown.where(shown.notna(), "").to_string(index=False))


def _format_options(fn):
    fn = click.option("--csv", "as_csv", is_flag=True, help="Every column as CSV.")(fn)
    return click.option("--json", "as_json", is_flag=True, help="Every column as JSON records.")(fn)


@cli.command(short_help="List the accounts.")
@_format_options
@pass_settings
def accounts(settings: Settings, as_json: bool, as_csv: bool) -> None:
    """The SMS gateway accounts (secrets shown only as set / not set)."""
    _output(settings.admin.accounts_frame(), ACCOUNT_COLUMNS, as_json, as_csv)


@cli.command(short_help="List the identity stores and their links.")
@_format_options
@pass_settings
def stores(settings: Settings, as_json: bool, as_csv: bool) -> None:
    """The identity stores and the account each is linked to."""
    _output(settings.admin.store_links_frame(), STORE_COLUMNS, as_json, as_csv)


# -- Test Connection ----------------------------------------------------------------------------------------


@cli.command(short_help="Test Connection; exit 1 if any fails.")
@click.argument("names", nargs=-1, shell_complete=_account_names)
@click.option("--all", "all_", is_flag=True, help="Test every account.")
@click.option("--phone", metavar="NUMBER", help="Also send a test message to NUMBER (international, e.g. 447079692712).")
@click.option("--concurrency", default=16, show_default=True, help="Accounts tested at once.")
@pass_settings
def test(settings: Settings, names: tuple[str, ...], all_: bool, phone: str | None, concurrency: int) -> None:
    """Run Test Connection on the NAMEd accounts (or --all); exit code 1 if any fails."""
    if bool(names) == all_:
        raise click.UsageError("Name the accounts to test, or give --all (not both).")
    admin = settings.admin
    which = None if all_ else [admin.get_account(n).name for n in names]  # unknown names fail before any test
    total = len(admin.list_accounts()) if which is None else len(which)
    if not total:  # a scheduler pointed at the wrong (or a new, empty) database must not read this as a pass
        click.echo(f"Error: {admin.db.engine.url!r} holds no SMS gateway account: nothing was tested. Check "
                   "--database-url (or SMSGW_KIT_DATABASE_URL).", err=True)
        sys.exit(1)
    with click.progressbar(length=total, label="Testing", file=sys.stderr) as bar:
        reports = admin.test_accounts(which, phone, concurrency=concurrency, on_progress=lambda *_: bar.update(1))
    failed = {n: r for n, r in reports.items() if r.outcome == "failed"}
    for name, report in sorted(reports.items()):
        mark = "FAILED" if name in failed else report.outcome.upper()
        click.echo(f"{mark:8} {name} ({report.gateway_type}): {report.summary}")
    click.echo(f"{len(reports) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


# -- Configuration as code --------------------------------------------------------------------------------


@cli.command(short_help="Write the configuration as YAML or JSON.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--secrets", type=click.Choice(["env", "omit"]), default="env", show_default=True,
              help="env: each secret as an env:NAME reference; omit: leave secrets out (keep what is stored).")
@click.option("--env-prefix", default="SMSGW_", show_default=True, help="Prefix of the env: reference names.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
@pass_settings
def export(settings: Settings, fmt: str, secrets: str, env_prefix: str, output: Path | None) -> None:
    """Write accounts, identity stores, links and the default as a document (no secret in clear)."""
    from . import config

    doc = settings.admin.export_config(secrets=secrets, env_prefix=env_prefix)
    text = config.to_yaml(doc) if fmt == "yaml" else config.to_json(doc)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(doc['accounts'])} account(s) and {len(doc['identity_stores'])} identity store(s) to {output}.", err=True)
    else:
        click.echo(text, nl=False)


def _plan(settings: Settings, file: Path):
    return settings.admin.plan(str(file) if file.suffix.lower() in (".yaml", ".yml", ".json") else file.read_text())


@cli.command(short_help="Show what applying FILE would change.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exit-code", is_flag=True, help="Exit with code 2 when there are changes (for CI), 0 when none.")
@pass_settings
def plan(settings: Settings, file: Path, exit_code: bool) -> None:
    """Show what applying FILE (YAML or JSON) would change; nothing is written."""
    result = _plan(settings, file)
    click.echo(result.to_text())
    if exit_code and not result.empty:
        sys.exit(2)


@cli.command(short_help="Apply FILE in one transaction.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (needed when stdin is not a terminal).")
@pass_settings
def apply(settings: Settings, file: Path, yes: bool) -> None:
    """Apply FILE: show the plan, ask, then make every change in one transaction (or none)."""
    result = _plan(settings, file)
    click.echo(result.to_text())
    if result.empty:
        return
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("Not a terminal: review the plan above, then run again with --yes.")
        click.confirm("Apply these changes?", abort=True)
    counts = settings.admin.apply(result)
    click.echo(f"Applied {sum(counts.values())} change(s).")


# -- Keys and checks ---------------------------------------------------------------------------------------------


@cli.command("rotate-key", short_help="Re-encrypt every secret under a new key.")
@click.option("--new-key-env", metavar="VAR", help="Take the new key from this environment variable (default: generate one).")
@click.option("--keep-old-keys", is_flag=True, help="Keep the old keys for decrypting (default: retire them).")
@pass_settings
def rotate_key(settings: Settings, new_key_env: str | None, keep_old_keys: bool) -> None:
    """Re-encrypt every stored secret under a new key (the key file keeps the old ones until the end)."""
    new_key = None
    if new_key_env:
        new_key = os.environ.get(new_key_env)
        if not new_key:
            raise click.UsageError(f"The environment variable {new_key_env} is not set.")
    count = settings.admin.rotate_encryption_key(new_key=new_key, retire_old_keys=not keep_old_keys)
    click.echo(f"Re-encrypted {count} secret(s) under the new key ({settings.admin.keyring.source}).")


@cli.command(short_help="Check secrets decrypt (and the audit trail).")
@pass_settings
def verify(settings: Settings) -> None:
    """Check that every stored secret decrypts with the keys (and the audit trail is intact, where kept)."""
    admin = settings.admin
    count = admin.verify_secrets()
    click.echo(f"Secrets: {count} decrypt with the available keys.")
    check_audit = getattr(admin, "verify_audit", None)  # the tamper-evident audit trail, where it exists
    if check_audit is not None:
        result = check_audit()
        click.echo(f"Audit trail: intact{f' ({result})' if result not in (None, True) else ''}.")


def main(argv: list[str] | None = None) -> None:
    """The console script `smsgw` (and `python3 -m smsgw_kit`)."""
    cli.main(args=argv, prog_name="smsgw")
