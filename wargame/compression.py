"""Gzip for pages, never for the live stream.

Django's GZipMiddleware also compresses StreamingHttpResponse (sync and async). On the SSE stream that
would hold events back in the compressor's buffer until enough bytes pile up, so the doorbell would ring
late or never; proxies treat compressed event streams badly too. Event streams pass through untouched.

BREACH: pages carry a CSRF token. Django masks the token afresh on every response, so a secret that
repeats across requests never appears in the compressed bytes, and GZipMiddleware adds random bytes to
each gzip header (Heal-The-Breach length padding). Nothing else secret is echoed next to attacker-chosen
input on these pages, so compressing them is the accepted trade-off (see Django's GZipMiddleware docs).
"""

from django.middleware.gzip import GZipMiddleware


class PageGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("text/event-stream"):
            return response
        return super().process_response(request, response)
