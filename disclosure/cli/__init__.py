"""`flask --app disclosure <noun> <verb>` — the same services the web pages call."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..extensions import db

agencies_cli = AppGroup("agencies", help="受理机关")
users_cli = AppGroup("users", help="工作人员账户")


def _fail(errors: dict) -> None:
    for key, msg in errors.items():
        click.echo(f"{key}: {msg}", err=True)
    sys.exit(1)


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema to the latest migration (idempotent)."""
    from flask_migrate import upgrade
    upgrade()
    click.echo(f"数据库已就绪：{db.engine.url.render_as_string(hide_password=True)}")


@agencies_cli.command("add")
@click.argument("code")
@click.argument("name")
def agencies_add(code: str, name: str) -> None:
    from ..domain.errors import ValidationFailed
    from ..services.users import create_agency
    try:
        agency = create_agency(code, name)
    except ValidationFailed as exc:
        _fail(exc.errors)
    click.echo(f"已创建机关 {agency.code} {agency.name}")


@users_cli.command("create")
@click.argument("username")
@click.option("--agency", "agency_code", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
@click.option("--name", "display_name", default=None)
def users_create(username, agency_code, roles, password_stdin, display_name) -> None:
    from ..domain.errors import ValidationFailed
    from ..services.users import create_user
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username, password, agency_code, list(roles), display_name)
    except ValidationFailed as exc:
        _fail(exc.errors)
    click.echo(f"已创建用户 {user.username}（{', '.join(sorted(user.roles))}）")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
def users_set_password(username, password_stdin) -> None:
    """重设密码（与创建时相同的密码要求；该用户在各处的登录随即失效）。"""
    from sqlalchemy import select

    from ..domain.errors import ValidationFailed
    from ..models import User
    from ..services.actors import SYSTEM_ACTOR
    from ..services.users import set_password
    user = db.session.execute(select(User).where(User.username == username.strip())).scalar()
    if user is None:
        _fail({"username": "用户不存在"})
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt=True)
    try:
        set_password(user, password, SYSTEM_ACTOR)
    except ValidationFailed as exc:
        _fail(exc.errors)
    click.echo(f"已重设用户 {user.username} 的密码")


@click.command("demo")
def demo_cmd() -> None:
    """Demo agency BCZ, one user per role and about 40 cases over 2025–2026."""
    from ..demo import load_demo
    for line in load_demo():
        click.echo(line)


sweep_cli = AppGroup("sweep", help="期限巡检")
scheduler_cli = AppGroup("scheduler", help="定时任务进程")
outbox_cli = AppGroup("outbox", help="通知发送")


@sweep_cli.command("run")
@click.option("--today", "today_str", default=None, help="按指定日期巡检（YYYY-MM-DD）")
def sweep_run(today_str: str | None) -> None:
    """Run the deadline sweep once (the scheduler job calls the same service)."""
    from datetime import date

    from ..services import sweep
    from ..timeutil import today
    try:
        day = date.fromisoformat(today_str) if today_str else today()
    except ValueError:
        _fail({"--today": "日期格式应为 YYYY-MM-DD"})
    for line in sweep.run(day).lines():
        click.echo(line)


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the scheduler in the foreground (its own process; Ctrl-C stops it)."""
    import logging
    import time

    from flask import current_app

    from ..extensions import db
    from ..scheduler import build
    from ..scheduler.lock import SchedulerLock
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()
    lock = SchedulerLock(db.engine, app.instance_path)
    try:
        while not lock.acquire():  # another scheduler runs: idle, take over if it stops
            click.echo("another scheduler holds the lock; idling (retry in 60 s)")
            time.sleep(60)
        sched = build(app)
        click.echo("scheduler started: " + ", ".join(j.id for j in sched.get_jobs()))
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send waiting notifications now (needs DISCLOSURE_MAIL_SERVER)."""
    from ..services import outbox
    click.echo(outbox.send_pending())


@click.command("check")
@click.option("--head", "noted", default=None, metavar="SEQ:HASH",
              help="a chain head noted at an earlier inspection: verify it is still in the chain")
def check_cmd(noted: str | None) -> None:
    """Verify the invariants (review gate, conclusions, history); exit 1 listing violations."""
    from ..services import integrity
    problems = integrity.run()
    seq, digest = integrity.chain_head()
    if noted:
        try:
            n_seq, n_hash = noted.split(":", 1)
            ok = integrity.head_still_there(int(n_seq), n_hash.strip())
        except ValueError:
            raise click.BadParameter("格式应为 序号:哈希，例如 238:4490daf3…", param_hint="--head")
        if not ok:
            problems.append(integrity.Violation("events.noted_head", f"event seq {n_seq}",
                                                "检查人员记下的链头已不在办理记录中（此前的记录被改写）"))
    for p in problems:
        click.echo(str(p))
    # R7.2: an inspector notes the chain head and compares it on the next visit.
    click.echo(f"办理记录链头：第 {seq} 条 {digest}")
    if problems:
        click.echo(f"{len(problems)} 处问题", err=True)
        sys.exit(1)
    click.echo("检查通过：办理记录哈希链完整；所有发布内容均经审查同意、与发布时记录的指纹一致且未被改动；"
               "办结记录完整，办理记录与状态一致。")


@click.command("backup")
@click.argument("path")
def backup_cmd(path: str) -> None:
    """Make a consistent copy of the database while the app runs."""
    from ..services.backup import BackupError, backup
    try:
        click.echo(backup(path))
    except BackupError as exc:
        _fail({"backup": str(exc)})


@click.command("restore")
@click.argument("path")
@click.option("--force", is_flag=True, help="覆盖已有数据")
def restore_cmd(path: str, force: bool) -> None:
    """Restore a backup (refuses to overwrite a non-empty database without --force)."""
    from ..services.backup import BackupError, restore
    try:
        click.echo(restore(path, force))
    except BackupError as exc:
        _fail({"restore": str(exc)})


def register(app) -> None:
    from .ledger import ledger_cli
    from .report import report_cli
    from .search import search_cli
    for cmd in (init_db, agencies_cli, users_cli, demo_cmd, ledger_cli, sweep_cli, scheduler_cli,
                outbox_cli, report_cli, check_cmd, backup_cmd, restore_cmd, search_cli):
        app.cli.add_command(cmd)
