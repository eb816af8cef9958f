"""A business member's session: its own keys, never Django's staff login.

Staff sign in through ``django.contrib.auth`` (``request.user``); a business
member is kept under :data:`SESSION_KEY`, which nothing on the staff side
reads, so a member's session can never reach a staff page or the staff API
and a staff session never counts as a member. The session also keeps an HMAC
of the member's password hash (as Django does for staff): changing or
resetting the password ends the member's other sessions. A member's session
ends after :data:`SESSION_SECONDS` without a request.
"""

from __future__ import annotations

from django.middleware.csrf import rotate_token
from django.utils.crypto import constant_time_compare, salted_hmac

from jichi.identity.business.models import AccountStatus, BusinessMember

SESSION_SECONDS = 30 * 60  # a member's session ends after 30 idle minutes
SESSION_KEY = "jichi_business_member"
HASH_KEY = "jichi_business_member_hash"
_SALT = "jichi.identity.business.session"


def session_hash(member: BusinessMember) -> str:
    return salted_hmac(_SALT, member.password, algorithm="sha256").hexdigest()


def start(request, member: BusinessMember) -> None:
    """Sign ``member`` in: a new session (a staff login of this browser ends)."""
    request.session.flush()
    request.session[SESSION_KEY] = str(member.id)
    request.session[HASH_KEY] = session_hash(member)
    request.session.set_expiry(SESSION_SECONDS)
    rotate_token(request)


def keep(request, member: BusinessMember) -> None:
    """After the member changed their own password: this session stays, others end."""
    request.session.cycle_key()
    request.session[HASH_KEY] = session_hash(member)


def end(request) -> None:
    """Sign the member out (a new session id; nothing of theirs is left in it)."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(HASH_KEY, None)
    request.session.cycle_key()


def member_in(session) -> BusinessMember | None:
    """The active member of an active account this session belongs to, or ``None``."""
    member_id = session.get(SESSION_KEY)
    if not member_id:
        return None
    member = (
        BusinessMember.objects.select_related("account")
        .filter(pk=member_id, is_active=True, account__status=AccountStatus.ACTIVE)
        .first()
    )
    if member is None or not constant_time_compare(session.get(HASH_KEY, ""), session_hash(member)):
        return None
    return member
