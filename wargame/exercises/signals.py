"""Signal receivers. Kept to the one the auth framework forces on us."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import access
from .models import Player


@receiver(user_logged_in)
def seats_follow_rotated_session(sender, request, user, **kwargs):
    """Sign-in rotates the session key (Django's login does); the browser's seats keep working."""
    if request is None or not hasattr(request, "session"):
        return
    seat_ids = list(request.session.get(access.SESSION_PLAYERS, {}).values())
    if seat_ids:
        Player.objects.filter(pk__in=seat_ids).update(session_key=request.session.session_key)
