// VigilAgent: filled in by its issue.
