"""BPMN handling: validation and compilation of uploads, safe scripting, compact serialization."""
