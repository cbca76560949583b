"""The workflow engine and domain services of Zhengai, free of any web framework.

Packages, lowest first (a package imports only packages above it in this list, never below):
models (the tables), core (sessions, errors, audit, periods), org (people, positions, lanes), notify
(notifications, digests), workflow (the runtime and its read model), documents, cycle (the annual cycle
and task table), oversight / warnings / modeling, scheduler, demo; `wiring` and `install` put them
together. See the README's architecture section.
"""
