"""The bot control of a team row on the console: ``{% load bots %}{% bot_seat row.team row.players as seat %}``.

``seat``: {"seated": players other than removed ones?, "policy": the bot's policy or "", "policies":
[(name, plain-words description)] of the team's actor, "current": the description of its policy}."""

from django import template

from wargame import engine

register = template.Library()


@register.simple_tag
def bot_seat(team, players):
    policies = list(engine.bot_policies(team.code).items())
    seated = any(not (p["p"] if isinstance(p, dict) else p).removed_at for p in players)
    return {"seated": seated, "policy": team.bot_policy, "policies": policies,
            "current": dict(policies).get(team.bot_policy, "")}
