"""The scheduler: one process that fires what is due (reminders, digests, BPMN timers), runs the warning
rules, starts pending annual cycles and sends e-mail. lease (who may tick), tick (fire due effects), loop
(the heartbeat and its jobs), outbox (e-mail). It depends on the workflow, notifications, the cycle and
the warnings; nothing depends on it but the CLI and the demo."""

from .lease import Lease, LeaseLost, acquire_lease, release_lease
from .loop import holder_name, run_cycle_batches, run_tick, serve
from .outbox import send_outbox, smtp_config
from .tick import tick

__all__ = [
    "Lease", "LeaseLost", "acquire_lease", "holder_name", "release_lease", "run_cycle_batches", "run_tick", "serve",
    "send_outbox", "smtp_config", "tick",
]  # fmt: skip
