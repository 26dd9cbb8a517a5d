"""Sign-in for facilitators (/facilitator/login/) and staff (/admin/login/), throttled.

After LOGIN_ATTEMPTS_PER_WINDOW failed sign-ins from one client IP, or for one username, within
LOGIN_WINDOW_SECONDS, further attempts answer 429 without checking the password. Counts live in
Django's cache (Redis), like the join-code throttle. Django's login() still cycles the session key.
"""

import hashlib
import math
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import throttle



def _failure_keys(request):
    keys = [f"login-failures:ip:{throttle.client_address(request)}"]
    username = request.POST.get("username", "").strip().lower()
    if username:  # hashed: any text a stranger types stays a safe cache key
        keys.append(f"login-failures:user:{hashlib.sha256(username.encode()).hexdigest()[:32]}")
    return keys


def _too_many(request):
    minutes = math.ceil(settings.LOGIN_WINDOW_SECONDS / 60)
    message = _("Too many failed sign-ins from this computer or for this username. Wait %(minutes)s "
                "minutes, then try again.") % {"minutes": minutes}
    response = render(request, "exercises/facilitator/login.html",
                      {"form": AuthenticationForm(request), "throttled": message,
                       "next": request.POST.get("next", "")}, status=429)
    response["Retry-After"] = str(settings.LOGIN_WINDOW_SECONDS)
    return response


def throttled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        keys = _failure_keys(request)
        counts = throttle.failures(keys)
        if any(counts.get(key, 0) >= settings.LOGIN_ATTEMPTS_PER_WINDOW for key in keys):
            return _too_many(request)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: wrong username or password
            throttle.failure_count(keys=keys, window_seconds=settings.LOGIN_WINDOW_SECONDS)
        elif response.status_code == 302 and request.user.is_authenticated and len(keys) > 1:
            throttle.failures_forget(key=keys[1])  # signed in: this account's count starts again (the IP's does not)
        return response

    return wrapper


facilitator_login = throttled(auth_views.LoginView.as_view(template_name="exercises/facilitator/login.html"))
admin_login = throttled(admin.site.login)
