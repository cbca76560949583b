"""The process modeler (`modeler`)."""
