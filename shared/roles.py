"""Who a person is in the association: the roles a form offers and the audiences of forums."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AREA_LEADER = "area_leader"
    CLUSTER_LEADER = "cluster_leader"
    DISTRICT_LEADER = "district_leader"
    OTHER_LEADER_OF_LEADERS = "other_leader_of_leaders"
    ADMINISTRATION = "administration"
    OTHER = "other"

    @property
    def leads_leaders(self) -> bool:
        return self in LEADERS_OF_LEADERS


LEADERS_OF_LEADERS = frozenset(
    {Role.AREA_LEADER, Role.CLUSTER_LEADER, Role.DISTRICT_LEADER, Role.OTHER_LEADER_OF_LEADERS}
)


class Audience(StrEnum):
    """Who a forum invites."""

    LEADERS_OF_LEADERS = "leaders_of_leaders"
    LEADERS_AND_ADMINISTRATION = "leaders_and_administration"

    def admits(self, role: Role) -> bool:
        if role.leads_leaders:
            return True
        return self is Audience.LEADERS_AND_ADMINISTRATION and role is Role.ADMINISTRATION
