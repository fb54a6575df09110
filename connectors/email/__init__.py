"""Email parsing shared by every email source: RFC 822 bytes in, :class:`Record` out."""

from .parse import decode_header_value, parse_headers_only, parse_message

__all__ = ["decode_header_value", "parse_headers_only", "parse_message"]
