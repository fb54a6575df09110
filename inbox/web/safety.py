"""What keeps a customer's message from doing anything in the maker's browser.

* ``email_html``: the HTML part of a stored email, if it has one (Banco keeps the text; the original
  bytes are in ``messages.raw``).
* ``sanitise``: that HTML through nh3 with a short allow-list: no script, no event handlers, no
  ``style`` (so no CSS expressions or ``url()``), no forms, frames or ``javascript:`` links, no
  relative URLs (they would point at Banco itself). Remote images are dropped unless the maker asked
  for them; embedded ``data:`` images stay.
* The headers every response gets (``SecurityHeaders``): a strict Content-Security-Policy, nosniff,
  no referrer, no framing, no caching of private pages.
* ``file_response`` and ``original_response``: attachments and original messages, with a safe
  content type and ``Content-Disposition`` (inline only for plain raster images).
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path
from urllib.parse import quote

import nh3
from starlette.datastructures import MutableHeaders
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

#: The page policy. Only Banco's own script and style run; images from Banco or embedded in a page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The policy of a customer's formatted email once the maker asked for its images.
CSP_REMOTE_IMAGES = CSP.replace("img-src 'self' data:", "img-src 'self' data: https: http:")
#: Files are never a page: no script, no plugins, no same-origin access even if a browser sniffs.
CSP_FILE = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

#: Raster images a browser shows without running anything (SVG can hold script: not here).
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SHA256 = re.compile(r"[0-9a-f]{64}")

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
    "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "table": {"summary"},
    "ol": {"start"},
}
#: Removed with everything inside them, not only their tags.
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "noscript", "template", "object"}


@dataclass(frozen=True)
class CleanHtml:
    html: str
    #: remote images left out because the maker has not asked for them
    blocked_images: int


def sanitise(html: str, *, remote_images: bool = False) -> CleanHtml:
    """``html`` with nothing that can run, load or submit; remote images only if asked."""
    blocked = 0

    def keep(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if tag == "img" and attribute == "src":
            scheme = value.split(":", 1)[0].strip().lower()
            if scheme == "data":
                return value if value.lower().startswith(_DATA_IMAGES) else None
            if scheme in ("http", "https"):
                if remote_images:
                    return value
                blocked += 1
            return None  # cid: and anything else: nothing to show
        if tag == "a" and attribute == "href":
            scheme = value.split(":", 1)[0].strip().lower()
            return value if scheme in ("http", "https", "mailto", "tel") else None
        return value

    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto", "tel", "data"},
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return CleanHtml(cleaned, blocked)


_DATA_IMAGES = tuple(f"data:{kind};" for kind in sorted(INLINE_IMAGES))


def email_html(raw: bytes | None) -> str | None:
    """The first HTML body part of an email's bytes (not an attached .html file), or None."""
    if not raw:
        return None
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        for part in message.walk():
            if part.get_content_type() == "text/html" and not part.is_attachment():
                return _part_text(part)
    except Exception:  # a message Banco could not read is shown as text, never as a crash
        return None
    return None


def _part_text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


# Headers ------------------------------------------------------------------------------------------
class SecurityHeaders:
    """ASGI middleware: the safety headers on every response (a response may set its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
                if not static:  # the maker's orders and customers: never kept in a shared cache
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Files --------------------------------------------------------------------------------------------
def content_disposition(kind: str, filename: str) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...`` with any name made safe to send."""
    plain = re.sub(r"[^A-Za-z0-9._ -]", "_", filename).strip() or "file"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_path(attachments: Path, sha256: str) -> Path | None:
    """Where the store keeps the file with this SHA-256; None for anything that is not one."""
    if not SHA256.fullmatch(sha256):
        return None
    path = attachments / sha256[:2] / sha256
    return path if path.is_file() else None


def file_response(path: Path, filename: str, content_type: str | None, download: bool) -> Response:
    """A stored attachment: raster images inline (unless ``download``), everything else as a
    download with a type that no browser renders as a page."""
    kind = (content_type or "").split(";")[0].strip().lower()
    inline = kind in INLINE_IMAGES and not download
    media_type = kind if kind in INLINE_IMAGES else "application/octet-stream"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(
                "inline" if inline else "attachment", filename
            ),
            "Content-Security-Policy": CSP_FILE,
        },
    )


ORIGINAL_TYPES = {
    "rfc822": (".eml", "message/rfc822"),
    "json": (".json", "application/json"),
    "form-row": (".json", "application/json"),
}


def original_response(message_id: int, raw: bytes | None, raw_type: str | None) -> Response:
    """The message exactly as Banco received it, as a file to save or open in a mail program."""
    extension, media_type = ORIGINAL_TYPES.get(raw_type or "", (".bin", "application/octet-stream"))
    data = raw or b""
    if extension == ".json" and not _is_json(data):
        extension, media_type = ".bin", "application/octet-stream"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(
                "attachment", f"message-{message_id}{extension}"
            ),
            "Content-Security-Policy": CSP_FILE,
        },
    )


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True
