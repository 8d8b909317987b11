"""Commands that administer the node: partners, groups, tokens, users, the audit log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.context import actor, console, open_node, reported_errors, split_list
from accord.core.principals import Role

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]

partners = typer.Typer(help="Partners of the partnership.", no_args_is_help=True)
groups = typer.Typer(help="Named sharing groups of partners.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens (shown once, stored as a hash).", no_args_is_help=True)
users = typer.Typer(help="User accounts (password login).", no_args_is_help=True)
audit = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@partners.command("list")
def partner_list(data_dir: DataDir = None) -> None:
    """List the partners on this node."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table("code", "name", "STIX identity")
        for partner in node.partners.partners():
            table.add_row(partner.code, partner.name, partner.identity_id)
        console.print(table)


@partners.command("add")
def partner_add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. AU.")],
    name: Annotated[str, typer.Argument(help="Full name.")],
    data_dir: DataDir = None,
) -> None:
    """Add a partner (and its STIX identity)."""
    with reported_errors(), open_node(data_dir) as node:
        partner = node.add_partner(code, name, actor=actor())
        console.print(f"partner {partner.code} added ({partner.identity_id})")


@groups.command("list")
def group_list(data_dir: DataDir = None) -> None:
    """List sharing groups and their members."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table("group", "members", "description")
        for group in node.partners.groups():
            table.add_row(group.name, ", ".join(sorted(group.members)), group.description)
        console.print(table)


@groups.command("create")
def group_create(
    name: Annotated[str, typer.Argument(help="Lower-case name, e.g. sdp-jp.")],
    members: Annotated[str, typer.Option(help="Partner codes, commas.")],
    description: Annotated[str, typer.Option(help="What the group is for.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create a sharing group."""
    with reported_errors(), open_node(data_dir) as node:
        group = node.partners.create_group(name, description, split_list(members), actor=actor())
        console.print(f"group {group.name}: {', '.join(sorted(group.members))}")


@groups.command("add-member")
def group_add_member(group: str, partner: str, data_dir: DataDir = None) -> None:
    """Add a partner to a group (it then reads what was released to the group)."""
    with reported_errors(), open_node(data_dir) as node:
        found = node.partners.add_member(group, partner, actor=actor())
        console.print(f"group {found.name}: {', '.join(sorted(found.members))}")


@groups.command("remove-member")
def group_remove_member(group: str, partner: str, data_dir: DataDir = None) -> None:
    """Remove a partner from a group."""
    with reported_errors(), open_node(data_dir) as node:
        found = node.partners.remove_member(group, partner, actor=actor())
        console.print(f"group {found.name}: {', '.join(sorted(found.members))}")


@tokens.command("create")
def token_create(
    partner: Annotated[str, typer.Option(help="Partner the token acts for.")],
    role: Annotated[Role, typer.Option(help="reader, analyst, peer or admin.")] = Role.READER,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_days: Annotated[
        int | None, typer.Option(min=1, help="Days until it expires (default: never).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an API token and print it once; only its hash is kept."""
    from datetime import timedelta

    with reported_errors(), open_node(data_dir) as node:
        info, secret = node.principals.create_token(
            partner=partner,
            role=role,
            label=label or f"{partner} {role.value}",
            actor=actor(),
            expires_in=timedelta(days=expires_days) if expires_days else None,
        )
        console.print(
            f"token {info.token_id} for {info.partner} ({info.role.value}); "
            "copy it now, it is not shown again:",
            highlight=False,
        )
        print(secret)


@tokens.command("list")
def token_list(
    partner: Annotated[str | None, typer.Option(help="Only this partner's.")] = None,
    data_dir: DataDir = None,
) -> None:
    """List tokens (never their secrets)."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table("id", "partner", "role", "label", "created", "expires", "revoked")
        for info in node.principals.list_tokens(partner=partner):
            table.add_row(
                info.token_id,
                info.partner,
                info.role.value,
                info.label,
                f"{info.created:%Y-%m-%d %H:%M}",
                f"{info.expires:%Y-%m-%d %H:%M}" if info.expires else "never",
                f"{info.revoked:%Y-%m-%d %H:%M}" if info.revoked else "",
            )
        console.print(table)


@tokens.command("revoke")
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke a token at once."""
    with reported_errors(), open_node(data_dir) as node:
        info = node.principals.revoke_token(token_id, actor=actor())
        console.print(f"token {info.token_id} revoked")


@users.command("add")
def user_add(
    username: str,
    partner: Annotated[str, typer.Option(help="Partner the user belongs to.")],
    role: Annotated[Role, typer.Option(help="reader, analyst, peer or admin.")] = Role.READER,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a user; the password is asked for (or read from stdin), stored with argon2."""
    with reported_errors(), open_node(data_dir) as node:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        node.principals.add_user(
            username=username, partner=partner, role=role, password=password, actor=actor()
        )
        console.print(f"user {username} added ({partner}, {role.value})")


@users.command("list")
def user_list(data_dir: DataDir = None) -> None:
    """List users."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table("user", "partner", "role", "disabled")
        for user in node.principals.list_users():
            table.add_row(
                user.username, user.partner, user.role.value, "yes" if user.disabled else ""
            )
        console.print(table)


@users.command("disable")
def user_disable(username: str, data_dir: DataDir = None) -> None:
    """Disable a user: it can no longer log in."""
    with reported_errors(), open_node(data_dir) as node:
        node.principals.disable_user(username, actor=actor())
        console.print(f"user {username} disabled")


@audit.command("verify")
def audit_verify(data_dir: DataDir = None) -> None:
    """Check the whole hash chain; names the first edited, removed or reordered entry."""
    with reported_errors(), open_node(data_dir) as node:
        count = node.audit.verify()
        seq, head = node.audit.head()
        console.print(f"audit log intact: {count} entries; head {seq} {head}")


@audit.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(min=1, help="Newest entries to show.")] = 20,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Show the newest audit entries."""
    with reported_errors(), open_node(data_dir) as node:
        entries = node.audit.entries(action=action)[-limit:]
        table = Table("seq", "at", "actor", "action", "target")
        for entry in entries:
            table.add_row(
                str(entry.seq),
                f"{entry.at:%Y-%m-%d %H:%M:%S}",
                entry.actor,
                entry.action,
                entry.target,
            )
        console.print(table)
