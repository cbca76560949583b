"""Test-only: compile each URL rule once per test run, not once per app.

The suite builds a Flask app per test. Werkzeug compiles every rule of a new app from scratch (a regex per
part and two URL builders written with `ast` and `compile()`), which was most of a web test's set-up:
~250 rules, 150-300 ms an app. A rule with the same text, options and map settings compiles to the same
parts, converters and builders, so a later app reuses them. The builders reach the rule only through their
`self` argument and are bound to the new rule; converters keep no per-map state. Production builds one app
per process and never loads this module.
"""

from __future__ import annotations

from werkzeug.routing.rules import Rule

_compile = Rule.compile
_compiled: dict[tuple, tuple] = {}


def _key(rule: Rule) -> tuple:
    m = rule.map
    return (
        type(rule), rule.rule, rule.subdomain, rule.host, rule.merge_slashes, m.host_matching,
        repr(sorted((rule.defaults or {}).items())), tuple(sorted(m.converters.items())),
    )  # fmt: skip


def _compile_once(self: Rule) -> None:
    key = _key(self)
    hit = _compiled.get(key)
    if hit is None:
        _compile(self)
        _compiled[key] = (
            list(self._parts), list(self._trace), dict(self._converters), frozenset(self.arguments),
            self._build.__func__, self._build_unknown.__func__,
        )  # fmt: skip
        return
    parts, trace, converters, arguments, build, build_unknown = hit
    self._parts, self._trace, self._converters = list(parts), list(trace), dict(converters)
    self.arguments.update(arguments)
    self._build = build.__get__(self, None)
    self._build_unknown = build_unknown.__get__(self, None)


def install() -> None:
    Rule.compile = _compile_once
