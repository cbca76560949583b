"""Monitoring (`monitor`), the administrators' actions (`monitor_actions`), instances and heat maps
(`instances`)."""
