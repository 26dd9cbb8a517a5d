"""{% practice_hints as hints %}: whether this dashboard shows the first-timer hints (views.practice)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def practice_hints(context):
    """{"available": a practice game seen by one of its players, "shown": and the player has not hidden them}."""
    from ..services.exercises import PRACTICE_SLUG
    from ..views.practice import hints_hidden

    request, exercise, player = context.get("request"), context.get("exercise"), context.get("player")
    available = bool(request is not None and exercise is not None and player is not None
                     and exercise.scenario.slug == PRACTICE_SLUG)
    return {"available": available, "shown": available and not hints_hidden(request, player)}
