"""Watching and mending the running work: overdue figures and task lists (monitoring), problems and the
administrators' actions on instances (problems, instance_admin) and on tasks in batches (task_admin), one
instance's diagram and history (instance_view), heat maps of process versions (heatmap), and the stored
results of a batch (batch_runs)."""
