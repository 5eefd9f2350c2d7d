"""Translatable text in the domain, without a dependency on the web layer (rules: docs/i18n.md).

The domain speaks Chinese (Chinese first, docs/i18n.md). Labels are marked with ``N_`` and
messages built with ``Msg`` so that ``pybabel extract`` finds them and the web layer
(``disclosure.i18n.translate``) can show them in the reader's language. Both are plain
``str`` for every other purpose: tests, the API and the ledger keep seeing the Chinese text.
"""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark a label for extraction; the translation happens where it is shown."""
    return text


class Msg(str):
    """A formatted message that remembers its template and parameters.

    ``Msg("{label}不能超过 {n} 个字", label="姓名", n=30)`` is the string
    "姓名不能超过 30 个字"; ``template`` and ``params`` let the web layer translate the
    template (and any parameter that is itself a label) before formatting.
    """

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template = template
        self.params = params
        return self

    def __reduce__(self):  # keep template/params through pickling (exceptions, caches)
        return (_rebuild, (self.template, self.params))


def _rebuild(template, params):
    return Msg(template, **params)


def series(parts: list[str]) -> str:
    """"a、b、c" as nested ``Msg``s, so the separator follows the reader's language ("a, b, c")."""
    out = parts[0] if parts else ""
    for part in parts[1:]:
        out = Msg("{earlier}、{next}", earlier=out, next=part)
    return out


# A message put together from other messages (a file name and its problem, several errors in a
# row): the template has no words of its own, so it is not extracted (hence not a literal ``Msg``
# call); the web layer still translates each part.
_Compose = Msg


def compose(template: str, **parts) -> Msg:
    return _Compose(template, **parts)


def joined(messages: list[str], sep: str = "；") -> str:
    """``sep.join(messages)``, still translatable part by part where they are ``Msg``/labels."""
    if len(messages) == 1:
        return messages[0]
    return compose(sep.join(f"{{part_{i}}}" for i in range(len(messages))),
                   **{f"part_{i}": m for i, m in enumerate(messages)})
