"""Due process (docs/due-process.md): publication periods, repairs, objections, and
stop-sharing notices with their webhooks."""
