"""Bytes on the wire: gzip pages, hashed long-cached static files, a favicon, a description, a steady pill.

Static files come from STATIC_ROOT (`make test` runs collectstatic first); whitenoise serves them in the
test client too, since it is a middleware.
"""

import gzip
import re

from django.conf import settings

HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg)$")
A_YEAR = 365 * 24 * 3600


def max_age(response):
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def static_urls(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_dashboard_is_gzipped_when_the_browser_accepts_it(jpn_client, exercise):
    url = f"/x/{exercise.join_code}/t/JPN/"
    plain = jpn_client.get(url)
    packed = jpn_client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert 'id="live-pill"' in html
    assert len(packed.content) < len(plain.content) / 2


def test_pages_link_hashed_static_files_with_a_favicon_and_a_description(client):
    html = client.get("/").content.decode()
    urls = static_urls(html)
    assert urls, "no static files linked"
    assert all(HASHED.search(u) for u in urls), urls
    # htmx itself, from django-htmx's {% htmx_script %}, and its SSE extension are hashed too.
    assert any("/django_htmx/htmx-2.min." in u for u in urls), urls
    assert any("/django_htmx/ext/hx-sse-2.min." in u for u in urls), urls
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">', html)
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and "wargame" in description.group(1)


def test_hashed_static_files_are_cached_for_a_year_and_served_compressed(client):
    html = client.get("/").content.decode()
    css = next(u for u in static_urls(html) if "/css/app." in u)
    plain = client.get(css)
    assert plain.status_code == 200
    assert max_age(plain) >= A_YEAR and "immutable" in plain["Cache-Control"]
    packed = client.get(css, headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(packed)) == body(plain)


def test_favicon_ico_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    data = body(response)
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert response["Content-Type"].startswith("image/")


def test_the_live_pill_keeps_one_width_whatever_it_says():
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    rule = re.search(r"^\.live-pill \{([^}]*)\}", css, re.M).group(1)
    assert "min-width" in rule and "white-space: nowrap" in rule


def test_the_event_stream_is_never_gzipped():
    """The middleware leaves text/event-stream alone (the live test checks it under uvicorn too)."""
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory

    from wargame.compression import PageGZipMiddleware

    def stream(request):
        return StreamingHttpResponse(iter([b"event: hello\ndata: {}\n\n"] * 50), content_type="text/event-stream")

    def page(request):
        return StreamingHttpResponse(iter([b"<p>page</p>"] * 50), content_type="text/html")

    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in PageGZipMiddleware(stream)(request)
    assert PageGZipMiddleware(page)(request)["Content-Encoding"] == "gzip"
