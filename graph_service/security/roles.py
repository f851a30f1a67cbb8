"""Roles of API keys and the typed caller every protected endpoint receives (pure).

A key has exactly one role. What each role may do:

========================  =======  ============  ======  =====
action                    checker  investigator  loader  admin
========================  =======  ============  ======  =====
sanction checks           yes      yes           no      yes
GraphQL exploration       no       yes           no      yes
loads                     no       no            yes     yes
audit log, key admin      no       no            no      yes
personal data unmasked    no       yes           —       yes
========================  =======  ============  ======  =====

``admin`` may do everything, so :func:`allowed` always admits it.

>>> allowed(Role.CHECKER, CHECK_ROLES), allowed(Role.LOADER, CHECK_ROLES)
(True, False)
>>> allowed(Role.ADMIN, frozenset({Role.LOADER}))
True
>>> sees_personal_data(Role.CHECKER), sees_personal_data(Role.INVESTIGATOR)
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The role of an API key."""

    CHECKER = "checker"  # other agencies' systems: sanction checks only, personal data masked
    INVESTIGATOR = "investigator"  # checks and GraphQL exploration, personal data whole
    LOADER = "loader"  # registry loads
    ADMIN = "admin"  # everything, including the audit log and check feedback of others


#: Who may run sanction checks (and give feedback on their own checks).
CHECK_ROLES = frozenset({Role.CHECKER, Role.INVESTIGATOR, Role.ADMIN})
#: Who may explore the graph through GraphQL and read stored checks.
EXPLORE_ROLES = frozenset({Role.INVESTIGATOR, Role.ADMIN})
#: Who may load registries.
LOAD_ROLES = frozenset({Role.LOADER, Role.ADMIN})
#: Who may read the audit log and manage keys.
ADMIN_ROLES = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Caller:
    """Who sends a request, as its API key says: the key's name, role and public id."""

    name: str
    role: Role
    key_id: str


def allowed(role: Role, roles: frozenset[Role]) -> bool:
    """True when ``role`` is one of ``roles``, or ``admin``."""
    return role is Role.ADMIN or role in roles


def sees_personal_data(role: Role) -> bool:
    """True when answers to ``role`` carry persons' names and id numbers unmasked."""
    return role in EXPLORE_ROLES
