from django.shortcuts import render


def render_panel(request, template, context, panels):
    """One URL serves the page and its fragments: htmx asks for a panel by its DOM id."""
    target = request.htmx.target if request.htmx else None
    if target in panels:
        return render(request, f"{template}#{target}", context)
    return render(request, template, context)
