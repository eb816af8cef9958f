"""Counter operations: visit reservations, queue tickets, timings, dashboards."""
