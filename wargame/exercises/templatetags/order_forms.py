"""The order forms' long <select> lists, built in Python.

Each dashboard refresh renders two order slots and the argued action's "nearest action", each listing
the whole catalogue; as template loops they were most of a refresh's cost. Load with
``{% load order_forms %}``; everything is escaped by format_html.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def action_options(catalogue, selected):
    """The action <optgroup>s of an order slot, with ``selected`` chosen; blocked actions say why."""
    groups = []
    for label, actions in catalogue["groups"]:
        options = format_html_join("", '<option value="{}"{}>{} · {} ({} RP){}</option>', (
            (spec.key, mark_safe(" selected") if spec.key == selected else "", spec.key, spec.name, spec.cost,
             "" if ok else f" — {reason}")
            for spec, ok, reason in actions))
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', label, options))
    return mark_safe(format_html('<option value="">{}</option>', _("— no action —")) + "".join(groups))


@register.simple_tag
def target_options(catalogue, selected):
    """Teams, and the sea zones for orders that go to a zone (when the team has any)."""
    options = format_html_join("", '<option value="{}"{}>{}</option>', (
        (t.code, mark_safe(" selected") if t.code == selected else "", t.name) for t in catalogue["targets"]))
    zones = catalogue.get("zones") or ()
    if zones:
        options = format_html('<optgroup label="{}">{}</optgroup><optgroup label="{}">{}</optgroup>', _("Teams"), options,
                              _("Sea zones (patrols, hunts, transits)"), format_html_join(
                                  "", '<option value="{}"{}>{}</option>',
                                  ((z, mark_safe(" selected") if z == selected else "", name) for z, name in zones)))
    return mark_safe(format_html('<option value="">{}</option>', _("— none —")) + options)


@register.simple_tag
def nearest_options(catalogue, selected):
    options = format_html_join("", '<option value="{}"{}>{} · {}</option>', (
        (spec.key, mark_safe(" selected") if spec.key == selected else "", spec.key, spec.name)
        for spec, ok, reason in catalogue["actions"]))
    return mark_safe('<option value="">—</option>' + options)


class PrerenderedNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        done = context.get("prerendered") or {}
        name = self.name.resolve(context)
        return done[name] if name in done else self.nodelist.render(context)


@register.tag
def prerendered(parser, token):
    """``{% prerendered "team-state" %}…{% endprerendered %}``: the panel's HTML from the view's
    ``prerendered`` dict (the team's cached copy) when it has one, else the block rendered here."""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("prerendered takes one argument: the panel's id")
    nodelist = parser.parse(("endprerendered",))
    parser.delete_first_token()
    return PrerenderedNode(template.Variable(name), nodelist)
