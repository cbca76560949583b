"""The inbox and 我的文档 (`inbox`), a task's page (`tasks`) and the JSON API (`api`)."""
